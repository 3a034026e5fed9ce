package cell

import (
	"encoding/base64"
	"testing"
)

// A signed deploy message of about a kilobyte: the usual size of what
// sign-cli encodes, decodes and hashes per signature.
func benchMessage(b *testing.B) []byte {
	raw, err := base64.StdEncoding.DecodeString(bocVectors[1].boc)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkDecodeBOC(b *testing.B) {
	raw := benchMessage(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := FromBOC(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeBOC(b *testing.B) {
	c, err := FromBOC(benchMessage(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = c.ToBOC()
	}
}

// BenchmarkBuildAndHash builds a 1023-bit cell with four references, which
// computes its representation hash.
func BenchmarkBuildAndHash(b *testing.B) {
	ref, _ := BeginCell().StoreUInt(1, 32).EndCell()
	data := make([]byte, 127)
	for b.Loop() {
		_, err := BeginCell().StoreBytes(data).StoreUInt(0, 7).StoreRef(ref).StoreRef(ref).StoreRef(ref).StoreRef(ref).EndCell()
		if err != nil {
			b.Fatal(err)
		}
	}
}
