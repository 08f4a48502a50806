package main

import (
	"flag"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Environment variables the tool reads. The AZURE_* names are the ones
// azidentity and Azure CLI use.
const (
	envClientID         = "AZURE_CLIENT_ID"
	envTenantID         = "AZURE_TENANT_ID"
	envAuthorityHost    = "AZURE_AUTHORITY_HOST"
	envScopes           = "ENTRAAUTH_SCOPES"
	envRequireEncrypted = "ENTRAAUTH_REQUIRE_ENCRYPTED_CACHE"
	envFake             = "ENTRAAUTH_FAKE"
	envLog              = "ENTRAAUTH_LOG"
)

// defaultScope is what Azure CLI asks for by default: Azure Resource Manager.
const defaultScope = "https://management.core.windows.net//.default"

// options are the flags every command shares, after the environment was
// applied: a flag wins over its variable, which wins over the default.
type options struct {
	clientID         string
	tenant           string
	authorityHost    string
	scopes           []string
	fake             bool
	requireEncrypted bool
	output           string
	trace            bool

	// login only
	flow       string
	fakeManual bool
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
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
		*s.v = append(*s.v, f)
	}
	return nil
}

// newFlagSet declares the shared flags on a FlagSet for command name.
func newFlagSet(name string, o *options, stderr io.Writer, outputs []string) *flag.FlagSet {
	fs := flag.NewFlagSet("entraauth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.clientID, "client-id", "", "application (client) ID (env "+envClientID+"; default: Azure CLI's public client)")
	fs.StringVar(&o.tenant, "tenant", "", "tenant ID or domain, or organizations/common/consumers (env "+envTenantID+"; default organizations)")
	fs.StringVar(&o.authorityHost, "authority-host", "", "authority host URL (env "+envAuthorityHost+"; default https://login.microsoftonline.com)")
	fs.Var(scopeList{&o.scopes}, "scope", "scope to request; repeat or separate with spaces (env "+envScopes+"; default "+defaultScope+")")
	fs.BoolVar(&o.fake, "fake", false, "use the embedded fake authority, its state kept under the user cache directory (env "+envFake+"=1)")
	fs.BoolVar(&o.requireEncrypted, "require-encrypted-cache", false, "refuse to keep tokens in a plain file when no OS secret store is available (env "+envRequireEncrypted+"=1)")
	fs.BoolVar(&o.trace, "trace", false, "print every HTTP exchange on stderr, secrets redacted")
	if len(outputs) > 0 {
		fs.StringVar(&o.output, "output", outputs[0], "output format: "+strings.Join(outputs, ", "))
	}
	return fs
}

// parse parses args and applies the environment. It returns a usage error
// for stray arguments or an unknown output format.
func (o *options) parse(fs *flag.FlagSet, args []string, io *stdio, outputs []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return &usageError{err.Error()}
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

func envBool(io *stdio, name string) (bool, error) {
	v := envOr(io, name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, usagef("%s=%q is not a boolean", name, v)
	}
	return b, nil
}
