package cell

import (
	"bytes"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"testing"
)

// Published BOCs and hashes from reference/everscale.md §8 (ever-sdk tests).
var bocVectors = []struct {
	name, boc, hash string
}{
	{
		name: "get_boc_hash 681-bit cell",
		boc:  "te6ccgEBAQEAWAAAq2n+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE/zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzSsG8DgAAAAAjuOu9NAL7BxYpA",
		hash: "dfd47194f3058ee058bfbfad3ea40cbbd9ad17ca77cd0904d4d9f18a48c2fbca",
	},
	{
		name: "EventsOld run_signed_message",
		boc:  "te6ccgEBAwEAvAABRYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIMAQHhrd/b+MJ5Za+AygBc5qS/dVIPnqxCsM9PvqfVxutK+lnQEKzQoRTLYO6+jfM8TF4841bdNjLQwIDWL4UVFdxIhdMfECP8d3ruNZAXul5xxahT91swIEkEHph08JVlwmUmQAAAXRnJcuDX1XMZBW+LBKACAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		hash: "4ce690920fa498d6e52051e952093438b9e37fa6d803caa5a724090be2cf78c7",
	},
	{
		name: "EventsOld run_without_sign_message",
		boc:  "te6ccgEBAQEAVQAApYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIAAAAC6M5Llwa+q5jIK3xYJAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
		hash: "e3d5a810480fccc4ae6ccedf9e37682ce0ff3c5f59525efc0ecb30d14e124d35",
	},
	{
		name: "EventsOld run_unsigned_message",
		boc:  "te6ccgEBAgEAeAABpYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIFMfECP8d3ruNZAXul5xxahT91swIEkEHph08JVlwmUmQAAAXRnJcuDX1XMZBW+LBKAQBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	},
	{
		name: "Hello internal message",
		boc:  "te6ccgEBAQEAOgAAcGIACRorPEhV5veJGis8SFXm94kaKzxIVeb3iRorPEhV5veh3NZQAAAAAAAAAAAAAAAAAABQy+0X",
	},
	{
		name: "multisig signed body",
		boc:  "te6ccgEBAwEArAAB4by5SH0Glx7Jnb0imtClvhC4I0DPaT+/su49hM5DQH+xHrEtD9U2dQOJpD2J598bWtYTC4m1Ylxh6MSg9//WKgdEWH2fKWA3SuZNZZ7BBCeDpiGAfwIlOFF981WU06BclcAAAF7d/kbVGEk26dM7mRsgAQFlgBOzHFkFNmE1fX9Dpui0xVFiNtBGdDa6IIntwTxwGs9y4AAAAAAAAAAAAAAAB3NZQAA4AgAA",
	},
	{
		name: "encode_boc dest/value/bounce",
		boc:  "te6ccgEBAQEANAAAY5/mZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmAAAAAAAAAAAAAAAAACWtD4",
	},
	{
		name: "new-format TVC",
		boc:  "te6ccgEBBAEALgACCaLwuBzgAgEAJlNvbWUgU21hcnQgQ29udHJhY3QBFP8A9KQT9LzyyAsDAALT",
	},
	{
		name: "code from new-format TVC",
		boc:  "te6ccgEBAgEAEAABFP8A9KQT9LzyyAsBAALT",
	},
}

func TestBOCVectors(t *testing.T) {
	for _, v := range bocVectors {
		t.Run(v.name, func(t *testing.T) {
			raw, err := base64.StdEncoding.DecodeString(v.boc)
			if err != nil {
				t.Fatal(err)
			}
			c, err := FromBOC(raw)
			if err != nil {
				t.Fatalf("FromBOC: %v", err)
			}
			if v.hash != "" && c.HashHex() != v.hash {
				t.Errorf("hash = %s, want %s", c.HashHex(), v.hash)
			}
			if got := c.ToBOC(); !bytes.Equal(got, raw) {
				t.Errorf("re-encoded BOC differs:\n got %s\nwant %s", base64.StdEncoding.EncodeToString(got), v.boc)
			}
			// Every optional part decodes back to the same tree.
			for _, opts := range []BOCOptions{{Index: true}, {CRC32C: true}, {Index: true, CRC32C: true, CacheBits: true}} {
				enc := c.ToBOCWithOptions(opts)
				back, err := FromBOC(enc)
				if err != nil {
					t.Fatalf("%+v: %v", opts, err)
				}
				if back.Hash() != c.Hash() {
					t.Errorf("%+v: hash changed after round trip", opts)
				}
			}
		})
	}
}

func TestEmptyCellHash(t *testing.T) {
	const want = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
	if got := EmptyCell.HashHex(); got != want {
		t.Fatalf("empty cell hash = %s, want %s", got, want)
	}
	c, err := BeginCell().EndCell()
	if err != nil || c.HashHex() != want {
		t.Fatalf("built empty cell hash = %v, %v", c, err)
	}
}

func TestCRC32CCheckValue(t *testing.T) {
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xE3069283 {
		t.Fatalf("CRC-32C(123456789) = %08x, want e3069283", got)
	}
}

func TestBOCDepthVector(t *testing.T) {
	// The run_signed_message vector is a root with one body ref holding one more ref.
	c, err := FromBase64(bocVectors[1].boc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Depth() != 2 {
		t.Errorf("depth = %d, want 2", c.Depth())
	}
}

func TestLegacyMagics(t *testing.T) {
	c, err := FromBase64(bocVectors[1].boc)
	if err != nil {
		t.Fatal(err)
	}
	// Legacy formats: same layout after the magic, but byte 4 holds only the
	// reference size, an index is always present, and there is no root list.
	for _, tc := range []struct {
		magic []byte
		crc   bool
	}{{[]byte{0x68, 0xff, 0x65, 0xf3}, false}, {[]byte{0xac, 0xc3, 0xa7, 0x28}, true}} {
		gen := c.ToBOCWithOptions(BOCOptions{Index: true})
		refSize := int(gen[4] & 7)
		offSize := int(gen[5])
		hdr := 6 + 3*refSize + offSize
		var legacy []byte
		legacy = append(legacy, tc.magic...)
		legacy = append(legacy, byte(refSize))
		legacy = append(legacy, gen[5:hdr]...)
		legacy = append(legacy, gen[hdr+refSize:]...) // drop the root list
		if tc.crc {
			legacy = append(legacy, 0, 0, 0, 0)
			sum := crc32.Checksum(legacy[:len(legacy)-4], castagnoli)
			legacy[len(legacy)-4] = byte(sum)
			legacy[len(legacy)-3] = byte(sum >> 8)
			legacy[len(legacy)-2] = byte(sum >> 16)
			legacy[len(legacy)-1] = byte(sum >> 24)
		}
		back, err := FromBOC(legacy)
		if err != nil {
			t.Fatalf("magic %x: %v", tc.magic, err)
		}
		if back.Hash() != c.Hash() {
			t.Errorf("magic %x: hash differs", tc.magic)
		}
	}
}

func TestMultiRoot(t *testing.T) {
	a, _ := BeginCell().StoreUInt(1, 8).EndCell()
	b, _ := BeginCell().StoreUInt(2, 8).StoreRef(a).EndCell()
	enc, err := EncodeBOC([]*Cell{a, b}, BOCOptions{CRC32C: true})
	if err != nil {
		t.Fatal(err)
	}
	roots, err := FromBOCMultiRoot(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 2 || roots[0].Hash() != a.Hash() || roots[1].Hash() != b.Hash() {
		t.Fatalf("roots do not round-trip")
	}
	if _, err := FromBOC(enc); err == nil {
		t.Fatal("FromBOC accepted two roots")
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := base64.StdEncoding.DecodeString(bocVectors[1].boc)
	crc := mustCell(t, bocVectors[1].boc).ToBOCWithOptions(BOCOptions{CRC32C: true})
	mutate := func(b []byte, f func([]byte) []byte) []byte { return f(append([]byte(nil), b...)) }
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"short magic", []byte{0xb5, 0xee}},
		{"bad magic", mutate(good, func(b []byte) []byte { b[0] = 0; return b })},
		{"truncated", good[:len(good)-3]},
		{"trailing byte", append(append([]byte(nil), good...), 0)},
		{"crc mismatch", mutate(crc, func(b []byte) []byte { b[len(b)-1] ^= 1; return b })},
		{"data flipped under crc", mutate(crc, func(b []byte) []byte { b[20] ^= 0x10; return b })},
		{"zero ref size", mutate(good, func(b []byte) []byte { b[4] &^= 7; return b })},
		{"cache bits without index", mutate(good, func(b []byte) []byte { b[4] |= 0x20; return b })},
		{"huge cell count", mutate(good, func(b []byte) []byte { b[6] = 0xff; return b })},
		{"backward reference (cycle)", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x02, 0x01, 0x00, 0x06, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x00}},
		{"self reference", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00}},
		{"missing completion tag", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00}},
		{"overlong completion tag", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x00, 0x04, 0x00, 0x03, 0x30, 0x80}},
		{"five refs", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x00, 0x02, 0x00, 0x05, 0x00}},
		{"absent cells", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00}},
		{"unknown exotic", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x00, 0x03, 0x00, 0x08, 0x02, 0x09}},
		{"library of wrong size", []byte{0xb5, 0xee, 0x9c, 0x72, 0x01, 0x01, 0x01, 0x01, 0x00, 0x03, 0x00, 0x08, 0x02, 0x02}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromBOC(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidBOC) {
				t.Errorf("error %q does not wrap ErrInvalidBOC", err)
			}
		})
	}
}

