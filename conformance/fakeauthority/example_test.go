package fakeauthority_test

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// Sign in with the password grant against an in-memory authority.
func Example() {
	fa := fakeauthority.New(nil)
	resp, err := fa.Client().PostForm(fa.AuthorityURL("organizations")+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"},
		"client_id":  {fakeauthority.AzureCLIClientID},
		"username":   {fakeauthority.DefaultUsername},
		"password":   {fakeauthority.DefaultPassword},
		"scope":      {"https://management.azure.com/.default openid profile offline_access"},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var tok struct {
		TokenType string `json:"token_type"`
		Scope     string `json:"scope"`
		ExpiresIn int    `json:"expires_in"`
		Foci      string `json:"foci"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, tok.TokenType, tok.Foci)
	fmt.Println("granted:", tok.Scope)
	fmt.Println("60-90 minutes:", tok.ExpiresIn >= 3600 && tok.ExpiresIn <= 5400)
	fmt.Println("token requests:", fa.Count(fakeauthority.EndpointToken))
	// Output:
	// 200 Bearer 1
	// granted: https://management.azure.com/user_impersonation https://management.azure.com/.default
	// 60-90 minutes: true
	// token requests: 1
}

// Script an Entra error for the next token request.
func ExampleAuthority_InjectFault() {
	fa := fakeauthority.New(nil)
	fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.AADSTSError(50076))
	resp, err := fa.Client().PostForm(fa.AuthorityURL(fakeauthority.DefaultTenantID)+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {fakeauthority.AzureCLIClientID},
		"refresh_token": {"anything"}, "scope": {"User.Read"},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error    string `json:"error"`
		Codes    []int  `json:"error_codes"`
		SubError string `json:"suberror"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	fmt.Println(resp.StatusCode, e.Error, e.Codes, e.SubError)
	// Output: 400 invalid_grant [50076] basic_action
}

// Approve a device code from the test, as if the user had typed it.
func ExampleAuthority_ApproveDevice() {
	fa := fakeauthority.New(nil)
	tokenURL := fa.AuthorityURL("organizations") + "/oauth2/v2.0/token"
	resp, err := fa.Client().PostForm(fa.AuthorityURL("organizations")+"/oauth2/v2.0/devicecode", url.Values{
		"client_id": {fakeauthority.AzureCLIClientID}, "scope": {"User.Read offline_access"},
	})
	if err != nil {
		panic(err)
	}
	var dc struct {
		DeviceCode string `json:"device_code"`
		Interval   int    `json:"interval"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&dc)
	resp.Body.Close()

	poll := func() string {
		resp, err := fa.Client().PostForm(tokenURL, url.Values{
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"client_id":  {fakeauthority.AzureCLIClientID}, "device_code": {dc.DeviceCode},
		})
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var r struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&r)
		return fmt.Sprint(resp.StatusCode, " ", r.Error)
	}
	fmt.Println("interval", dc.Interval)
	fmt.Println(poll())
	if err := fa.ApproveDevice("", fakeauthority.DefaultUsername); err != nil {
		panic(err)
	}
	fmt.Println(poll())
	// Output:
	// interval 5
	// 400 authorization_pending
	// 200
}

// Serve the authority on a loopback TLS socket, as a program would.
func ExampleListen() {
	fa, err := fakeauthority.Listen("127.0.0.1:0", nil)
	if err != nil {
		panic(err)
	}
	defer fa.Close()
	resp, err := fa.Client().Get(fa.AuthorityURL("common") + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var doc struct{ Issuer string }
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	fmt.Println(resp.StatusCode, doc.Issuer == fa.URL()+"/{tenantid}/v2.0")
	// Output: 200 true
}

// An app registration's configured permissions are what a .default
// request is granted, as the "scope" of the token response.
func ExampleApp_permissions() {
	fa := fakeauthority.New(nil)
	const client = "6f7e8d9c-0b1a-4c2d-8e3f-4a5b6c7d8e9f"
	fa.Directory().AddApp(fakeauthority.App{ClientID: client, PublicClient: true,
		Permissions: []string{"https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/Mail.Read"}})
	resp, err := fa.Client().PostForm(fa.AuthorityURL(fakeauthority.DefaultTenantID)+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"}, "client_id": {client},
		"username": {fakeauthority.DefaultUsername}, "password": {fakeauthority.DefaultPassword},
		"scope": {"https://graph.microsoft.com/.default openid offline_access"},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var tok struct {
		Scope string `json:"scope"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	fmt.Println(tok.Scope)
	// Output: https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/.default
}
