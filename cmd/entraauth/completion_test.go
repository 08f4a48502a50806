package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCompletionBash loads `entraauth completion bash` into a real bash
// and asks it to complete subcommand names, a command's flags and an
// --output value.
func TestCompletionBash(t *testing.T) {
	requireBinaries(t, map[string]string{"bash": "bash"})
	stdout, stderr, code := runBinary(t, binEnv(t), "", "completion", "bash")
	if code != exitOK {
		t.Fatalf("completion bash: exit %d, %s", code, stderr)
	}
	script := filepath.Join(t.TempDir(), "entraauth.bash")
	if err := os.WriteFile(script, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"entraauth", "lo"}, "login logout"},
		{[]string{"entraauth", "de"}, "decode"},
		{[]string{"entraauth", "st"}, "status"},
		{[]string{"entraauth", "token", "--ou"}, "--output"},
		{[]string{"entraauth", "token", "--output", "e"}, "exec-credential"},
		{[]string{"entraauth", "decode", "--ve"}, "--verify"},
		{[]string{"entraauth", "completion", "f"}, "fish"},
		{[]string{"entraauth", "login", "--disable-"}, "--disable-instance-discovery"},
	} {
		var quoted []string
		for _, w := range tt.words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(tt.words)-1) + "\n_entraauth\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.Command("bash", "--norc", "--noprofile", "-c", prog).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tt.want {
			t.Errorf("completing %q = %q, %v; want %q", tt.words, out, err, tt.want)
		}
	}
	for _, shell := range []string{"zsh", "fish"} {
		if stdout, _, code := runBinary(t, binEnv(t), "", "completion", shell); code != exitOK || !strings.Contains(stdout, "login") {
			t.Errorf("completion %s: exit %d, %q", shell, code, stdout)
		}
	}
	if _, _, code := runBinary(t, binEnv(t), "", "completion", "tcsh"); code != exitUsage {
		t.Errorf("completion tcsh: exit %d, want %d", code, exitUsage)
	}
}
