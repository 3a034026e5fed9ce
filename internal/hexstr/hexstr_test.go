package hexstr

import (
	"strings"
	"testing"
)

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"0", true},
		{"0123456789abcdef", true},
		{"ABCDEF", true},
		{"aBcD", true},
		{strings.Repeat("f", 128), true},
		{"", false},
		{"0x12", false},
		{"g", false},
		{"12 34", false},
		{"12\n", false},
		{"é", false},
		{"-1", false},
	} {
		if got := Is(tc.s); got != tc.want {
			t.Errorf("Is(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestIsLower(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"0123456789abcdef", true},
		{strings.Repeat("f", 64), true},
		{"ABCDEF", false},
		{"aBcD", false},
		{"", false},
		{"0x12", false},
		{"g", false},
		{"12\n", false},
	} {
		if got := IsLower(tc.s); got != tc.want {
			t.Errorf("IsLower(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestIsLen(t *testing.T) {
	h64, h128 := strings.Repeat("a", 64), strings.Repeat("B", 128)
	for _, tc := range []struct {
		s       string
		lengths []int
		want    bool
	}{
		{h64, []int{64, 128}, true},
		{h128, []int{64, 128}, true},
		{h64[:63], []int{64, 128}, false},
		{h64 + "0", []int{64, 128}, false},
		{h64[:63] + "z", []int{64}, false},
		{"abc", nil, true},
		{"", nil, false},
	} {
		if got := IsLen(tc.s, tc.lengths...); got != tc.want {
			t.Errorf("IsLen(%q, %v) = %v, want %v", tc.s, tc.lengths, got, tc.want)
		}
	}
}

func TestTrimPrefix(t *testing.T) {
	for in, want := range map[string]string{"0xab": "ab", "0XAB": "AB", "ab": "ab", "0x": "", "0": "0", "x0": "x0", "0x0x1": "0x1", "": ""} {
		if got := TrimPrefix(in); got != want {
			t.Errorf("TrimPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	for in, want := range map[string]string{"": "nothing", "abc": "3 hex characters", "abz": "3 characters that are not all hex", "secret words": "12 characters that are not all hex"} {
		if got := Describe(in); got != want {
			t.Errorf("Describe(%q) = %q, want %q", in, got, want)
		}
	}
}
