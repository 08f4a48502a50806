// Command fakebroker is the fake Microsoft identity broker as a program,
// for a private bus to start by D-Bus activation: it connects to the bus
// that started it (DBUS_STARTER_ADDRESS, else DBUS_SESSION_BUS_ADDRESS),
// takes the broker's name and serves until the bus goes away. It signs
// users in against a fake authority listening on TLS.
//
//	fakebroker -authority https://127.0.0.1:PORT -ca /path/to/cert.pem
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/godbus/dbus/v5"
)

func main() {
	authority := flag.String("authority", "", "the fake authority's base URL (https://127.0.0.1:PORT)")
	caFile := flag.String("ca", "", "PEM file of the fake authority's certificate")
	user := flag.String("user", "", "who signs in in the broker's window (default: the fake's default user)")
	flag.Parse()
	if err := run(*authority, *caFile, *user); err != nil {
		fmt.Fprintln(os.Stderr, "fakebroker:", err)
		os.Exit(1)
	}
}

func run(authority, caFile, user string) error {
	if authority == "" || caFile == "" {
		return fmt.Errorf("-authority and -ca are required")
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no certificate", caFile)
	}
	addr := os.Getenv("DBUS_STARTER_ADDRESS")
	if addr == "" {
		addr = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Proxy: nil}}
	b := fakebroker.New(&fakebroker.Options{AuthorityURL: authority, HTTPClient: hc, Username: user})
	defer b.Close()
	if err := b.Serve(conn); err != nil {
		return err
	}
	<-conn.Context().Done() // the bus closed the connection
	return nil
}
