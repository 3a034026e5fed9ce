package cell

import (
	"errors"
	"testing"
)

// prune makes the level-1 pruned branch standing for c inside a Merkle proof.
func prune(t testing.TB, c *Cell, mask uint8) *Cell {
	t.Helper()
	n := int(levelMask(mask).hashIndex())
	b := BeginCell().StoreUInt(uint64(PrunedBranch), 8).StoreUInt(uint64(mask), 8)
	for i := 0; i < n; i++ {
		h := c.HashAt(i)
		b.StoreBytes(h[:])
	}
	for i := 0; i < n; i++ {
		b.StoreUInt(uint64(c.DepthAt(i)), 16)
	}
	p, err := b.EndExoticCell()
	if err != nil {
		t.Fatalf("pruned branch: %v", err)
	}
	return p
}

func merkleProof(t testing.TB, virtual *Cell, origHash [32]byte, origDepth uint16) (*Cell, error) {
	t.Helper()
	return BeginCell().StoreUInt(uint64(MerkleProof), 8).StoreBytes(origHash[:]).StoreUInt(uint64(origDepth), 16).StoreRef(virtual).EndExoticCell()
}

// TestMerkleProofHashes checks the property Merkle proofs rest on: a tree
// with a subtree replaced by its pruned branch has, at level 0, the hash of
// the original tree; and a Merkle proof over it is a level-0 cell.
func TestMerkleProofHashes(t *testing.T) {
	leaf, _ := BeginCell().StoreUInt(0xdeadbeef, 32).EndCell()
	secret, _ := BeginCell().StoreUInt(42, 64).StoreRef(leaf).EndCell()
	other, _ := BeginCell().StoreBool(true).EndCell()
	orig, _ := BeginCell().StoreUInt(7, 3).StoreRef(secret).StoreRef(other).EndCell()

	pruned := prune(t, secret, 1)
	if pruned.Level() != 1 || pruned.Type() != PrunedBranch {
		t.Fatalf("pruned branch level %d type %v", pruned.Level(), pruned.Type())
	}
	if pruned.HashAt(0) != secret.Hash() || pruned.DepthAt(0) != secret.Depth() {
		t.Fatal("pruned branch does not answer level 0 with the stored hash and depth")
	}
	virtual, err := BeginCell().StoreUInt(7, 3).StoreRef(pruned).StoreRef(other).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	if virtual.Level() != 1 {
		t.Fatalf("virtual tree level %d, want 1", virtual.Level())
	}
	if virtual.HashAt(0) != orig.Hash() {
		t.Fatal("level-0 hash of the pruned tree differs from the original tree's hash")
	}
	if virtual.Hash() == orig.Hash() {
		t.Fatal("representation hash of the pruned tree equals the original's")
	}
	proof, err := merkleProof(t, virtual, orig.Hash(), orig.Depth())
	if err != nil {
		t.Fatal(err)
	}
	if proof.Level() != 0 || proof.Type() != MerkleProof {
		t.Fatalf("proof level %d type %v", proof.Level(), proof.Type())
	}
	// Round trip through a BOC keeps types, levels and hashes.
	back, err := FromBOC(proof.ToBOCWithOptions(BOCOptions{CRC32C: true}))
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != proof.Hash() || back.Type() != MerkleProof || back.Ref(0).Ref(0).Type() != PrunedBranch {
		t.Fatal("Merkle proof changed in a BOC round trip")
	}
	if back.Ref(0).HashAt(0) != orig.Hash() {
		t.Fatal("decoded virtual tree lost its level-0 hash")
	}

	// A proof that claims another tree is refused.
	if _, err := merkleProof(t, virtual, other.Hash(), orig.Depth()); !errors.Is(err, ErrInvalidCell) {
		t.Fatalf("proof with a wrong hash: %v", err)
	}
	if _, err := merkleProof(t, virtual, orig.Hash(), orig.Depth()+1); !errors.Is(err, ErrInvalidCell) {
		t.Fatalf("proof with a wrong depth: %v", err)
	}
}

