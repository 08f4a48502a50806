package main

import (
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// certSignedBy logs in to the sshd on port with golang.org/x/crypto/ssh,
// presenting the certificate in certFile while the session is signed by
// each private key in keys (file -> label). Only the login signed by
// want, the certificate's own key, may succeed. Each login must get as
// far as a signature: sshd accepted the certificate's key query, so the
// refusal is sshd's check of the signature against the certificate's key
// (RFC 4252 section 7), not a client that never signed.
func certSignedBy(t *testing.T, port int, certFile string, keys map[string]string, want string) {
	t.Helper()
	b, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatal(err)
	}
	cert, ok := pub.(*ssh.Certificate)
	if !ok {
		t.Fatalf("%s is not a certificate", certFile)
	}
	for file, label := range keys {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ssh.ParsePrivateKey(b)
		if err != nil {
			t.Fatal(err)
		}
		as, ok := k.(ssh.AlgorithmSigner)
		if !ok {
			t.Fatalf("%s: %T cannot sign with rsa-sha2-*", label, k)
		}
		s := &mismatchedCertSigner{cert: cert, key: as}
		out, err := goSSHLogin(t, port, s)
		if got := err == nil && strings.TrimSpace(out) == "ok"; got != (file == want) {
			t.Errorf("Go client, certificate signed by %s: login %v, want %v (%v, %q)", label, got, file == want, err, out)
		}
		if s.signatures == 0 {
			t.Errorf("Go client, certificate signed by %s: no signature was sent (sshd refused the key query: %v)", label, err)
		}
	}
}

// mismatchedCertSigner presents cert and signs with key, whichever key
// the certificate names; ssh.NewCertSigner refuses such a pair.
type mismatchedCertSigner struct {
	cert       *ssh.Certificate
	key        ssh.AlgorithmSigner
	signatures int
}

func (s *mismatchedCertSigner) PublicKey() ssh.PublicKey { return s.cert }

func (s *mismatchedCertSigner) Sign(r io.Reader, data []byte) (*ssh.Signature, error) {
	s.signatures++
	return s.key.Sign(r, data)
}

func (s *mismatchedCertSigner) SignWithAlgorithm(r io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	s.signatures++
	return s.key.SignWithAlgorithm(r, data, algorithm)
}

// goSSHLogin logs in as the current user with signer alone and returns
// what the (forced) command printed; the connection has a deadline.
func goSSHLogin(t *testing.T, port int, signer ssh.Signer) (string, error) {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		User: u.Username, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), // sshd's host key is made by the test
	})
	if err != nil {
		return "", err
	}
	c := ssh.NewClient(cc, chans, reqs)
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	out, err := sess.Output("true")
	return string(out), err
}
