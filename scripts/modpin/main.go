// Command modpin keeps the nested modules meant for consumers requiring a
// real version of the main module, and serves both to an offline consumer.
//
// A nested module that requires the main module at the zero version with
// `replace ../` builds in this repository only: a consumer ignores the
// replace, and `go get` cannot resolve the zero version. modpin makes the
// requirement a pseudo-version of a commit (https://go.dev/ref/mod#pseudo-versions)
// and checks what can be checked offline.
//
//	modpin set [rev]    require the main module at rev's pseudo-version (default HEAD)
//	modpin check        the requirement is the pseudo-version of an ancestor of
//	                    HEAD that holds every package of the main module the
//	                    nested module imports
//	modpin proxy DIR    write a file:// module proxy (https://go.dev/ref/mod#goproxy-protocol)
//	                    with the main module at each required commit and at
//	                    HEAD (git archive), and each consumer module from the
//	                    working tree; prints "module version" per line
//
// Run from the repository root (make runs it as `go run ./scripts/modpin`).
package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// consumerModules are the nested modules a consumer may depend on. bench/
// and interop/* are not: they compare against or interoperate with other
// libraries in this repository's tests and keep the zero version with
// `replace`.
var consumerModules = []string{"azadapter"}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "modpin:", err)
		cancel()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: modpin set [rev] | check | proxy DIR")
	}
	repo, err := git(ctx, ".", "rev-parse", "--show-toplevel")
	if err != nil {
		return err
	}
	mainPath, err := modulePath(ctx, repo)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "set" && len(args) <= 2:
		rev := "HEAD"
		if len(args) == 2 {
			rev = args[1]
		}
		return set(ctx, repo, mainPath, rev)
	case args[0] == "check" && len(args) == 1:
		return check(ctx, repo, mainPath)
	case args[0] == "proxy" && len(args) == 2:
		return proxy(ctx, repo, mainPath, args[1], os.Stdout)
	}
	return fmt.Errorf("usage: modpin set [rev] | check | proxy DIR")
}
