package abi

import (
	"errors"
	"testing"
)

func TestParseType(t *testing.T) {
	v22, v24 := V2_2, V2_4
	tests := []struct {
		in, sig        string
		bits22, refs22 int
		bits24, refs24 int
		comps          []Param
	}{
		{"uint8", "uint8", 8, 0, 8, 0, nil},
		{"int257", "int257", 257, 0, 257, 0, nil},
		{"varuint16", "varuint16", 124, 0, 124, 0, nil},
		{"varint32", "varint32", 253, 0, 253, 0, nil},
		{"gram", "gram", 124, 0, 124, 0, nil},
		{"bool", "bool", 1, 0, 1, 0, nil},
		{"address", "address", 591, 0, 591, 0, nil},
		{"address_std", "address_std", 302, 0, 302, 0, nil},
		{"bytes", "bytes", 0, 1, 0, 1, nil},
		{"string", "string", 0, 1, 0, 1, nil},
		{"fixedbytes32", "fixedbytes32", 0, 1, 256, 0, nil},
		{"cell", "cell", 0, 1, 0, 1, nil},
		{"uint64[]", "uint64[]", 33, 1, 33, 1, nil},
		{"uint64[3]", "uint64[3]", 1, 1, 1, 1, nil},
		{"map(address,uint8[])", "map(address,uint8[])", 1, 1, 1, 1, nil},
		{"optional(uint32)", "optional(uint32)", 33, 0, 33, 0, nil},
		{"optional(cell)", "optional(cell)", 1, 1, 1, 1, nil},
		// Large optionals (max bits >= 1023 or refs >= 4) live in a ref.
		{"optional(tuple)", "optional((address,address))", 1, 1, 1, 1, []Param{{Name: "a", Type: "address"}, {Name: "b", Type: "address"}}},
		{"optional(tuple)", "optional((cell,cell,cell,cell))", 1, 1, 1, 1, []Param{{Name: "a", Type: "cell"}, {Name: "b", Type: "cell"}, {Name: "c", Type: "cell"}, {Name: "d", Type: "cell"}}},
		{"optional(tuple)", "optional((cell,cell,uint8))", 9, 2, 9, 2, []Param{{Name: "a", Type: "cell"}, {Name: "b", Type: "cell"}, {Name: "c", Type: "uint8"}}},
		{"ref(uint8)", "ref(uint8)", 0, 1, 0, 1, nil},
		{"tuple[]", "(uint256,uint64)[]", 33, 1, 33, 1, []Param{{Name: "a", Type: "uint256"}, {Name: "b", Type: "uint64"}}},
		{"tuple", "(uint256,cell)", 256, 1, 256, 1, []Param{{Name: "a", Type: "uint256"}, {Name: "b", Type: "cell"}}},
		{"map(uint32,tuple)", "map(uint32,(bool,bytes))", 1, 1, 1, 1, []Param{{Name: "a", Type: "bool"}, {Name: "b", Type: "bytes"}}},
	}
	for _, tc := range tests {
		ty, err := ParseType(tc.in, tc.comps)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := ty.String(); got != tc.sig {
			t.Errorf("%s: signature %q, want %q", tc.in, got, tc.sig)
		}
		if b, r := ty.MaxBits(v22), ty.MaxRefs(v22); b != tc.bits22 || r != tc.refs22 {
			t.Errorf("%s: 2.2 max %d bits %d refs, want %d %d", tc.in, b, r, tc.bits22, tc.refs22)
		}
		if b, r := ty.MaxBits(v24), ty.MaxRefs(v24); b != tc.bits24 || r != tc.refs24 {
			t.Errorf("%s: 2.4 max %d bits %d refs, want %d %d", tc.in, b, r, tc.bits24, tc.refs24)
		}
	}
}

