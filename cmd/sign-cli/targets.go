package main

import (
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// bareHex is a long hex string with nothing around it: a valid image name
// to the reference grammar (docker.io/library/<hex>), but almost always a
// key or a digest missing its sha256: prefix.
func bareHex(s string) bool {
	h := hexstr.TrimPrefix(s)
	return len(h) >= 32 && hexstr.Is(h)
}

// parseTargets reads target arguments.
func parseTargets(args []string) ([]image.Target, error) {
	out := make([]image.Target, len(args))
	for i, a := range args {
		if bareHex(a) {
			return nil, usageError("target %q looks like a hex key or a digest without its prefix; expected an image reference or sha256:<64 hex>", abbreviate(a))
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
