package broker_test

import (
	"strings"
	"testing"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

// The broker keeps the account's tokens itself: New refuses a cache
// rather than accepting one it would never use.
func TestNewRefusesCache(t *testing.T) {
	c, err := broker.New("", &broker.Options{ClientOptions: oauth.ClientOptions{Cache: cache.New(nil, nil)}})
	if err == nil || c != nil || !strings.Contains(err.Error(), "Cache") {
		t.Fatalf("New with a cache = %v, %v; want a refusal naming Cache", c, err)
	}
}
