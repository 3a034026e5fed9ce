package main

import (
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