func TestMerkleUpdate(t *testing.T) {
	a, _ := BeginCell().StoreUInt(1, 8).EndCell()
	b, _ := BeginCell().StoreUInt(2, 8).EndCell()
	oldRoot, _ := BeginCell().StoreRef(a).EndCell()
	newRoot, _ := BeginCell().StoreRef(b).EndCell()
	oldV, _ := BeginCell().StoreRef(prune(t, a, 1)).EndCell()
	oh, nh := oldRoot.Hash(), newRoot.Hash()
	upd, err := BeginCell().StoreUInt(uint64(MerkleUpdate), 8).StoreBytes(oh[:]).StoreBytes(nh[:]).
		StoreUInt(uint64(oldRoot.Depth()), 16).StoreUInt(uint64(newRoot.Depth()), 16).
		StoreRef(oldV).StoreRef(newRoot).EndExoticCell()
	if err != nil {
		t.Fatal(err)
	}
	if upd.Level() != 0 {
		t.Fatalf("update level %d", upd.Level())
	}
	back, err := FromBOC(upd.ToBOC())
	if err != nil || back.Hash() != upd.Hash() {
		t.Fatalf("round trip: %v", err)
	}
}

func TestPrunedBranchLevels(t *testing.T) {
	deep, _ := BeginCell().StoreUInt(99, 16).EndCell()
	// Mask 2: pruned at level 2 only; levels 0 and 1 both answer with the stored hash.
	p := prune(t, deep, 2)
	if p.Level() != 2 || p.HashAt(0) != deep.Hash() || p.HashAt(1) != deep.Hash() {
		t.Fatal("mask-2 pruned branch answers lower levels wrongly")
	}
	if p.HashAt(2) == deep.Hash() || p.HashAt(2) != p.Hash() {
		t.Fatal("mask-2 pruned branch's own hash is wrong")
	}
	// Mask 3: two stored hashes.
	p3 := prune(t, deep, 3)
	if p3.BitsSize() != (2+2*34)*8 {
		t.Fatalf("mask-3 pruned branch has %d bits", p3.BitsSize())
	}
	back, err := FromBOC(p3.ToBOC())
	if err != nil || back.Hash() != p3.Hash() || back.Level() != 2 {
		t.Fatalf("mask-3 round trip: %v", err)
	}
}

func TestExoticLayoutErrors(t *testing.T) {
	h := [32]byte{}
	tests := []struct {
		name string
		b    *Builder
	}{
		{"no type byte", BeginCell().StoreUInt(1, 4)},
		{"unknown type", BeginCell().StoreUInt(9, 8)},
		{"pruned zero mask", BeginCell().StoreUInt(1, 8).StoreUInt(0, 8).StoreBytes(h[:]).StoreUInt(0, 16)},
		{"pruned mask 8", BeginCell().StoreUInt(1, 8).StoreUInt(8, 8).StoreBytes(h[:]).StoreUInt(0, 16)},
		{"pruned short", BeginCell().StoreUInt(1, 8).StoreUInt(1, 8).StoreBytes(h[:])},
		{"pruned with ref", BeginCell().StoreUInt(1, 8).StoreUInt(1, 8).StoreBytes(h[:]).StoreUInt(0, 16).StoreRef(EmptyCell)},
		{"library short", BeginCell().StoreUInt(2, 8).StoreBytes(h[:31])},
		{"merkle proof without ref", BeginCell().StoreUInt(3, 8).StoreBytes(h[:]).StoreUInt(0, 16)},
		{"merkle update with one ref", BeginCell().StoreUInt(4, 8).StoreBytes(h[:]).StoreBytes(h[:]).StoreUInt(0, 32).StoreRef(EmptyCell)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.b.EndExoticCell(); !errors.Is(err, ErrInvalidCell) {
				t.Fatalf("error = %v, want ErrInvalidCell", err)
			}
		})
	}
	lib, err := BeginCell().StoreUInt(2, 8).StoreBytes(h[:]).EndExoticCell()
	if err != nil || lib.Type() != Library || lib.Level() != 0 {
		t.Fatalf("library cell: %v", err)
	}
}

func TestDepthLimit(t *testing.T) {
	c := EmptyCell
	var err error
	for i := 0; i < MaxDepth; i++ {
		c, err = BeginCell().StoreRef(c).EndCell()
		if err != nil {
			t.Fatalf("depth %d: %v", i+1, err)
		}
	}
	if _, err := BeginCell().StoreRef(c).EndCell(); !errors.Is(err, ErrCellOverflow) {
		t.Fatalf("depth %d accepted: %v", MaxDepth+1, err)
	}
	// A BOC of that chain decodes (no recursion limits hit) and re-encodes.
	if back, err := FromBOC(c.ToBOC()); err != nil || back.Hash() != c.Hash() {
		t.Fatalf("deep BOC: %v", err)
	}
}
