// Package hexstr holds sign-cli's one rule for hex text: what counts as hex
// (digits and a-f in either case, nothing else, not empty), the lower-case
// form that hashes written by other tools take, and the optional 0x prefix
// that keys may carry.
package hexstr

import "fmt"

// Is reports whether s is non-empty and made of hex digits only (either
// case). A 0x prefix is not hex: strip it first with TrimPrefix.
func Is(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// IsLower reports whether s is non-empty hex in lower case only: how git
// writes commit ids and Cargo.lock its checksums, which are compared as
// text, so that another spelling of the same hash is not taken for it.
func IsLower(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// IsLen reports whether s is hex of exactly one of the given lengths (in
// characters); with no length, of any length.
func IsLen(s string, lengths ...int) bool {
	if !Is(s) {
		return false
	}
	if len(lengths) == 0 {
		return true
	}
	for _, n := range lengths {
		if len(s) == n {
			return true
		}
	}
	return false
}

// TrimPrefix removes one leading 0x or 0X.
func TrimPrefix(s string) string {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:]
	}
	return s
}

// Describe says what a malformed input looked like without quoting it
// (it may be a secret): "nothing", "N hex characters" or "N characters that
// are not all hex".
func Describe(s string) string {
	if s == "" {
		return "nothing"
	}
	if !Is(s) {
		return fmt.Sprintf("%d characters that are not all hex", len(s))
	}
	return fmt.Sprintf("%d hex characters", len(s))
}
