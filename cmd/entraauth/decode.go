package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

func init() {
	commands["decode"] = command{"show a JWT's header, claims and expiry (not verified)", cmdDecode}
}

// decoded is decode's output.
type decoded struct {
	Header    map[string]any `json:"header"`
	Claims    map[string]any `json:"claims"`
	ExpiresOn *time.Time     `json:"expiresOn,omitempty"`
	Expired   *bool          `json:"expired,omitempty"`
	// Verified is always false: decode does not check the signature.
	Verified bool `json:"verified"`
}

func cmdDecode(_ context.Context, sio *stdio, args []string) error {
	fs := flag.NewFlagSet("entraauth decode", flag.ContinueOnError)
	fs.SetOutput(sio.stderr)
	fs.Usage = func() {
		fmt.Fprintln(sio.stderr, "usage: entraauth decode [TOKEN]   (reads the token from stdin when absent)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	var raw string
	switch fs.NArg() {
	case 0:
		line, err := bufio.NewReader(io.LimitReader(sio.stdin, 1<<20)).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		raw = line
	case 1:
		raw = fs.Arg(0)
	default:
		return usagef("decode takes one token")
	}
	d, err := decodeJWT(strings.TrimSpace(raw), time.Now())
	if err != nil {
		return err
	}
	return writeJSON(sio.stdout, d)
}

// decodeJWT splits a compact JWS and decodes its header and claims
// (unpadded base64url JSON objects). It does not verify anything.
func decodeJWT(raw string, now time.Time) (*decoded, error) {
	raw = strings.TrimPrefix(strings.TrimPrefix(raw, "Bearer "), "bearer ")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: %d dot-separated parts, want 3", len(parts))
	}
	d := &decoded{}
	for i, dst := range []*map[string]any{&d.Header, &d.Claims} {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, fmt.Errorf("not a JWT: part %d is not base64url", i+1)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil || *dst == nil {
			return nil, fmt.Errorf("not a JWT: part %d is not a JSON object", i+1)
		}
	}
	if n, ok := d.Claims["exp"].(json.Number); ok {
		if f, err := n.Float64(); err == nil && f > 0 && f < 1e11 {
			t := time.Unix(int64(f), 0).UTC()
			expired := !now.Before(t)
			d.ExpiresOn, d.Expired = &t, &expired
		}
	}
	return d, nil
}
