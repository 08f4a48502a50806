package engine

import (
	"bytes"
	"errors"
)

var errNotJWKS = errors.New("not a JWKS document")

// splitKeys returns the elements of the top-level "keys" array of a JWKS
// document as sub-slices of body, without decoding them: one pass over
// the bytes that tracks strings and nesting only. An element is decoded
// (strictly, by encoding/json) only when a token names its kid, so a large
// key set costs this scan and the decoding of one key. The structure is
// checked (balanced brackets, strings closed, one "keys" member holding
// an array); the rest of each element is checked when it is decoded.
func splitKeys(body []byte) ([][]byte, error) {
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return nil, errNotJWKS
	}
	var (
		keys      [][]byte
		found     bool
		depth     int
		start     = -1 // start of the current element of "keys"
		inKeys    bool
		lastStr   []byte // the last string closed at depth 1
		expectArr bool   // "keys": was just read
	)
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			j := i + 1
			for ; j < len(body) && body[j] != '"'; j++ {
				if body[j] == '\\' {
					j++
				}
			}
			if j >= len(body) {
				return nil, errNotJWKS
			}
			if inKeys && depth == 2 && start < 0 {
				start = i
			}
			if depth == 1 {
				lastStr = body[i+1 : j]
			}
			i = j
		case ':':
			if depth == 1 && string(lastStr) == "keys" {
				if found {
					return nil, errNotJWKS // a second "keys" member
				}
				found, expectArr = true, true
			}
		case '{', '[':
			if expectArr {
				if c != '[' || depth != 1 {
					return nil, errNotJWKS
				}
				expectArr, inKeys = false, true
			} else if inKeys && depth == 2 && start < 0 {
				start = i
			}
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return nil, errNotJWKS
			}
			if inKeys && depth == 1 {
				if c != ']' {
					return nil, errNotJWKS
				}
				if start >= 0 {
					keys = append(keys, bytes.TrimSpace(body[start:i]))
				}
				inKeys, start = false, -1
			}
		case ',':
			if inKeys && depth == 2 {
				if start < 0 {
					return nil, errNotJWKS // an empty element
				}
				keys = append(keys, bytes.TrimSpace(body[start:i]))
				start = -1
			}
		case ' ', '\t', '\r', '\n':
		default:
			if expectArr {
				return nil, errNotJWKS // "keys" is not an array
			}
			if inKeys && depth == 2 && start < 0 {
				start = i
			}
		}
	}
	if depth != 0 || !found || inKeys || expectArr {
		return nil, errNotJWKS
	}
	return keys, nil
}
