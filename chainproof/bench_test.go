package chainproof

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkVerifyMasterchainProof parses and verifies one real signed
// masterchain block proof against its key block: the cost per block once
// the key block is trusted.
func BenchmarkVerifyMasterchainProof(b *testing.B) {
	for _, fs := range fixtureSets {
		b.Run(fs.dir, func(b *testing.B) {
			kb, err := ReadKeyBlock(fs.keyProof(b))
			if err != nil {
				b.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join("testdata", fs.dir, fmt.Sprintf("proof__%d", fs.from)))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				p, err := ParseBlockProof(raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := VerifySigned(p, kb); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadKeyBlock reads a key block's validators from its proof.
func BenchmarkReadKeyBlock(b *testing.B) {
	fs := fixtureSets[1]
	raw, err := os.ReadFile(filepath.Join("testdata", fs.dir, fmt.Sprintf("key_proof__%d", fs.key)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseBlockProof(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ReadKeyBlock(p); err != nil {
			b.Fatal(err)
		}
	}
}
