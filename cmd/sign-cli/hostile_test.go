package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/keys"
)

// TestHostileEndpoint: a GraphQL endpoint whose answers are built to exhaust
// the client (megabytes of "[", a body without end) makes check and sign fail
// with one line and exit 3, not a stack overflow.
func TestHostileEndpoint(t *testing.T) {
	tests := []struct {
		name  string
		write func(w io.Writer) error
	}{
		{"deep nesting", func(w io.Writer) error {
			_, err := w.Write(bytes.Repeat([]byte("["), 8<<20))
			return err
		}},
		{"endless body", func(w io.Writer) error {
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
		}},
	}
	key, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	commands := [][]string{
		{"check", "--source", "chain", key.Public().String(), digest},
		{"sign", "--no-registry", digest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				tt.write(w)
			}))
			defer srv.Close()
			env := map[string]string{
				"SIGN_CLI_NETWORK": srv.URL + "/graphql",
				"WALLET":           "0:" + strings.Repeat("1", 64),
				"WALLET_SECRET":    key.SecretHex(),
			}
			for _, args := range commands {
				r := runCLI(t, env, "", args...)
				r.wantError(t, exitFailure, "response exceeds the client's limits", srv.URL)
				if n := strings.Count(r.stderr, "\n"); n != 1 {
					t.Fatalf("%s: %d lines on stderr, want 1: %q", args[0], n, r.stderr)
				}
			}
		})
	}
}