func TestParseTypeErrors(t *testing.T) {
	for _, in := range []string{
		"", "uint", "uint0", "uint257", "int258", "int08", "varuint8", "varint64", "fixedbytes0",
		"map(bool,uint8)", "map(uint8)", "optional(uint8", "uint8[", "uint8[x]", "uint8[-1]",
		"foo", "tuple2", "map(bytes,uint8)", "optional()",
	} {
		if _, err := ParseType(in, nil); !errors.Is(err, ErrInvalidType) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestParseVersions(t *testing.T) {
	tests := []struct {
		doc  string
		want Version
		err  error
	}{
		{`{"ABI version": 2}`, V2_0, nil},
		{`{"ABI version": 2, "version": "2.1"}`, V2_1, nil},
		{`{"version": "2.2"}`, V2_2, nil},
		{`{"version": "2.3"}`, V2_3, nil},
		{`{"version": "2.4"}`, V2_4, nil},
		{`{"ABI version": 1}`, Version{}, ErrUnsupportedVersion},
		{`{"version": "2.5"}`, Version{}, ErrUnsupportedVersion},
		{`{"version": "3.0"}`, Version{}, ErrUnsupportedVersion},
		{`{"version": "two"}`, Version{}, ErrUnsupportedVersion},
		{`{"functions": []}`, Version{}, ErrUnsupportedVersion},
		{`{"version": "2.0", "functions":[{"name":"f","inputs":[{"name":"s","type":"string"}],"outputs":[]}]}`, Version{}, ErrInvalidType},
		{`{"version": "2.3", "functions":[{"name":"f","inputs":[{"name":"s","type":"ref(uint8)"}],"outputs":[]}]}`, Version{}, ErrInvalidType},
		{`{"version": "2.3", "header":["nonce"]}`, Version{}, ErrInvalidType},
		{`{"version": "2.4", "functions":[{"name":"f","inputs":[{"name":"b","type":"fixedbytes128"}],"outputs":[]}]}`, Version{}, ErrInvalidType},
		{`{"version": "2.3", "functions":[{"name":"f","inputs":[{"name":"b","type":"fixedbytes128"}],"outputs":[]}]}`, V2_3, nil},
		{`{"version": "2.3", "header":[{"name":"pubkey","type":"pubkey"}]}`, V2_3, nil},
	}
	for _, tc := range tests {
		a, err := Parse([]byte(tc.doc))
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: error %v, want %v", tc.doc, err, tc.err)
			}
			continue
		}
		if err != nil || a.Version != tc.want {
			t.Errorf("%s: %v %v", tc.doc, a, err)
		}
	}
	if _, err := Parse([]byte(`{"version": "2.3", "functions": 5}`)); err == nil {
		t.Error("malformed JSON accepted")
	}
}

func TestLayout(t *testing.T) {
	tests := []struct {
		name  string
		sizes []size
		want  []int
	}{
		// ever-abi docs: f(address,address) with header [time,expire], 2.3+.
		{"two addresses", []size{{591, 0}, {64, 0}, {32, 0}, {32, 0}, {591, 0}, {591, 0}}, []int{0, 0, 0, 0, 1, 2}},
		{"fits", []size{{100, 0}, {900, 0}}, []int{0, 0}},
		{"bits overflow", []size{{1000, 0}, {24, 0}}, []int{0, 1}},
		// Four refs fit in the last cell only when nothing with refs follows.
		{"last ref fits", []size{{0, 1}, {0, 1}, {0, 1}, {0, 1}}, []int{0, 0, 0, 0}},
		{"last ref kept free", []size{{0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}}, []int{0, 0, 0, 1, 1}},
		{"last ref, bits after do not fit", []size{{300, 1}, {300, 1}, {300, 1}, {50, 1}, {100, 0}}, []int{0, 0, 0, 1, 1}},
		{"last ref, bits after fit", []size{{0, 1}, {0, 1}, {0, 1}, {10, 1}, {100, 0}}, []int{0, 0, 0, 0, 0}},
	}
	for _, tc := range tests {
		got := layout(tc.sizes)
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}
