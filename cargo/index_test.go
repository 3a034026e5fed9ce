package cargo

import "testing"

const sumA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func TestIndexPath(t *testing.T) {
	tests := []struct{ name, path, prefix string }{
		{"a", "1/a", "1"},
		{"ab", "2/ab", "2"},
		{"abc", "3/a/abc", "3/a"},
		{"Serde", "se/rd/serde", "Se/rd"},
		{"cargo", "ca/rg/cargo", "ca/rg"},
	}
	for _, tt := range tests {
		if got := IndexPath(tt.name); got != tt.path {
			t.Errorf("IndexPath(%q) = %q, want %q", tt.name, got, tt.path)
		}
		if got := prefix(tt.name); got != tt.prefix {
			t.Errorf("prefix(%q) = %q, want %q", tt.name, got, tt.prefix)
		}
	}
}

func TestExpandDL(t *testing.T) {
	c := Crate{Name: "Serde", Version: "1.0.0", Checksum: sumA}
	tests := []struct{ dl, want string }{
		{"https://static.crates.io/crates", "https://static.crates.io/crates/Serde/1.0.0/download"},
		{"https://static.crates.io/crates/", "https://static.crates.io/crates/Serde/1.0.0/download"},
		{"https://dl.example.com/{crate}/{crate}-{version}.crate", "https://dl.example.com/Serde/Serde-1.0.0.crate"},
		{"https://dl.example.com/{prefix}/{lowerprefix}/{sha256-checksum}", "https://dl.example.com/Se/rd/se/rd/" + sumA},
	}
	for _, tt := range tests {
		if got := expandDL(tt.dl, c); got != tt.want {
			t.Errorf("expandDL(%q) = %q, want %q", tt.dl, got, tt.want)
		}
	}
}
