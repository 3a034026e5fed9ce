package cell

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// FuzzDecodeBOC feeds arbitrary bytes to the decoder: it must never panic,
// and whatever it accepts must re-encode to a BOC that decodes to the same
// hashes and encodes to the same bytes again.
func FuzzDecodeBOC(f *testing.F) {
	for _, v := range bocVectors {
		raw, _ := base64.StdEncoding.DecodeString(v.boc)
		f.Add(raw)
		c, _ := FromBOC(raw)
		f.Add(c.ToBOCWithOptions(BOCOptions{Index: true, CRC32C: true, CacheBits: true}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roots, err := DecodeBOC(data, DecodeLimits{MaxCells: 1 << 12, MaxRoots: 16})
		if err != nil {
			return
		}
		enc, err := EncodeBOC(roots, BOCOptions{})
		if err != nil {
			t.Fatalf("re-encoding an accepted BOC: %v", err)
		}
		back, err := DecodeBOC(enc, DefaultDecodeLimits)
		if err != nil {
			t.Fatalf("decoding our own encoding: %v", err)
		}
		if len(back) != len(roots) {
			t.Fatalf("%d roots became %d", len(roots), len(back))
		}
		for i := range roots {
			if back[i].Hash() != roots[i].Hash() || back[i].Depth() != roots[i].Depth() {
				t.Fatalf("root %d changed", i)
			}
		}
		again, _ := EncodeBOC(back, BOCOptions{})
		if !bytes.Equal(again, enc) {
			t.Fatal("encoding is not stable")
		}
	})
}

// FuzzSliceLoad reads a cell with a sequence of loads driven by the input:
// loads must fail cleanly at the end of the data, never panic, and a failed
// load must leave the slice where it was.
func FuzzSliceLoad(f *testing.F) {
	f.Add([]byte{0xff, 0x00, 0x12}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(bytes.Repeat([]byte{0xa5}, 128), []byte{64, 200, 3, 9})
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		if len(data) > 127 {
			data = data[:127]
		}
		c, err := BeginCell().StoreBytes(data).StoreRef(EmptyCell).EndCell()
		if err != nil {
			t.Fatal(err)
		}
		s := c.BeginParse()
		for _, op := range ops {
			before := *s
			var err error
			n := int(op >> 3)
			switch op & 7 {
			case 0:
				_, err = s.LoadUInt(n % 65)
			case 1:
				_, err = s.LoadInt(1 + n%64)
			case 2:
				_, err = s.LoadBigInt(1 + int(op)%257)
			case 3:
				_, err = s.LoadCoins()
			case 4:
				_, err = s.LoadAddress()
			case 5:
				_, err = s.LoadMaybeRef()
			case 6:
				_, err = s.LoadBits(int(op))
			case 7:
				_, err = s.LoadVarInt(1 + n%8)
			}
			if err != nil && *s != before {
				t.Fatalf("failed load (op %d) moved the slice", op)
			}
		}
	})
}
