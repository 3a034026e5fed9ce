package chainproof

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// fixtureSet is one of ever-sdk's sets of real masterchain block proofs: a
// key block and the signed blocks after it.
type fixtureSet struct {
	dir      string
	key      uint32
	from, to uint32
	// keyRootHash pins the key block as a real anchor list would.
	keyRootHash string
	validators  int
	main        int
	shuffle     bool
}

var fixtureSets = []fixtureSet{
	{"test_master_block_proof", 3082181, 3082182, 3082201, "ae16b67c2be0c0b0bf1789f0354b889df100975f2950844d95e86c8aa0a04ab1", 13, 13, false},
	{"test_master_block_proof_shuffle", 3236530, 3236531, 3236550, "3b4d75838628ffa3956178458ff818f89fbf2271bdb1d01e93667dc4bdba2799", 117, 100, true},
}

func readProof(t testing.TB, dir, name string) *BlockProof {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseBlockProof(raw)
	if err != nil {
		t.Fatalf("%s/%s: %v", dir, name, err)
	}
	return p
}

func (fs fixtureSet) keyProof(t testing.TB) *BlockProof {
	return readProof(t, fs.dir, fmt.Sprintf("key_proof__%d", fs.key))
}

func (fs fixtureSet) proof(t testing.TB, seq uint32) *BlockProof {
	return readProof(t, fs.dir, fmt.Sprintf("proof__%d", seq))
}

