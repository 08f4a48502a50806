package main

import (
	"os"

	"golang.org/x/term"
)

// osStdio is the process's own standard streams and environment.
func osStdio() *stdio {
	fd := int(os.Stderr.Fd())
	return &stdio{
		stdin:        os.Stdin,
		stdout:       os.Stdout,
		stderr:       os.Stderr,
		getenv:       os.Getenv,
		userCacheDir: os.UserCacheDir,
		// TERM=dumb (Emacs shells, some CI logs) gets plain lines.
		stderrTTY: term.IsTerminal(fd) && os.Getenv("TERM") != "dumb" && enableVT(os.Stderr.Fd()),
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		termWidth: func() int {
			w, _, err := term.GetSize(fd)
			if err != nil {
				return 0
			}
			return w
		},
	}
}
