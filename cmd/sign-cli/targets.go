package main

import (
	"regexp"
	"sync"

	"github.com/gosh-sh/sign-cli/signature"
)

// bareHex is a long hex string with nothing around it: a valid image name
// to the reference grammar (docker.io/library/<hex>), but almost always a
// key or a digest missing its sha256: prefix.
var bareHex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(0x)?[0-9a-fA-F]{32,}$`) })

// parseTargets reads target arguments.
func parseTargets(args []string) ([]signature.Target, error) {
	out := make([]signature.Target, len(args))
	for i, a := range args {
		if bareHex().MatchString(a) {
			return nil, usageError("target %q looks like a hex key or a digest without its prefix; expected an image reference or sha256:<64 hex>", abbreviate(a))
		}
		t, err := signature.ParseTarget(a)
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
