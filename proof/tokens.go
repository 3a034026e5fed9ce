package proof

import (
	"fmt"
	"strings"
)

// FormatTokens prints an amount in nanotokens as tokens, without trailing
// zeros: 100000000 is "0.1".
func FormatTokens(nano uint64) string {
	s := fmt.Sprintf("%d.%09d", nano/1_000_000_000, nano%1_000_000_000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