// network is a network anchored at the set's key block alone.
func (fs fixtureSet) network(t testing.TB) *Network {
	t.Helper()
	var a Anchor
	a.SeqNo = fs.key
	h, err := hex.DecodeString(fs.keyRootHash)
	if err != nil || len(h) != 32 {
		t.Fatalf("anchor hash %q", fs.keyRootHash)
	}
	copy(a.RootHash[:], h)
	n, err := NewNetwork("fixture", []Anchor{a})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVerifyRealMasterchainProofs(t *testing.T) {
	for _, fs := range fixtureSets {
		t.Run(fs.dir, func(t *testing.T) {
			v := NewVerifier(fs.network(t))
			kb, err := v.AddKeyBlock(fs.keyProof(t))
			if err != nil {
				t.Fatalf("anchored key block: %v", err)
			}
			if len(kb.Validators.List) != fs.validators || int(kb.Validators.Main) != fs.main || kb.Catchain.ShuffleMcValidators != fs.shuffle {
				t.Fatalf("key block: %d validators, main %d, shuffle %v", len(kb.Validators.List), kb.Validators.Main, kb.Catchain.ShuffleMcValidators)
			}
			for seq := fs.from; seq <= fs.to; seq++ {
				p := fs.proof(t, seq)
				_, info, err := v.VerifyBlock(p)
				if err != nil {
					t.Errorf("block %d: %v", seq, err)
					continue
				}
				if info.SeqNo != seq || info.PrevKeyBlockSeqNo != fs.key || info.Prev[0].SeqNo != seq-1 {
					t.Errorf("block %d: info seq_no %d, prev key %d, prev %d", seq, info.SeqNo, info.PrevKeyBlockSeqNo, info.Prev[0].SeqNo)
				}
			}
		})
	}
}

// TestShuffleMatters checks that the shuffled set's subset is not simply
// the first `main` validators: the fixture passes only because the
// shuffle is computed as the network computes it.
func TestShuffleMatters(t *testing.T) {
	fs := fixtureSets[1]
	kb, err := ReadKeyBlock(fs.keyProof(t))
	if err != nil {
		t.Fatal(err)
	}
	p := fs.proof(t, fs.from)
	cc := kb.Catchain
	cc.ShuffleMcValidators = false
	_, plain, _ := kb.Validators.McSubset(cc, 1, p.Signatures.CatchainSeqNo)
	subset, shuffled, _ := kb.Validators.McSubset(kb.Catchain, 1, p.Signatures.CatchainSeqNo)
	if plain == p.Signatures.ValidatorListHashShort || shuffled != p.Signatures.ValidatorListHashShort {
		t.Fatalf("list hash %08x: unshuffled %08x, shuffled %08x", p.Signatures.ValidatorListHashShort, plain, shuffled)
	}
	if len(subset) != fs.main {
		t.Fatalf("subset of %d, want %d", len(subset), fs.main)
	}
	seen := map[[32]byte]bool{}
	for _, v := range subset {
		if seen[v.PublicKey] {
			t.Fatal("shuffled subset repeats a validator")
		}
		seen[v.PublicKey] = true
	}
}

func TestToCellRoundTrip(t *testing.T) {
	for _, fs := range fixtureSets {
		raw, _ := os.ReadFile(filepath.Join("testdata", fs.dir, fmt.Sprintf("proof__%d", fs.from)))
		orig, _ := cell.FromBOC(raw)
		p := fs.proof(t, fs.from)
		c, err := p.ToCell()
		if err != nil {
			t.Fatal(err)
		}
		if c.Hash() != orig.Hash() {
			t.Errorf("%s: re-encoded proof hashes differently", fs.dir)
		}
	}
}

// reencode makes a BlockProof cell and parses it back, as an endpoint's
// answer would arrive.
func reencode(t *testing.T, p *BlockProof) (*BlockProof, error) {
	t.Helper()
	c, err := p.ToCell()
	if err != nil {
		t.Fatal(err)
	}
	return ParseBlockProof(c.ToBOC())
}

// rebuild returns c with reference i replaced.
func rebuild(t *testing.T, c *cell.Cell, i int, ref *cell.Cell) *cell.Cell {
	t.Helper()
	b := cell.BeginCell().StoreBits(c.Data(), c.BitsSize())
	for j, r := range c.Refs() {
		if j == i {
			r = ref
		}
		b.StoreRef(r)
	}
	n, err := b.EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func merkleProofOf(t *testing.T, virtual *cell.Cell) *cell.Cell {
	t.Helper()
	h := virtual.HashAt(0)
	p, err := cell.BeginCell().StoreUInt(uint64(cell.MerkleProof), 8).StoreBytes(h[:]).
		StoreUInt(uint64(virtual.DepthAt(0)), 16).StoreRef(virtual).EndExoticCell()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// withBlock replaces the proof's block with one changed by edit and, when
// rehash is set, renames the proof after the changed block's hash, as a
// forger would.
func withBlock(t *testing.T, p *BlockProof, rehash bool, edit func(block *cell.Cell) *cell.Cell) {
	t.Helper()
	block := edit(p.Root.Ref(0))
	p.Root = merkleProofOf(t, block)
	if rehash {
		p.ID.RootHash = block.HashAt(0)
	}
}

// withPrevRef points the block's prev_ref at a made-up block of seq_no.
func withPrevRef(t *testing.T, p *BlockProof, seq uint32, rehash bool) {
	withBlock(t, p, rehash, func(block *cell.Cell) *cell.Cell {
		prev, _ := cell.BeginCell().StoreUInt(1, 64).StoreUInt(uint64(seq), 32).StoreZeros(512).EndCell()
		return rebuild(t, block, 0, rebuild(t, block.Ref(0), 0, prev))
	})
}

func TestVerifyRejects(t *testing.T) {
	fs := fixtureSets[0]
	kb, err := ReadKeyBlock(fs.keyProof(t))
	if err != nil {
		t.Fatal(err)
	}
	otherKB, err := ReadKeyBlock(fixtureSets[1].keyProof(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(t *testing.T, p *BlockProof)
		kb   *KeyBlock
		want error
	}{
		{"flipped signature", func(t *testing.T, p *BlockProof) { p.Signatures.List[0].Sig[5] ^= 1 }, kb, ErrNotSigned},
		{"wrong file hash", func(t *testing.T, p *BlockProof) { p.ID.FileHash[0] ^= 1 }, kb, ErrNotSigned},
		{"duplicated signer", func(t *testing.T, p *BlockProof) {
			p.Signatures.List = append(p.Signatures.List, p.Signatures.List[0])
		}, kb, ErrNotSigned},
		{"too little weight", func(t *testing.T, p *BlockProof) {
			p.Signatures.List = p.Signatures.List[:len(p.Signatures.List)/2]
		}, kb, ErrNotSigned},
		{"no signatures", func(t *testing.T, p *BlockProof) { p.Signatures = nil }, kb, ErrNotSigned},
		{"wrong validator list hash", func(t *testing.T, p *BlockProof) { p.Signatures.ValidatorListHashShort ^= 1 }, kb, ErrNotSigned},
		{"wrong catchain seqno", func(t *testing.T, p *BlockProof) { p.Signatures.CatchainSeqNo++ }, kb, ErrNotSigned},
		{"other key block", func(t *testing.T, p *BlockProof) {}, otherKB, ErrInvalid},
		{"wrong seq_no", func(t *testing.T, p *BlockProof) { p.ID.SeqNo++ }, kb, ErrInvalid},
		{"wrong shard", func(t *testing.T, p *BlockProof) { p.ID.Shard.Workchain = 0 }, kb, ErrInvalid},
		{"wrong root hash", func(t *testing.T, p *BlockProof) { p.ID.RootHash[31] ^= 1 }, kb, ErrHashMismatch},
		{"broken prev_ref", func(t *testing.T, p *BlockProof) { withPrevRef(t, p, p.ID.SeqNo-1, false) }, kb, ErrHashMismatch},
		{"prev_ref to another seq_no, renamed", func(t *testing.T, p *BlockProof) { withPrevRef(t, p, p.ID.SeqNo-2, true) }, kb, ErrInvalid},
		{"block info pruned", func(t *testing.T, p *BlockProof) {
			withBlock(t, p, false, func(block *cell.Cell) *cell.Cell {
				pruned, err := cell.PrunedBranchOf(block.Ref(0))
				if err != nil {
					t.Fatal(err)
				}
				return rebuild(t, block, 0, pruned)
			})
		}, kb, ErrPruned},
		{"unknown block tag, renamed", func(t *testing.T, p *BlockProof) {
			withBlock(t, p, true, func(block *cell.Cell) *cell.Cell {
				d := block.Data()
				d[0] ^= 0x40
				b := cell.BeginCell().StoreBits(d, block.BitsSize())
				for _, r := range block.Refs() {
					b.StoreRef(r)
				}
				c, _ := b.EndCell()
				return c
			})
		}, kb, ErrUnknownTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fs.proof(t, fs.from)
			if _, _, err := VerifySigned(p, tc.kb); tc.kb == kb && err != nil {
				t.Fatalf("the untouched proof fails: %v", err)
			}
			tc.edit(t, p)
			p2, err := reencode(t, p)
			if err == nil {
				_, _, err = VerifySigned(p2, tc.kb)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestWeightThreshold removes signatures one by one: verification must
// pass exactly while the signers weigh more than two thirds.
func TestWeightThreshold(t *testing.T) {
	fs := fixtureSets[1]
	kb, err := ReadKeyBlock(fs.keyProof(t))
	if err != nil {
		t.Fatal(err)
	}
	p := fs.proof(t, fs.from)
	subset, _, _ := kb.Validators.McSubset(kb.Catchain, kb.Workchains, p.Signatures.CatchainSeqNo)
	weight := map[[32]byte]uint64{}
	var total uint64
	for _, v := range subset {
		weight[NodeIDShort(v.PublicKey)] = v.Weight
		total += v.Weight
	}
	all := p.Signatures.List
	for n := len(all); n >= 0; n-- {
		var w uint64
		for _, s := range all[:n] {
			w += weight[s.NodeIDShort]
		}
		p.Signatures.List = all[:n]
		_, err := CheckSignatures(p.ID, p.Signatures, subset)
		if enough := 3*w > 2*total; enough != (err == nil) {
			t.Fatalf("%d signatures weighing %d of %d: %v", n, w, total, err)
		}
		if err != nil && !errors.Is(err, ErrNotSigned) {
			t.Fatalf("%d signatures: %v", n, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	fs := fixtureSets[0]
	raw, _ := os.ReadFile(filepath.Join("testdata", fs.dir, fmt.Sprintf("proof__%d", fs.from)))
	root, _ := cell.FromBOC(raw)
	tagged := func(tag uint64, bits int) *cell.Cell {
		s := cell.BeginCell().StoreUInt(tag, bits)
		rest := root.BeginParse()
		rest.Skip(bits)
		s.StoreSlice(rest)
		c, err := s.EndCell()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	p := fs.proof(t, fs.from)
	tests := []struct {
		name string
		c    func() *cell.Cell
		want error
	}{
		{"unknown proof tag", func() *cell.Cell { return tagged(0xc4, 8) }, ErrUnknownTag},
		{"unknown signatures tag", func() *cell.Cell {
			c, _ := p.ToCell()
			sc := c.Ref(1)
			s := sc.BeginParse()
			s.Skip(8)
			n, _ := cell.BeginCell().StoreUInt(0x12, 8).StoreSlice(s).EndCell()
			return rebuild(t, c, 1, n)
		}, ErrUnknownTag},
		{"root is not a merkle proof", func() *cell.Cell { return rebuild(t, root, 0, root.Ref(0).Ref(0)) }, ErrInvalid},
		{"truncated", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(0xc3, 8).StoreUInt(0, 20).EndCell()
			return c
		}, cell.ErrNotEnoughData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBlockProof(tc.c().ToBOC())
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
