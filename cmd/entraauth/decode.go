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
	commands["decode"] = command{"show a JWT's header, claims and expiry; --verify checks its signature", cmdDecode}
}

// decoded is decode's output.
type decoded struct {
	Header    map[string]any `json:"header"`
	Claims    map[string]any `json:"claims"`
	ExpiresOn *time.Time     `json:"expiresOn,omitempty"`
	Expired   *bool          `json:"expired,omitempty"`
	// Explained are one-line meanings of the Entra claims present.
	Explained map[string]string `json:"explained,omitempty"`
	// Verified is true only after --verify checked the signature.
	Verified bool `json:"verified"`
	// VerifiedWith names the key and key set that verified it.
	VerifiedWith string `json:"verifiedWith,omitempty"`
	// Issuer is the issuer verified against; IssuerTrust says whose it
	// is: "microsoft" (a known Microsoft cloud), "named" (the host given
	// with --authority-host) or "unknown" (only the token vouches for it).
	Issuer      string `json:"issuer,omitempty"`
	IssuerTrust string `json:"issuerTrust,omitempty"`

	raw string
}

func cmdDecode(ctx context.Context, sio *stdio, args []string) error {
	fs := newCommandFlags("decode", sio.stderr, " [TOKEN]\n\nWith no TOKEN, reads one from standard input (`entraauth token --output raw | entraauth decode`).")
	output := fs.String("output", "text", "output format: text, json")
	var verify bool
	boolVar(fs, &verify, "verify", false, "check the signature against the issuer's key set (fetched from the issuer's OpenID metadata)")
	caFile := fs.String("ca-file", "", "also trust the PEM certificates in this file for --verify (env "+envCAFile+")")
	named := fs.String("authority-host", "", "with --verify, the authority you trust besides Microsoft's clouds (env "+envAuthorityHost+")")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *output != "text" && *output != "json" {
		return usagef("unknown --output %q (want one of text, json)", *output)
	}
	var raw string
	switch fs.NArg() {
	case 0:
		if sio.stdinTTY {
			return usagef("decode needs a token: `entraauth decode TOKEN`, or pipe one in (`entraauth token --output raw | entraauth decode`)")
		}
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
	if strings.TrimSpace(raw) == "" {
		return usagef("no token given (standard input was empty)")
	}
	d, err := decodeJWT(strings.TrimSpace(raw), time.Now())
	if err != nil {
		return err
	}
	if verify {
		if *caFile == "" {
			*caFile = envOr(sio, envCAFile)
		}
		if *named == "" {
			*named = envOr(sio, envAuthorityHost)
		}
		if err := verifyJWT(ctx, d, *caFile, *named); err != nil {
			return err
		}
		if d.IssuerTrust == issuerUnknown {
			// Visible whatever the output format.
			fmt.Fprintln(sio.stderr, "entraauth decode: WARNING: "+strings.TrimSpace(strings.TrimPrefix(issuerLine(d), "WARNING:")))
		}
	}
	return printDecoded(sio.stdout, d, *output)
}

// decodeJWT splits a compact JWS and decodes its header and claims
// (unpadded base64url JSON objects). It does not verify anything.
func decodeJWT(raw string, now time.Time) (*decoded, error) {
	raw = strings.TrimPrefix(strings.TrimPrefix(raw, "Bearer "), "bearer ")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: %d dot-separated parts, want 3", len(parts))
	}
	d := &decoded{raw: raw}
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
	if t, ok := claimTime(d.Claims["exp"]); ok {
		expired := !now.Before(t)
		d.ExpiresOn, d.Expired = &t, &expired
	}
	d.Explained = explainClaims(d.Claims)
	return d, nil
}

// claimTime reads a NumericDate claim (seconds since the epoch).
func claimTime(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || f <= 0 || f >= 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}
