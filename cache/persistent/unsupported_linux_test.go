package persistent

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/entraauth/entraauth/cache"
)

func TestUnsupportedStoragesSayWhere(t *testing.T) {
	// The Windows and macOS constructors exist here and fail cleanly.
	if _, err := NewDPAPIFile(filepath.Join(t.TempDir(), "x"), nil); !errors.Is(err, cache.ErrUnsupported) {
		t.Errorf("NewDPAPIFile on this OS = %v, want cache.ErrUnsupported", err)
	}
	if _, err := NewKeychainFile(filepath.Join(t.TempDir(), "x"), nil); !errors.Is(err, cache.ErrUnsupported) {
		t.Errorf("NewKeychainFile on this OS = %v, want cache.ErrUnsupported", err)
	}
}
