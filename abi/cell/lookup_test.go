package cell

import (
	"errors"
	"testing"
)

func TestLookupDictAndMerkleProof(t *testing.T) {
	var entries []DictEntry
	for i := 0; i < 40; i += 3 {
		entries = append(entries, DictEntry{Key: []byte{byte(i), 0}, Value: BeginCell().StoreUInt(uint64(i)*7, 16)})
	}
	root, err := BuildDict(12, entries)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := LookupDict(root, 12, []byte{9, 0}, false); err != nil || s == nil {
		t.Fatalf("key 9 in the full dictionary: %v, %v", s, err)
	}
	proof, err := NewMerkleProof(root, func(c *Cell) bool {
		// a cell is on key 9's path when the lookup from it finds key 9's
		// value bits; cheap enough for a small dictionary
		return containsValue(c, 9*7)
	})
	if err != nil {
		t.Fatal(err)
	}
	if proof.Type() != MerkleProof || proof.Level() != 0 {
		t.Fatalf("proof type %v level %d", proof.Type(), proof.Level())
	}
	virtual := proof.Ref(0)
	if virtual.HashAt(0) != root.Hash() {
		t.Fatal("the proof's tree does not hash to the dictionary's root at level 0")
	}
	tests := []struct {
		key     []byte
		want    int64 // -1: absent
		wantErr error
	}{
		{[]byte{9, 0}, 63, nil},
		{[]byte{12, 0}, 0, ErrPruned},
		{[]byte{0, 0}, 0, ErrPruned},
	}
	for _, tc := range tests {
		s, err := LookupDict(virtual, 12, tc.key, false)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("key %x: error %v, want %v", tc.key, err, tc.wantErr)
			}
			continue
		}
		if err != nil || s == nil {
			t.Fatalf("key %x: %v, %v", tc.key, s, err)
		}
		if v, _ := s.LoadUInt(16); int64(v) != tc.want {
			t.Errorf("key %x: value %d, want %d", tc.key, v, tc.want)
		}
	}
	// In the full dictionary an absent key is reported as absent.
	for _, k := range [][]byte{{10, 0}, {255, 0xf0}} {
		if s, err := LookupDict(root, 12, k, false); s != nil || err != nil {
			t.Errorf("absent key %x: %v, %v", k, s, err)
		}
	}
	if _, err := ParseDict(virtual, 12); !errors.Is(err, ErrPruned) || !errors.Is(err, ErrInvalidDict) {
		t.Errorf("parsing a pruned dictionary: %v, want ErrPruned and ErrInvalidDict", err)
	}
}

// containsValue reports whether the tree under c holds a 16-bit value v in
// a leaf.
func containsValue(c *Cell, v uint64) bool {
	if c.bits >= 16 && c.bitsAt(int(c.bits)-16, 16) == v && len(c.refs) == 0 {
		return true
	}
	for _, r := range c.refs {
		if containsValue(r, v) {
			return true
		}
	}
	return false
}

// TestParseDictLimitSharedCells builds a dictionary of 33 cells and 2^32
// entries, each fork's two children one shared cell: the limit stops it.
func TestParseDictLimitSharedCells(t *testing.T) {
	node, _ := BeginCell().StoreUInt(0, 2).StoreUInt(1, 8).EndCell() // empty label, value
	for i := 0; i < 32; i++ {
		node, _ = BeginCell().StoreUInt(0, 2).StoreRef(node).StoreRef(node).EndCell()
	}
	items, err := ParseDictLimit(node, 32, 1000)
	if !errors.Is(err, ErrInvalidDict) || items != nil {
		t.Fatalf("%d items, %v", len(items), err)
	}
	small := node // the 2-bit dictionary 30 forks down: 4 entries
	for i := 0; i < 30; i++ {
		small = small.Ref(0)
	}
	if items, err := ParseDictLimit(small, 2, 4); err != nil || len(items) != 4 {
		t.Fatalf("4 entries under a limit of 4: %d, %v", len(items), err)
	}
	// Building a Merkle proof of it visits each distinct cell once.
	if _, err := NewMerkleProof(node, func(*Cell) bool { return true }); err != nil {
		t.Fatal(err)
	}
}