func mustCell(t testing.TB, b64 string) *Cell {
	t.Helper()
	c, err := FromBase64(b64)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEncodeDeduplicates checks that equal cells held by different pointers
// are stored once, in small trees (linear index) and large ones (maps).
func TestEncodeDeduplicates(t *testing.T) {
	for _, width := range []int{3, 100} {
		var leaves []*Cell
		for i := 0; i < width; i++ {
			a, _ := BeginCell().StoreUInt(uint64(i), 16).EndCell()
			b, _ := BeginCell().StoreUInt(uint64(i), 16).EndCell() // equal to a, another pointer
			leaves = append(leaves, a, b)
		}
		// Chain the leaves in pairs under a spine so every cell is reachable.
		spine := EmptyCell
		for i := 0; i < len(leaves); i += 2 {
			spine, _ = BeginCell().StoreRef(spine).StoreRef(leaves[i]).StoreRef(leaves[i+1]).EndCell()
		}
		boc := spine.ToBOC()
		roots, err := FromBOCMultiRoot(boc)
		if err != nil || roots[0].Hash() != spine.Hash() {
			t.Fatalf("width %d: round trip: %v", width, err)
		}
		cells := int(boc[6]) // one size byte: fewer than 256 cells
		if want := 1 + width + width; cells != want {
			t.Fatalf("width %d: %d cells in the BOC, want %d (empty + spine + distinct leaves)", width, cells, want)
		}
	}
}
