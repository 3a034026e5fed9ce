package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckHostileEndpoint: a GraphQL endpoint whose answers are built to
// exhaust the client (megabytes of "[", a body without end) makes check fail
// with one line and exit 3, not a stack overflow.
func TestCheckHostileEndpoint(t *testing.T) {
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
	pub := strings.Repeat("5d", 32)
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				tt.write(w)
			}))
			defer srv.Close()
			r := runCLI(t, nil, "", "check", "--source", "chain", "-n", srv.URL+"/graphql", pub, digest)
			r.wantError(t, exitFailure, "response exceeds the client's limits", srv.URL)
			if n := strings.Count(r.stderr, "\n"); n != 1 {
				t.Fatalf("%d lines on stderr, want 1: %q", n, r.stderr)
			}
		})
	}
}
