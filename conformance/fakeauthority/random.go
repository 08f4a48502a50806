package fakeauthority

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// randomBytes reads n bytes from crypto/rand (which never fails on the
// platforms Go supports; it panics if it ever does).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("fakeauthority: crypto/rand: " + err.Error())
	}
	return b
}

// randomID is n random bytes in unpadded base64url.
func randomID(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }

// newUUID is a random (version 4) UUID.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// userCodeAlphabet has no 0/O or 1/I, so codes read back unambiguously.
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newUserCode is a 9-character device user code, like Entra's.
func newUserCode() string {
	b := randomBytes(9)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b)
}
