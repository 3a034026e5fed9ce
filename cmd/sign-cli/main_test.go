package main

import (
	"bytes"
	"strings"
	"testing"
)

// result is what one in-process run of sign-cli produced.
type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs sign-cli in-process with the given environment (nothing is
// inherited from the test process) and standard input.
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{
		In:     strings.NewReader(stdin),
		Out:    &out,
		Err:    &errOut,
		Getenv: func(k string) string { return env[k] },
	}
	code := Main(t.Context(), args, app)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// wantOneLineError checks the error contract: the given exit code, and one
// line on standard error that mentions each of the given fragments.
func (r result) wantError(t testing.TB, code int, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "sign-cli: ") {
		t.Fatalf("last stderr line %q is not a sign-cli error", last)
	}
	for _, f := range fragments {
		if !strings.Contains(last, f) {
			t.Errorf("error %q does not mention %q", last, f)
		}
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Fatalf("stack trace on stderr: %s", r.stderr)
	}
}

func TestVersion(t *testing.T) {
	r := runCLI(t, nil, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "sign-cli ") {
		t.Fatalf("version: %+v", r)
	}
	if r2 := runCLI(t, nil, "", "--version"); r2.stdout != r.stdout {
		t.Fatalf("--version %q differs from version %q", r2.stdout, r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args      []string
		fragments []string
	}{
		{[]string{"nonsense"}, []string{"unknown command"}},
		{[]string{"keygen", "--bogus"}, []string{"unknown flag: --bogus"}},
		{[]string{"version", "extra"}, []string{"no arguments"}},
		{[]string{"digest"}, []string{"one image reference"}},
		{[]string{"digest", "a", "b"}, []string{"one image reference", "got 2"}},
		{[]string{"digest", "foo@@"}, []string{"invalid target", "foo@@"}},
		{[]string{"digest", "sha256:" + strings.Repeat("a", 64)}, []string{"bare digest"}},
		{[]string{"digest", "-o", "yaml", "x/y:z"}, []string{"--output", "text or json"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			runCLI(t, nil, "", tc.args...).wantError(t, exitUsage, tc.fragments...)
		})
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, nil, "", "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "sign-cli") {
			t.Fatalf("completion %s: exit %d, %d bytes", shell, r.code, len(r.stdout))
		}
	}
	// Commands and flags are completed.
	r := runCLI(t, nil, "", "__complete", "ch")
	if !strings.Contains(r.stdout, "check") {
		t.Fatalf("completing 'ch': %q", r.stdout)
	}
	r = runCLI(t, nil, "", "__complete", "check", "--sou")
	if !strings.Contains(r.stdout, "--source") {
		t.Fatalf("completing 'check --sou': %q", r.stdout)
	}
}
