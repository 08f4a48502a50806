package main

import (
	"context"
	"errors"
	"flag"
)

// commandSpec is what a command that signs in or reads the cache declares
// for withSession.
type commandSpec struct {
	name    string
	outputs []string // --output values, the default first; nil: no --output
	// flags, when set, declares the command's own flags on fs, next to the
	// shared ones newFlagSet declares into o.
	flags func(fs *flag.FlagSet, o *options)
	// silent opens the session with the last login's account (every
	// command but login).
	silent bool
	// sync reads the persisted token cache before body runs (commands that
	// list or change it rather than ask the engine for a token).
	sync bool
}

// withSession is the part every such command shares: parse the flags and
// the environment (-h prints the flags and is no error), open the session,
// read the cache when spec.sync, run body, close the session.
func withSession(ctx context.Context, io *stdio, args []string, spec commandSpec, body func(s *session, o *options) error) error {
	var o options
	fs := newFlagSet(spec.name, &o, io.stderr, spec.outputs)
	if spec.flags != nil {
		spec.flags(fs, &o)
	}
	if err := o.parse(fs, args, io, spec.outputs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	s, err := newSession(ctx, io, &o, spec.silent)
	if err != nil {
		return err
	}
	defer s.close()
	if spec.sync {
		if err := s.client.Cache.Sync(ctx); err != nil {
			return err
		}
	}
	return body(s, &o)
}
