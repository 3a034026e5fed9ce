package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLooksLikeKeyMaterial(t *testing.T) {
	phrase := strings.TrimSpace(strings.Repeat("abandon ", 11) + "about")
	tests := []struct {
		s    string
		want bool
	}{
		{strings.Repeat("ab", 32), true},
		{"0x" + strings.Repeat("AB", 64), true},
		{strings.Repeat("ab", 32) + "\r", true},
		{phrase, true},
		{" " + phrase + "\n", true},
		{strings.Repeat("ab", 31), false},
		{"https://example.com/graphql", false},
		{"sha256:" + strings.Repeat("ab", 32), false},
		{"0:" + strings.Repeat("ab", 32), false},
		{"eleven words are not quite a seed phrase of any kind at all", false},
	}
	for _, tc := range tests {
		if got := looksLikeKeyMaterial(tc.s); got != tc.want {
			t.Errorf("looksLikeKeyMaterial(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestSecretsReplace(t *testing.T) {
	secret := strings.Repeat("3f", 32)
	phrase := strings.TrimSpace(strings.Repeat("zoo ", 11) + "wrong")
	var s secrets
	s.fromArgs([]string{"sign", "-s", "short", "--network-secret=project-secret-1", phrase, "0x" + secret, "registry.example/app:1"})
	out := s.replace("a " + strings.ToUpper(secret) + " b " + phrase + " c project-secret-1 d short registry.example/app:1")
	for _, leaked := range []string{secret, strings.ToUpper(secret), phrase, "project-secret-1"} {
		if strings.Contains(out, leaked) {
			t.Errorf("%q leaks %q", out, leaked)
		}
	}
	for _, kept := range []string{"registry.example/app:1", "short", "<seed phrase>", abbreviate(strings.ToUpper(secret))} {
		if !strings.Contains(out, kept) {
			t.Errorf("%q lost %q", out, kept)
		}
	}
}

// TestEndpointQueryKept: a query string on -n reaches the endpoint, and its
// values (a provider's key) are not printed whole in errors.
func TestEndpointQueryKept(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	key := "provider-key-0123456789"
	r := runCLI(t, nil, "", "check", "-n", srv.URL+"?apikey="+key, strings.Repeat("ab", 32), "sha256:"+strings.Repeat("cd", 32))
	if got != "apikey="+key {
		t.Errorf("the endpoint got query %q", got)
	}
	if r.code != exitFailure || strings.Contains(r.stdout+r.stderr, key) {
		t.Errorf("want exit 3 without the key in the output: %+v", r)
	}
}
