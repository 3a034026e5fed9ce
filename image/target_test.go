package image

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in         string
		wantString string
		wantRepo   string
		wantDigest string
	}{
		{"sha256:" + hex64, "sha256:" + hex64, "", "sha256:" + hex64},
		{"SHA256:" + strings.ToUpper(hex64), "sha256:" + hex64, "", "sha256:" + hex64},
		{"  sha256:" + hex64 + "\n", "sha256:" + hex64, "", "sha256:" + hex64},
		{"registry.example.com/team/app:1.2", "registry.example.com/team/app:1.2", "registry.example.com/team/app", ""},
		{"localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app", ""},
		{"ubuntu", "index.docker.io/library/ubuntu:latest", "index.docker.io/library/ubuntu", ""},
		{"ghcr.io/o/app@sha256:" + hex64, "ghcr.io/o/app@sha256:" + hex64, "ghcr.io/o/app", "sha256:" + hex64},
		{"ghcr.io/o/app:v1@sha256:" + hex64, "ghcr.io/o/app@sha256:" + hex64, "ghcr.io/o/app", "sha256:" + hex64},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.String(); s != tt.wantString {
				t.Errorf("String = %q, want %q", s, tt.wantString)
			}
			if d := got.Digest.String(); tt.wantDigest != "" && d != tt.wantDigest {
				t.Errorf("Digest = %q, want %q", d, tt.wantDigest)
			}
			if got.HasDigest() != (tt.wantDigest != "") {
				t.Errorf("HasDigest = %v", got.HasDigest())
			}
			repo, err := got.Repository()
			if tt.wantRepo == "" {
				if !errors.Is(err, ErrInvalidTarget) {
					t.Errorf("Repository of a bare digest: %v", err)
				}
			} else if err != nil || repo.Name() != tt.wantRepo {
				t.Errorf("Repository = %v, %v; want %s", repo, err, tt.wantRepo)
			}
		})
	}
}

func TestParseTargetErrors(t *testing.T) {
	const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"sha256:" + hex64[:63], "63 hex characters"},
		{"sha256:" + hex64 + "0", "65 hex characters"},
		{"sha256:" + hex64[:62] + "zz", "not all hex"},
		{"sha256:", "got nothing"},
		{"sha512:" + hex64 + hex64, "expected a digest sha256:"},
		{hex64, "without its algorithm; write sha256:" + hex64},
		{"Registry/UPPER:tag", "neither an image reference"},
		{"repo:tag:extra", "neither an image reference"},
		{"repo@sha256:abc", "neither an image reference"},
		{"repo:" + strings.Repeat("t", 200), "neither an image reference"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseTarget(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidTarget) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want ErrInvalidTarget containing %q", err, tt.want)
			}
		})
	}
}

func TestTargetDigestRef(t *testing.T) {
	tg, err := ParseTarget("ghcr.io/o/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tg.DigestRef(); err == nil {
		t.Error("DigestRef of an unresolved tag succeeded")
	}
	tg.Digest, _ = ParseDigest("sha256:" + strings.Repeat("ab", 32))
	d, err := tg.DigestRef()
	if err != nil || d.Name() != "ghcr.io/o/app@sha256:"+strings.Repeat("ab", 32) {
		t.Errorf("DigestRef = %v, %v", d, err)
	}
	if s := tg.String(); s != "ghcr.io/o/app:v1@sha256:"+strings.Repeat("ab", 32) {
		t.Errorf("String = %s", s)
	}
}

func FuzzParseTarget(f *testing.F) {
	f.Add("registry.example.com/a/b:c")
	f.Add("sha256:0123")
	f.Add("a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, in string) {
		tg, err := ParseTarget(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidTarget) {
				t.Fatalf("error %q does not wrap ErrInvalidTarget", err)
			}
			return
		}
		if tg.Ref == nil && !tg.HasDigest() {
			t.Fatal("empty target without error")
		}
		_ = tg.String()
	})
}
