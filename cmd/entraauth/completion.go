package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

func init() {
	commands["completion"] = command{"print a shell completion script: completion bash|zsh|fish", cmdCompletion}
}

// cmdCompletion prints a completion script for bash, zsh or fish, made
// from the commands and the flags their --help lists.
func cmdCompletion(ctx context.Context, sio *stdio, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(sio.stderr, "usage: entraauth completion bash|zsh|fish\n\n  bash: source <(entraauth completion bash)\n  zsh:  source <(entraauth completion zsh)\n  fish: entraauth completion fish | source")
		return nil
	}
	if len(args) != 1 {
		return usagef("completion takes one shell: bash, zsh or fish")
	}
	specs := completionSpecs(ctx, sio)
	switch args[0] {
	case "bash":
		_, err := io.WriteString(sio.stdout, bashCompletion(specs))
		return err
	case "zsh":
		_, err := io.WriteString(sio.stdout, "#compdef entraauth\nautoload -U +X bashcompinit && bashcompinit\n"+bashCompletion(specs))
		return err
	case "fish":
		_, err := io.WriteString(sio.stdout, fishCompletion(specs))
		return err
	}
	return usagef("unknown shell %q (want bash, zsh or fish)", args[0])
}

// cmdSpec is what completion knows of one command.
type cmdSpec struct {
	name, summary string
	flags         []string            // without dashes
	values        map[string][]string // flag -> its values (--output, --flow)
}

var (
	flagLine   = regexp.MustCompile(`^  --?([a-z][a-z0-9-]*)`)
	outputLine = regexp.MustCompile(`output format: ([a-z, -]+)`)
	shellWord  = regexp.MustCompile(`^[a-z0-9|-]+$`)
)

// completionSpecs asks every command for its --help and reads the flags
// from it, so completion cannot drift from the flags.
func completionSpecs(ctx context.Context, sio *stdio) []cmdSpec {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var specs []cmdSpec
	for _, n := range names {
		sp := cmdSpec{name: n, summary: commands[n].summary, values: map[string][]string{}}
		if n != "completion" {
			var help bytes.Buffer
			hio := *sio
			hio.stdout, hio.stderr = io.Discard, &help
			_ = commands[n].run(ctx, &hio, []string{"--help"})
			last := ""
			for _, l := range strings.Split(help.String(), "\n") {
				if m := flagLine.FindStringSubmatch(l); m != nil {
					last = m[1]
					sp.flags = append(sp.flags, last)
				} else if m := outputLine.FindStringSubmatch(l); m != nil && last == "output" {
					sp.values["output"] = strings.Split(strings.ReplaceAll(strings.TrimSpace(m[1]), " ", ""), ",")
				}
			}
		} else {
			sp.values[""] = []string{"bash", "zsh", "fish"}
		}
		if n == "login" {
			sp.values["flow"] = strings.Split(strings.ReplaceAll(flowNames(), " ", ""), ",")
		}
		specs = append(specs, sp)
	}
	return specs
}

// words joins values for a shell word list, dropping anything that is not
// a plain word (nothing here comes from outside, but a script is code).
func words(vs []string) string {
	var out []string
	for _, v := range vs {
		if shellWord.MatchString(v) {
			out = append(out, v)
		}
	}
	return strings.Join(out, " ")
}

func bashCompletion(specs []cmdSpec) string {
	var b strings.Builder
	var names []string
	for _, s := range specs {
		names = append(names, s.name)
	}
	b.WriteString("# bash completion for entraauth: source <(entraauth completion bash)\n_entraauth() {\n")
	b.WriteString("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" opts=\"\"\n")
	fmt.Fprintf(&b, "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=( $(compgen -W \"%s --help --version\" -- \"$cur\") )\n    return 0\n  fi\n", words(names))
	b.WriteString("  case \"${COMP_WORDS[1]}\" in\n")
	for _, s := range specs {
		var flags []string
		for _, f := range s.flags {
			flags = append(flags, "--"+f)
		}
		fmt.Fprintf(&b, "    %s)\n", s.name)
		for _, f := range sortedKeys(s.values) {
			vs := s.values[f]
			if f == "" {
				fmt.Fprintf(&b, "      COMPREPLY=( $(compgen -W \"%s\" -- \"$cur\") ); return 0 ;;\n", words(vs))
				continue
			}
			fmt.Fprintf(&b, "      if [ \"$prev\" = \"--%s\" ]; then COMPREPLY=( $(compgen -W \"%s\" -- \"$cur\") ); return 0; fi\n", f, words(vs))
		}
		if _, only := s.values[""]; !only {
			fmt.Fprintf(&b, "      opts=\"%s\" ;;\n", strings.Join(flags, " "))
		}
	}
	b.WriteString("  esac\n  COMPREPLY=( $(compgen -W \"$opts\" -- \"$cur\") )\n}\ncomplete -F _entraauth entraauth\n")
	return b.String()
}

func fishCompletion(specs []cmdSpec) string {
	var b strings.Builder
	b.WriteString("# fish completion for entraauth: entraauth completion fish | source\ncomplete -c entraauth -f\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "complete -c entraauth -n __fish_use_subcommand -a %s -d %q\n", s.name, s.summary)
		for _, f := range s.flags {
			vals := ""
			if vs, ok := s.values[f]; ok {
				vals = fmt.Sprintf(" -x -a %q", words(vs))
			}
			fmt.Fprintf(&b, "complete -c entraauth -n '__fish_seen_subcommand_from %s' -l %s%s\n", s.name, f, vals)
		}
		if vs, ok := s.values[""]; ok {
			fmt.Fprintf(&b, "complete -c entraauth -n '__fish_seen_subcommand_from %s' -a %q\n", s.name, words(vs))
		}
	}
	return b.String()
}
