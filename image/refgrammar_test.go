package image

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTargetReferenceGrammar(t *testing.T) {
	tests := []struct {
		ref string
		ok  bool
	}{
		{"registry.example.com/team/app:1.4", true},
		{"localhost:5000/app", true},
		{"127.0.0.1:5000/a/b:v1", true},
		{"[::1]:5000/a/b", true},
		{"app", true},
		{"team/app_name/x-y/a.b/c__d/e---f:v_1.2-rc", true},
		{"my-registry.io/app@sha256:" + "ab" + "cd" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab", true},
		{"not//a/ref", false},
		{"-a/b", false},
		{"a/-b", false},
		{"a/b_", false},
		{"a/b___c", false},
		{"a/b..c", false},
		{"reg.io:/a", false},
		{"reg.io:5x/a", false},
		{"-reg.io/a", false},
		{"reg..io/a", false},
		{"[::1/a", false},
		{"a/b:.tag", false},
		{"a/b:-tag", false},
		// One digest algorithm everywhere: sha256, as for bare digests.
		{"a/b@sha512:" + strings.Repeat("ab", 64), false},
		{"sha512:" + strings.Repeat("ab", 64), false},
	}
	for _, tc := range tests {
		_, err := ParseTarget(tc.ref)
		if (err == nil) != tc.ok {
			t.Errorf("ParseTarget(%q) = %v, want ok %v", tc.ref, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidTarget) {
			t.Errorf("ParseTarget(%q): %v does not wrap ErrInvalidTarget", tc.ref, err)
		}
	}
}
