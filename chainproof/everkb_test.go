package chainproof

import (
	"errors"
	"os"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// everKeyBlock is ever-sdk's key_block.boc: a full key block (#1159) of an
// Everscale test network with two workchains, each split into 16 shards.
func everKeyBlock(t testing.TB) (*cell.Cell, *Block) {
	t.Helper()
	raw, err := os.ReadFile("testdata/key_block.boc")
	if err != nil {
		t.Fatal(err)
	}
	root, err := cell.FromBOC(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BlockFromBOC(raw, root.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return root, b
}

// proofKeeping is a block proof of root that keeps the cells keep accepts.
func proofKeeping(t testing.TB, root *cell.Cell, keep func(*cell.Cell) bool) *BlockProof {
	t.Helper()
	proof, err := cell.NewMerkleProof(root, keep)
	if err != nil {
		t.Fatal(err)
	}
	return &BlockProof{ID: BlockID{Shard: MasterchainShard, SeqNo: 1159, RootHash: root.Hash()}, Root: proof}
}

func TestEverscaleKeyBlock(t *testing.T) {
	root, b := everKeyBlock(t)
	if _, err := BlockFromBOC(root.ToBOC(), [32]byte{1}); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("full block under another hash: %v", err)
	}
	kb, err := ReadKeyBlock(proofKeeping(t, root, func(*cell.Cell) bool { return true }))
	if err != nil {
		t.Fatal(err)
	}
	if b.GlobalID != 42 || kb.Workchains != 2 || kb.Validators.Total != 21 || kb.Validators.Main != 7 || !kb.Catchain.ShuffleMcValidators {
		t.Fatalf("global id %d, %d workchains, %d/%d validators, shuffle %v", b.GlobalID, kb.Workchains, kb.Validators.Main, kb.Validators.Total, kb.Catchain.ShuffleMcValidators)
	}
	subset, _, err := kb.Validators.McSubset(kb.Catchain, kb.Workchains, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range subset {
		if wc := workchainOf(v); wc == 0 || wc == 1 {
			t.Errorf("validator of workchain %d in the masterchain subset", wc)
		}
	}

	addrs := [][32]byte{{}, {0x47, 0xff}, {0x80}, {0xff, 0xff}}
	for _, wc := range []int32{0, 1} {
		for _, a := range addrs {
			id, d, err := b.ShardOf(wc, a)
			if err != nil {
				t.Fatalf("shard of %d:%x: %v", wc, a[:2], err)
			}
			if id.Workchain != wc || !id.Contains(a) || id.PrefixLen() != 4 || d.RegMcSeqNo > 1159 || d.SeqNo == 0 {
				t.Errorf("shard of %d:%x: %s, %+v", wc, a[:2], id, d)
			}
			top := BlockID{Shard: id, SeqNo: d.SeqNo, RootHash: d.RootHash, FileHash: d.FileHash}
			if err := b.CheckShardTop(top); err != nil {
				t.Errorf("shard top %s: %v", top, err)
			}
			top.RootHash[0] ^= 1
			if err := b.CheckShardTop(top); !errors.Is(err, ErrHashMismatch) {
				t.Errorf("shard top with a wrong hash: %v", err)
			}
		}
	}
	for _, s := range []ShardID{{Workchain: 2, Prefix: 1 << 63}, {Workchain: 0, Prefix: 1 << 63}, {Workchain: 0, Prefix: 0x0c00000000000000}} {
		if _, err := b.ShardTop(s); !errors.Is(err, ErrNotFound) {
			t.Errorf("shard %s: %v", s, err)
		}
	}
}

// TestProofReadsNoPrunedBranch proves one shard of the key block and
// checks that what the proof leaves out cannot be read.
func TestProofReadsNoPrunedBranch(t *testing.T) {
	root, full := everKeyBlock(t)
	target := [32]byte{0x47}
	_, want, err := full.ShardOf(0, target)
	if err != nil {
		t.Fatal(err)
	}
	// Prune the config, the account blocks, the upper half of workchain
	// 0's shards and all of workchain 1's.
	prune := map[[32]byte]bool{}
	for _, c := range prunedParts(t, root) {
		prune[c.Hash()] = true
	}
	p := proofKeeping(t, root, func(c *cell.Cell) bool { return !prune[c.Hash()] })
	b, err := BlockFromProof(p.Root, p.ID.RootHash)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := b.ShardOf(0, target)
	if err != nil || *got != *want {
		t.Fatalf("proved shard: %+v, %v", got, err)
	}
	tests := []struct {
		name string
		read func() error
	}{
		{"other shard", func() error { _, _, err := b.ShardOf(0, [32]byte{0x80}); return err }},
		{"other workchain", func() error { _, _, err := b.ShardOf(1, target); return err }},
		{"config", func() error { _, err := ReadKeyBlock(p); return err }},
		{"transactions", func() error { _, err := b.Transaction([32]byte{}, 1); return err }},
	}
	for _, tc := range tests {
		if err := tc.read(); !errors.Is(err, ErrPruned) {
			t.Errorf("%s: %v, want ErrPruned", tc.name, err)
		}
	}
}

// prunedParts finds, by reading the block, the parts
// TestProofReadsNoPrunedBranch prunes.
func prunedParts(t *testing.T, root *cell.Cell) []*cell.Cell {
	t.Helper()
	extra := root.Ref(3)
	mc := extra.Ref(3)
	if tag, _ := extra.BeginParse().LoadUInt(32); tag != tagBlockExtra {
		mc = mc.Ref(0)
	}
	shards := mc.Ref(0)
	config := mc.Ref(mc.RefsNum() - 1)
	tree := func(wc byte) *cell.Cell {
		s, err := cell.LookupDict(shards, 32, []byte{0, 0, 0, wc}, false)
		if err != nil || s == nil {
			t.Fatalf("workchain %d: %v", wc, err)
		}
		c, _ := s.LoadRef()
		return c
	}
	return []*cell.Cell{config, extra.Ref(2), tree(0).Ref(1), tree(1)}
}
