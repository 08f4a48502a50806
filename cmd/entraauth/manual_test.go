package main

import (
	"bufio"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestLoginFakeManual: with --fake-manual nothing approves the code until
// someone opens the printed URL and types the code and the fake user's
// password on the fake's pages; this test plays that user over HTTP.
func TestLoginFakeManual(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "login", "--fake", "--fake-manual")
	cmd.Env = binEnv(t)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout lockedBuffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	re := regexp.MustCompile(`open (http://127\.0\.0\.1:\d+/devicelogin) and enter the code (\S+) `)
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m
			}
		}
		close(found)
	}()
	var m []string
	select {
	case m = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("no fake verification URL printed in 30s")
	}
	if m == nil {
		t.Fatalf("login exited without printing a fake verification URL; stdout %q", stdout.String())
	}
	page, code := m[1], m[2]
	time.Sleep(2500 * time.Millisecond) // longer than the automatic approval would take
	if strings.Contains(stdout.String(), "Signed in") {
		t.Fatal("signed in before the user typed the code")
	}
	for _, form := range []url.Values{
		{"otc": {code}},
		{"otc": {code}, "step": {"signin"}, "username": {fakeauthority.DefaultUsername}, "password": {fakeauthority.DefaultPassword}, "consent": {"yes"}},
	} {
		resp, err := http.PostForm(page, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", page, resp.Status)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("login --fake --fake-manual: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("login did not finish after the code was approved")
	}
	if !strings.HasPrefix(stdout.String(), "Signed in as "+fakeauthority.DefaultUsername) {
		t.Errorf("stdout = %q", stdout.String())
	}
}
