package chainproof

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// The parsers read what an endpoint sends: whatever the bytes, they must
// return an error or a value, never panic.

func FuzzParseBlockProof(f *testing.F) {
	for _, fs := range fixtureSets {
		raw, _ := os.ReadFile(filepath.Join("testdata", fs.dir, fmt.Sprintf("key_proof__%d", fs.key)))
		f.Add(raw)
		raw, _ = os.ReadFile(filepath.Join("testdata", fs.dir, fmt.Sprintf("proof__%d", fs.from)))
		f.Add(raw)
	}
	ch := buildTestChain(f)
	for _, p := range append(ch.keyProofs, ch.mc) {
		c, _ := p.ToCell()
		f.Add(c.ToBOC())
	}
	kb := ch.keyProofs[1]
	key, err := ReadKeyBlock(kb)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseBlockProof(data)
		if err != nil {
			return
		}
		if k, err := ReadKeyBlock(p); err == nil {
			k.Validators.McSubset(k.Catchain, k.Workchains, 1)
		}
		if _, _, err := VerifySigned(p, key); err == nil && p.ID != ch.mc.ID {
			t.Fatalf("a block the key block's validators did not sign verifies: %s", p.ID)
		}
	})
}

func FuzzBlock(f *testing.F) {
	raw, _ := os.ReadFile("testdata/key_block.boc")
	f.Add(raw)
	ch := buildTestChain(f)
	f.Add(ch.mcBlock.ToBOC())
	f.Add(ch.shard.ToBOC())
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := cell.DecodeBOC(data, cell.DecodeLimits{MaxCells: 1 << 12, MaxRoots: 1})
		if err != nil || len(root) != 1 {
			return
		}
		ReadTransaction(root[0])
		b, err := BlockFromBOC(data, root[0].HashAt(0))
		if err != nil {
			return
		}
		b.Info()
		b.ShardOf(0, ch.account)
		b.ShardTop(ShardID{Workchain: 0, Prefix: 0x18 << 56})
		b.Transaction(ch.account, ch.txLT)
		proof, err := cell.NewMerkleProof(root[0], func(*cell.Cell) bool { return true })
		if err == nil {
			ReadKeyBlock(&BlockProof{ID: BlockID{Shard: MasterchainShard, SeqNo: 1, RootHash: root[0].HashAt(0)}, Root: proof})
		}
	})
}

func FuzzDecodeAnchors(f *testing.F) {
	f.Add(mainnetAnchors[:36*3])
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeAnchors(data)
		if err != nil {
			return
		}
		if len(a)*36 != len(data) {
			t.Fatalf("%d bytes gave %d anchors", len(data), len(a))
		}
		for i := 1; i < len(a); i++ {
			if a[i].SeqNo <= a[i-1].SeqNo {
				t.Fatal("anchors out of order")
			}
		}
	})
}
