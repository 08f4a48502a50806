// Command stdlib is the floor for the size comparison: the device code
// flow's two requests (RFC 8628 sections 3.1 and 3.4) with only the
// standard library, polling at the server's interval, no cache and no
// token validation.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

const (
	base   = "https://login.microsoftonline.com/organizations/oauth2/v2.0/"
	client = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	scope  = "https://graph.microsoft.com/.default offline_access"
)

func post(endpoint string, form url.Values, v any) (int, error) {
	resp, err := http.PostForm(base+endpoint, form)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

func main() {
	var dc struct {
		DeviceCode string `json:"device_code"`
		Message    string `json:"message"`
		Interval   int    `json:"interval"`
	}
	if _, err := post("devicecode", url.Values{"client_id": {client}, "scope": {scope}}, &dc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(dc.Message)
	for {
		time.Sleep(time.Duration(max(dc.Interval, 5)) * time.Second)
		var tok struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
			Error       string `json:"error"`
		}
		status, err := post("token", url.Values{"client_id": {client}, "device_code": {dc.DeviceCode},
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}}, &tok)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if status == http.StatusOK {
			fmt.Println(time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second))
			return
		}
		if tok.Error != "authorization_pending" {
			fmt.Fprintln(os.Stderr, tok.Error)
			os.Exit(1)
		}
	}
}
