package engine

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

func TestWithOIDCScopes(t *testing.T) {
	got := withOIDCScopes([]string{"User.Read", "OpenID"})
	want := []string{"User.Read", "OpenID", "profile", "offline_access"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("withOIDCScopes = %v, want %v", got, want)
	}
}

func TestMergeClaims(t *testing.T) {
	const acrs = `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`
	tests := []struct {
		name, challenge string
		cae             bool
		want            string // JSON, compared structurally; "" = no claims
		err             bool
	}{
		{"nothing", "", false, "", false},
		{"cae only", "", true, `{"access_token":{"xms_cc":{"values":["cp1"]}}}`, false},
		{"challenge only", acrs, false, acrs, false},
		{"merged", acrs, true, `{"access_token":{"acrs":{"essential":true,"value":"c1"},"xms_cc":{"values":["cp1"]}}}`, false},
		{"base64 challenge", "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNjA0MTA2NjUxIn19fQ==", false,
			`{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}`, false},
		{"not json", "{nope", false, "", true},
		{"json array", "[1]", false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mergeClaims(tt.challenge, tt.cae)
			if tt.err {
				if !errors.Is(err, oauth.ErrInvalidClaims) {
					t.Fatalf("err = %v, want ErrInvalidClaims", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if got != "" {
					t.Errorf("got %q, want none", got)
				}
				return
			}
			var g, w any
			if json.Unmarshal([]byte(got), &g) != nil || json.Unmarshal([]byte(tt.want), &w) != nil || !reflect.DeepEqual(g, w) {
				t.Errorf("mergeClaims = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseInstanceDiscovery(t *testing.T) {
	ok := `{"tenant_discovery_endpoint":"https://h/x/v2.0/.well-known/openid-configuration","api-version":"1.1","metadata":[
		{"preferred_network":"a.example","preferred_cache":"a.example","aliases":["a.example","B.example"]}]}`
	tests := []struct {
		name, host string
		status     int
		body       string
		want       []string
		code       string
	}{
		{"listed host", "b.example", 200, ok, []string{"b.example", "a.example"}, ""},
		{"host not listed is alone", "c.example", 200, ok, []string{"c.example"}, ""},
		{"invalid_instance", "c.example", 400, `{"error":"invalid_instance","error_description":"AADSTS50049: Unknown or invalid instance.","error_codes":[50049]}`, nil, "invalid_instance"},
		{"no tenant_discovery_endpoint", "a.example", 200, `{"metadata":[]}`, nil, "invalid_response"},
		{"html", "a.example", 200, `<html>`, nil, "invalid_response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInstanceDiscovery(tt.status, []byte(tt.body), tt.host)
			if tt.code != "" {
				var e *oauth.Error
				if !errors.As(err, &e) || e.Code != tt.code || e.Endpoint != "discovery" {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseUserRealm(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string // AccountType; "" = error
	}{
		{"managed", 200, `{"ver":"1.0","account_type":"Managed","domain_name":"contoso.com","cloud_instance_name":"microsoftonline.com","cloud_audience_urn":"urn:federation:MicrosoftOnline"}`, "Managed"},
		{"federated", 200, `{"account_type":"Federated","domain_name":"contoso.com","federation_protocol":"WSTrust","federation_metadata_url":"https://sts/mex"}`, "Federated"},
		{"unknown", 200, `{"account_type":"Unknown"}`, "Unknown"},
		{"federated without url", 200, `{"account_type":"Federated"}`, ""},
		{"no type", 200, `{"domain_name":"x"}`, ""},
		{"error", 400, `{"error":"invalid_request"}`, ""},
		{"not json", 200, `<html>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ur, err := ParseUserRealm(tt.status, []byte(tt.body))
			if tt.want == "" {
				var e *oauth.Error
				if !errors.As(err, &e) || e.Endpoint != "userrealm" {
					t.Fatalf("got %+v, %v; want an *Error from userrealm", ur, err)
				}
				return
			}
			if err != nil || ur.AccountType != tt.want {
				t.Errorf("got %+v, %v; want %s", ur, err, tt.want)
			}
		})
	}
}

func TestParseJWKS(t *testing.T) {
	const rsaKey = `{"kty":"RSA","use":"sig","kid":"k1","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}`
	tests := []struct {
		name string
		body string
		n    int // usable keys; -1 = error
	}{
		{"one key", `{"keys":[` + rsaKey + `]}`, 1},
		{"junk keys skipped", `{"keys":[{"kty":"AKP","kid":"x"},{"kty":"nope"},42,` + rsaKey + `]}`, 1},
		{"enc key skipped", `{"keys":[` + strings.Replace(rsaKey, `"use":"sig"`, `"use":"enc"`, 1) + `]}`, 0},
		{"alg mismatch skipped", `{"keys":[` + strings.Replace(rsaKey, `"use":"sig"`, `"alg":"RS512"`, 1) + `]}`, 0},
		{"other members around", `{"x":[1,{"keys":2}],"keys":[` + rsaKey + `],"y":"]"}`, 1},
		{"keys not array", `{"keys":"x"}`, -1},
		{"keys twice", `{"keys":[],"keys":[` + rsaKey + `]}`, -1},
		{"unbalanced", `{"keys":[` + rsaKey + `}`, -1},
		{"empty", `{"keys":[]}`, -1},
		{"not json", `<html>`, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := parseJWKS([]byte(tt.body))
			if tt.n < 0 {
				if !errors.Is(err, oauth.ErrInvalidResponse) {
					t.Fatalf("got %d keys, %v; want ErrInvalidResponse", len(keys), err)
				}
				return
			}
			usable := 0
			for _, k := range keys {
				if k.get() != nil {
					usable++
				}
			}
			if err != nil || usable != tt.n {
				t.Errorf("got %d usable keys, %v; want %d", usable, err, tt.n)
			}
		})
	}
}
