package abi

import (
	"encoding/base64"
	"testing"
)

// messageFuzzSeeds are the published messages and TVCs: every layout of
// init and body, internal and external.
func messageFuzzSeeds(f *testing.F) [][]byte {
	v := loadSDKMessageVectors(f)
	var seeds [][]byte
	for _, set := range []map[string]string{v.EncodeV2, v.Internal, v.TVC} {
		for _, s := range set {
			if p, err := base64.StdEncoding.DecodeString(s); err == nil && len(p) > 4 {
				seeds = append(seeds, p)
			}
		}
	}
	return append(seeds, readTestdata(f, "EventsOld.tvc"), readTestdata(f, "Hello.tvc"))
}

// FuzzParseMessage: any input either fails cleanly or gives a message that
// encodes again, and whose encoding is stable from then on (the first
// re-encoding may differ only where the input was not canonical, such as
// an amount with leading zero bytes).
func FuzzParseMessage(f *testing.F) {
	for _, s := range messageFuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, boc []byte) {
		m, root, err := ParseMessageBOC(boc)
		if err != nil {
			return
		}
		c, err := m.Cell()
		if err != nil {
			t.Fatalf("parsed message does not encode: %v", err)
		}
		if c.Equal(root) {
			return
		}
		m2, err := ParseMessage(c)
		if err != nil {
			t.Fatalf("re-encoded message does not parse: %v", err)
		}
		c2, err := m2.Cell()
		if err != nil || !c2.Equal(c) {
			t.Fatalf("encoding not stable (%v)", err)
		}
		if !m2.Dst.Equal(m.Dst) || !m2.Src.Equal(m.Src) || m2.Kind != m.Kind {
			t.Fatalf("addresses changed in re-encoding")
		}
	})
}

// FuzzStateInitFromTVC: TVC resolution never panics, and what it accepts
// is a StateInit that hashes to the cell it returns.
func FuzzStateInitFromTVC(f *testing.F) {
	for _, s := range messageFuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, boc []byte) {
		si, c, err := StateInitFromTVC(boc)
		if err != nil {
			return
		}
		got, err := si.Cell()
		if err != nil {
			t.Fatalf("resolved StateInit does not encode: %v", err)
		}
		if got.Hash() != c.Hash() {
			t.Fatalf("StateInit hash %x, cell %x", got.Hash(), c.Hash())
		}
		if _, err := ParseStateInit(c); err != nil {
			t.Fatalf("returned cell is not a StateInit: %v", err)
		}
	})
}
