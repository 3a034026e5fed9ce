package cell

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// TestExoticHashesAgainstNekoton has Everscale's own implementation hash
// BOCs holding pruned branches and Merkle proofs and updates, whose
// higher-level hashes no published vector covers.
func TestExoticHashesAgainstNekoton(t *testing.T) {
	nk := nekotontest.Start(t)
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 7))
	randomTree := func(depth int) *Cell {
		var build func(d int) *Cell
		build = func(d int) *Cell {
			n := 1 + r.IntN(64)
			b := BeginCell().StoreUInt(r.Uint64()>>(64-n), n)
			if d > 0 {
				for i := r.IntN(4); i >= 0 && b.RefsLeft() > 0; i-- {
					b.StoreRef(build(d - 1 - r.IntN(2)))
				}
			}
			c, err := b.EndCell()
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		return build(depth)
	}
	var cases []*Cell
	for i := 0; i < 60; i++ {
		orig := randomTree(2 + r.IntN(4))
		if orig.RefsNum() == 0 {
			continue
		}
		// Prune a random child of the root and wrap the result in a proof.
		k := r.IntN(orig.RefsNum())
		b := BeginCell().StoreSlice(mustSliceData(orig))
		for j, ref := range orig.refs {
			if j == k {
				ref = prune(t, ref, 1)
			}
			b.StoreRef(ref)
		}
		virtual, err := b.EndCell()
		if err != nil {
			t.Fatal(err)
		}
		proof, err := merkleProof(t, virtual, orig.Hash(), orig.Depth())
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, proof, virtual, prune(t, orig, uint8(1+r.IntN(7))))
	}
	for i, c := range cases {
		var got string
		raw, err := nk.Call("getBocHash", c.ToBase64())
		if err != nil {
			t.Fatalf("seed %d case %d: nekoton refused %s: %v", seed, i, c.Type(), err)
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if got != c.HashHex() {
			t.Fatalf("seed %d case %d (%s, level %d): nekoton hash %s, ours %s", seed, i, c.Type(), c.Level(), got, c.HashHex())
		}
	}
}

// mustSliceData is a slice over the cell's data bits only.
func mustSliceData(c *Cell) *Slice {
	s := c.BeginParse()
	s.refEnd = s.refPos
	return s
}
