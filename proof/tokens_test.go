package proof

import "testing"

func TestFormatTokens(t *testing.T) {
	for nano, want := range map[uint64]string{
		0: "0", 1: "0.000000001", 100_000_000: "0.1", 1_000_000_000: "1", 1_500_000_000: "1.5", 12_345_678_901: "12.345678901",
	} {
		if got := FormatTokens(nano); got != want {
			t.Errorf("FormatTokens(%d) = %q, want %q", nano, got, want)
		}
	}
}
