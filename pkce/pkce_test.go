package pkce

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/oauth2"
)

// RFC 7636 Appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestChallengeRFC7636AppendixB(t *testing.T) {
	if got := Challenge(rfcVerifier); got != rfcChallenge {
		t.Fatalf("Challenge(RFC verifier) = %q, want %q", got, rfcChallenge)
	}
	if err := Validate(rfcVerifier); err != nil {
		t.Fatalf("Validate(RFC verifier) = %v", err)
	}
}

func TestNewVerifierRFCBytes(t *testing.T) {
	// Appendix B's octets produce Appendix B's verifier.
	octets := []byte{116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173,
		187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
		132, 141, 121}
	v, err := newVerifier(bytes.NewReader(octets))
	if err != nil {
		t.Fatal(err)
	}
	if v != rfcVerifier {
		t.Fatalf("verifier = %q, want %q", v, rfcVerifier)
	}
}

func TestNewVerifier(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		v, err := NewVerifier()
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != 43 {
			t.Fatalf("len = %d, want 43", len(v))
		}
		if err := Validate(v); err != nil {
			t.Fatalf("Validate(NewVerifier()) = %v", err)
		}
		if seen[v] {
			t.Fatalf("verifier repeated: %q", v)
		}
		seen[v] = true
		// Cross-check against x/oauth2's independent implementation.
		if got, want := Challenge(v), oauth2.S256ChallengeFromVerifier(v); got != want {
			t.Fatalf("Challenge = %q, oauth2.S256ChallengeFromVerifier = %q", got, want)
		}
	}
}

func TestNewVerifierRandFailure(t *testing.T) {
	boom := errors.New("boom")
	if _, err := newVerifier(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapping %v", err, boom)
	}
	if _, err := newVerifier(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Fatal("short random read accepted")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string // substring; "" = valid
	}{
		{"rfc vector", rfcVerifier, ""},
		{"min length", strings.Repeat("a", 43), ""},
		{"max length", strings.Repeat("Z", 128), ""},
		{"all unreserved", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", ""},
		{"empty", "", "length 0"},
		{"too short", strings.Repeat("a", 42), "length 42"},
		{"too long", strings.Repeat("a", 129), "length 129"},
		{"plus", strings.Repeat("a", 42) + "+", "byte 42"},
		{"slash", "/" + strings.Repeat("a", 42), "byte 0"},
		{"padding", strings.Repeat("a", 42) + "=", "byte 42"},
		{"space", strings.Repeat("a", 20) + " " + strings.Repeat("a", 22), "byte 20"},
		{"non-ascii", strings.Repeat("a", 41) + "é", "byte 41"},
		{"nul", strings.Repeat("a", 42) + "\x00", "byte 42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			if !errors.Is(err, ErrInvalidVerifier) {
				t.Errorf("errors.Is(err, ErrInvalidVerifier) = false for %v", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantErr)
			}
			if len(tt.in) >= 8 && strings.Contains(err.Error(), tt.in) {
				t.Errorf("err echoes the verifier: %q", err)
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(rfcVerifier)
	f.Add("")
	f.Add(strings.Repeat("~", 200))
	f.Fuzz(func(t *testing.T, s string) {
		err := Validate(s)
		if err != nil && !errors.Is(err, ErrInvalidVerifier) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil {
			if len(s) < MinLength || len(s) > MaxLength {
				t.Fatalf("accepted length %d", len(s))
			}
			if c := Challenge(s); c != oauth2.S256ChallengeFromVerifier(s) {
				t.Fatalf("challenge mismatch for valid verifier")
			}
		}
	})
}
