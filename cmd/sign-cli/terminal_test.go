package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerTextIsMadeSafe: an endpoint that puts escape sequences in its
// error text, and a targets file holding raw control bytes, must not reach
// the terminal as escape sequences.
func TestServerTextIsMadeSafe(t *testing.T) {
	const hostile = "\x1b]0;owned\x07\x1b[2J\x9b31m\xffgone"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errors":[{"message":"` + strings.ReplaceAll(url.PathEscape(hostile), "%", "\\u00") + `"}]}`))
	}))
	defer srv.Close()
	pub := strings.Repeat("ab", 32)
	digest := "sha256:" + strings.Repeat("cd", 32)
	targets := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(targets, []byte("\x1b[2Jreg.example/app:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"server error": {"check", "-n", srv.URL, pub, digest},
		"targets file": {"check", "-n", srv.URL, "--from-file", targets, pub},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, nil, "", args...)
			if r.code != exitFailure && r.code != exitUsage {
				t.Fatalf("exit code %d, want 2 or 3 (stderr %q)", r.code, r.stderr)
			}
			for _, out := range []string{r.stdout, r.stderr} {
				for _, c := range out {
					if c != '\n' && (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\uFFFD') {
						t.Fatalf("control character %U reached the terminal: %q", c, out)
					}
				}
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, ünïcödé", "plain text, ünïcödé"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"bell\x07", `bell\a`},
		{"c1\u009b", `c1\u009b`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"line\u2028sep", `line\u2028sep`},
		{"del\x7f", `del\x7f`},
	}
	for _, tc := range tests {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTraceRedactsQueries: presigned URLs carry their signature in the
// query string; the request trace prints the URL without it.
func TestTraceRedactsQueries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var lines []string
	tr := newRequestTrace()
	tr.each = func(method, u string, status int) { lines = append(lines, method+" "+u) }
	client := &http.Client{Transport: tr.transport(http.DefaultTransport.(*http.Transport))}
	resp, err := client.Get(srv.URL + "/blob?X-Amz-Signature=deadbeefsecret&X-Amz-Credential=AKIA#frag")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(lines) != 1 {
		t.Fatalf("trace lines %q, want one", lines)
	}
	if strings.Contains(lines[0], "deadbeefsecret") || strings.Contains(lines[0], "AKIA") {
		t.Fatalf("trace line %q shows the query", lines[0])
	}
	if !strings.Contains(lines[0], "/blob?REDACTED") {
		t.Fatalf("trace line %q does not name the path", lines[0])
	}
}
