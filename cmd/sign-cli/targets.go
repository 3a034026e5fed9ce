package main

import (
	"strings"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// bareHex is hex digits with nothing around them: a valid image name to the
// reference grammar (docker.io/library/<hex>), but almost always a key, a
// mistyped key or a digest missing its sha256: prefix. Signing it would sign
// a stranger's public image with the wallet's key.
func bareHex(s string) bool {
	h := hexstr.TrimPrefix(s)
	return h != "" && hexstr.Is(h)
}

// parseTargets reads target arguments. An argument shaped like key material
// is never taken as an image, and is quoted only abbreviated.
func parseTargets(args []string) ([]image.Target, error) {
	out := make([]image.Target, len(args))
	for i, a := range args {
		trimmed := strings.TrimSpace(a)
		switch {
		case looksLikePhrase(trimmed):
			return nil, usageError("a target looks like a seed phrase; expected an image reference or sha256:<64 hex> (give a phrase with --phrase-file)")
		case bareHex(trimmed):
			return nil, usageError("target %q is only hex digits: a key, or a digest without its prefix (sha256:<64 hex>)? An image of that name is written in full: docker.io/library/NAME", abbreviate(trimmed))
		}
		t, err := image.ParseTarget(a)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// abbreviate shortens a long argument (which may be a secret pasted in the
// wrong place) so that an error never repeats it whole.
func abbreviate(s string) string {
	if len(s) <= 12 {
		return s
	}
	return s[:6] + "…" + s[len(s)-4:]
}
