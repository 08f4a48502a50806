package pkce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// Method is the code_challenge_method this package produces.
const Method = "S256"

// Length limits for a code verifier (RFC 7636 section 4.1).
const (
	MinLength = 43
	MaxLength = 128
)

// ErrInvalidVerifier is matched (errors.Is) by every error Validate returns.
var ErrInvalidVerifier = errors.New("pkce: invalid code verifier")

// NewVerifier returns a new code verifier: 32 random bytes from crypto/rand,
// base64url-encoded without padding (43 characters).
func NewVerifier() (string, error) {
	return newVerifier(rand.Reader)
}

func newVerifier(r io.Reader) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("pkce: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Challenge returns the S256 code challenge of verifier:
// BASE64URL-ENCODE(SHA256(ASCII(verifier))), without padding.
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Validate reports whether verifier is a well-formed RFC 7636 code
// verifier: 43 to 128 characters from the unreserved set
// [A-Z] [a-z] [0-9] "-" "." "_" "~". The error never repeats the verifier.
func Validate(verifier string) error {
	if n := len(verifier); n < MinLength || n > MaxLength {
		return &lengthError{n: n}
	}
	for i := 0; i < len(verifier); i++ {
		if !unreserved(verifier[i]) {
			return &charError{pos: i}
		}
	}
	return nil
}

func unreserved(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}

type lengthError struct{ n int }

func (e *lengthError) Error() string {
	return fmt.Sprintf("pkce: invalid code verifier: length %d, want %d to %d", e.n, MinLength, MaxLength)
}

func (e *lengthError) Is(target error) bool { return target == ErrInvalidVerifier }

type charError struct{ pos int }

func (e *charError) Error() string {
	return fmt.Sprintf("pkce: invalid code verifier: byte %d is not an unreserved character", e.pos)
}

func (e *charError) Is(target error) bool { return target == ErrInvalidVerifier }
