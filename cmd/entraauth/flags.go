package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Environment variables the tool reads. The AZURE_* names are the ones
// azidentity and Azure CLI use; SSL_CERT_FILE is OpenSSL's.
const (
	envClientID         = "AZURE_CLIENT_ID"
	envTenantID         = "AZURE_TENANT_ID"
	envAuthorityHost    = "AZURE_AUTHORITY_HOST"
	envScopes           = "ENTRAAUTH_SCOPES"
	envRequireEncrypted = "ENTRAAUTH_REQUIRE_ENCRYPTED_CACHE"
	envFake             = "ENTRAAUTH_FAKE"
	envLog              = "ENTRAAUTH_LOG"
	envCAFile           = "SSL_CERT_FILE"
)

// defaultScope is what Azure CLI asks for by default: Azure Resource Manager.
const defaultScope = "https://management.core.windows.net//.default"

// options are the flags every command shares, after the environment was
// applied: a flag wins over its variable, which wins over the default.
type options struct {
	clientID                 string
	tenant                   string
	authorityHost            string
	scopes                   []string
	fake                     bool
	requireEncrypted         bool
	output                   string
	trace                    bool
	traceFile                string
	caFile                   string
	caFileFromEnv            bool // caFile is SSL_CERT_FILE's, not --ca-file's
	disableInstanceDiscovery bool

	// login only
	flow       string
	fakeManual bool
	// token only
	decode bool
}

// scopeList is a repeatable flag that also splits on spaces and commas.
type scopeList struct{ v *[]string }

func (s scopeList) String() string {
	if s.v == nil {
		return ""
	}
	return strings.Join(*s.v, " ")
}

func (s scopeList) Set(v string) error {
	*s.v = append(*s.v, strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })...)
	return nil
}

// newFlagSet declares the flags every session command has on a FlagSet
// for command name.
func newFlagSet(name string, o *options, stderr io.Writer, outputs []string) *flag.FlagSet {
	fs := newCommandFlags(name, stderr, "")
	fs.StringVar(&o.clientID, "client-id", "", "application (client) ID (env "+envClientID+"; default: Azure CLI's public client)")
	fs.StringVar(&o.tenant, "tenant", "", "tenant ID or domain, or organizations/common/consumers (env "+envTenantID+"; default organizations)")
	fs.StringVar(&o.authorityHost, "authority-host", "", "authority host URL (env "+envAuthorityHost+"; default https://login.microsoftonline.com)")
	fs.Var(scopeList{&o.scopes}, "scope", "scope to request; repeat or separate with spaces (env "+envScopes+"; default "+defaultScope+")")
	boolVar(fs, &o.fake, "fake", false, "use the embedded fake authority, its state kept under the user cache directory (env "+envFake+"=yes)")
	boolVar(fs, &o.requireEncrypted, "require-encrypted-cache", false, "refuse to keep tokens in a plain file when no OS secret store is available (env "+envRequireEncrypted+"=yes)")
	boolVar(fs, &o.trace, "trace", false, "print every HTTP exchange on stderr, secrets replaced by fingerprints")
	fs.StringVar(&o.traceFile, "trace-file", "", "write every HTTP exchange to this file as HAR 1.2 (secrets replaced by fingerprints)")
	fs.StringVar(&o.caFile, "ca-file", "", "also trust the PEM certificates in this file (env "+envCAFile+"), e.g. fake-authority's")
	boolVar(fs, &o.disableInstanceDiscovery, "disable-instance-discovery", false, "trust --authority-host as given, without asking Entra's instance discovery (private clouds, AD FS, fake-authority)")
	if len(outputs) > 0 {
		fs.StringVar(&o.output, "output", outputs[0], "output format: "+strings.Join(outputs, ", "))
	}
	return fs
}

// newCommandFlags returns an empty FlagSet whose help lists the flags with
// two dashes (Go's flag package accepts both forms), after a usage line
// "entraauth NAME [flags] ARGS".
func newCommandFlags(name string, stderr io.Writer, args string) *flag.FlagSet {
	fs := flag.NewFlagSet("entraauth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: entraauth %s [flags]%s\n", name, args)
		if summary := commands[name].summary; summary != "" {
			fmt.Fprintf(stderr, "\n%s.\n", strings.ToUpper(summary[:1])+summary[1:])
		}
		fmt.Fprintln(stderr, "\nFlags:")
		printFlags(stderr, fs)
	}
	return fs
}

// printFlags lists fs's flags as --name TYPE and their usage.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}

// parse parses args and applies the environment. It returns a usage error
// for stray arguments or an unknown output format.
func (o *options) parse(fs *flag.FlagSet, args []string, io *stdio, outputs []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["client-id"] {
		o.clientID = envOr(io, envClientID)
	}
	if !set["tenant"] {
		o.tenant = envOr(io, envTenantID)
	}
	if !set["authority-host"] {
		o.authorityHost = envOr(io, envAuthorityHost)
	}
	if !set["ca-file"] {
		o.caFile = envOr(io, envCAFile)
		o.caFileFromEnv = o.caFile != ""
	}
	if !set["scope"] {
		if v := envOr(io, envScopes); v != "" {
			_ = scopeList{&o.scopes}.Set(v)
		}
	}
	if len(o.scopes) == 0 {
		o.scopes = []string{defaultScope}
	}
	var err error
	if !set["fake"] {
		if o.fake, err = envBool(io, envFake); err != nil {
			return err
		}
	}
	if !set["require-encrypted-cache"] {
		if o.requireEncrypted, err = envBool(io, envRequireEncrypted); err != nil {
			return err
		}
	}
	if o.fakeManual && !o.fake {
		return usagef("--fake-manual needs --fake")
	}
	if len(outputs) > 0 && !slices.Contains(outputs, o.output) {
		return usagef("unknown --output %q (want one of %s)", o.output, strings.Join(outputs, ", "))
	}
	return nil
}

// parseFlags parses args into fs: -h is flag.ErrHelp, anything else wrong
// a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

func envBool(io *stdio, name string) (bool, error) {
	v := envOr(io, name)
	if v == "" {
		return false, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return false, usagef("%s=%q is not a boolean (use 1/0, true/false or yes/no)", name, v)
	}
	return b, nil
}

// parseBool is strconv.ParseBool plus yes/no and on/off, in any case.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "on":
		return true, nil
	case "no", "n", "off":
		return false, nil
	}
	return strconv.ParseBool(strings.ToLower(strings.TrimSpace(v)))
}

// boolFlag is a boolean flag that takes what environment booleans take
// (--fake=yes as well as --fake=true, or just --fake).
type boolFlag struct{ p *bool }

func (b boolFlag) String() string {
	if b.p == nil {
		return "false"
	}
	return strconv.FormatBool(*b.p)
}

func (b boolFlag) Set(v string) error {
	x, err := parseBool(v)
	if err != nil {
		return err
	}
	*b.p = x
	return nil
}

// IsBoolFlag lets the flag stand alone (--fake).
func (boolFlag) IsBoolFlag() bool { return true }

// boolVar declares a boolFlag on fs.
func boolVar(fs *flag.FlagSet, p *bool, name string, value bool, usage string) {
	*p = value
	fs.Var(boolFlag{p}, name, usage)
}
