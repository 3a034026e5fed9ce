package main

import (
	"strings"
	"testing"
)

// TestSaidOnce: an error or a warning is printed once, not once per layer
// that saw it.
func TestSaidOnce(t *testing.T) {
	pub := strings.Repeat("ab", 32)
	d1, d2 := "sha256:"+strings.Repeat("cd", 32), "sha256:"+strings.Repeat("ef", 32)
	down := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql"}

	r := runCLI(t, down, "", "check", pub, d1)
	if r.code != exitFailure || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("check of one target, network down: want exit 3, the error once on stderr; got %+v", r)
	}

	r = runCLI(t, down, "", "check", pub, d1, d2)
	if r.code != exitFailure || strings.Count(r.stdout, "ERROR") != 2 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("check of two targets, network down: %+v", r)
	}
	if !strings.Contains(r.stderr, "2 of 2 targets could not be checked") || strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Errorf("the summary repeats an ERROR line or misses the count: %q", r.stderr)
	}

	env := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql", "WALLET": "0:" + strings.Repeat("1", 64)}
	r = runCLI(t, env, "", "sign", "--timeout", "2s", "-s", strings.Repeat("12", 32), d1)
	if n := strings.Count(r.stderr, "warning: a secret on the command line"); n != 1 {
		t.Errorf("the command-line secret warning printed %d times: %q", n, r.stderr)
	}
}
