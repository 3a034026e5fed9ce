package cell

import (
	"bytes"
	"fmt"
)

// LookupDict finds one key of the Hashmap whose root is given (nil for an
// empty dictionary), reading only the cells on the key's path, and returns
// a slice positioned after the key's last label: on the value of a Hashmap,
// on the augmentation then the value of a HashmapAug. A key that is not in
// the dictionary gives nil and no error.
//
// With aug set, a fork's bits after its label are its augmentation and are
// skipped; without it a fork must hold nothing but its two references.
//
// Merkle proofs keep the path to what they prove and prune the rest, so a
// path that enters a pruned branch is an error wrapping ErrPruned: the
// proof says nothing about that key, neither that it is there nor that it
// is not.
func LookupDict(root *Cell, keyLen int, key []byte, aug bool) (*Slice, error) {
	if root == nil {
		return nil, checkLookupKey(keyLen, key)
	}
	s, err := lookupOpen(root, key, 0)
	if err != nil {
		return nil, err
	}
	return LookupDictIn(s, keyLen, key, aug)
}

// LookupDictIn is LookupDict for a dictionary whose root node is stored in
// line, as TL-B's non-empty `Hashmap n X` field is: s is positioned on the
// root's label, and nodes below it are read from their cells.
func LookupDictIn(s *Slice, keyLen int, key []byte, aug bool) (*Slice, error) {
	if err := checkLookupKey(keyLen, key); err != nil {
		return nil, err
	}
	want := make([]byte, len(key))
	copy(want, key)
	if keyLen%8 != 0 {
		want[len(want)-1] &^= 0xff >> (keyLen % 8)
	}
	got := make([]byte, len(key))
	for pos := 0; ; {
		n, err := loadLabel(s, got, pos, keyLen-pos)
		if err != nil {
			return nil, fmt.Errorf("looking up dictionary key %x at key bit %d: %w", key, pos, err)
		}
		for i := pos; i < pos+n; i++ {
			if keyBit(got, i) != keyBit(want, i) {
				return nil, nil
			}
		}
		pos += n
		if pos == keyLen {
			if !bytes.Equal(got, want) {
				return nil, nil
			}
			return s, nil
		}
		if s.RefsLeft() < 2 || (!aug && (s.RefsLeft() != 2 || s.BitsLeft() != 0)) {
			return nil, fmt.Errorf("looking up dictionary key %x: fork at key bit %d has %d bits and %d refs after the label: %w", key, pos, s.BitsLeft(), s.RefsLeft(), ErrInvalidDict)
		}
		bit := keyBit(want, pos)
		setKeyBit(got, pos, uint64(bit))
		pos++
		if s, err = lookupOpen(s.cell.refs[s.refPos+int(bit)], key, pos); err != nil {
			return nil, err
		}
	}
}

func checkLookupKey(keyLen int, key []byte) error {
	if keyLen < 1 || keyLen > MaxBits {
		return fmt.Errorf("looking up dictionary: key length %d out of 1..%d: %w", keyLen, MaxBits, ErrValueRange)
	}
	if len(key) != (keyLen+7)/8 {
		return fmt.Errorf("looking up dictionary: key has %d bytes, want %d for %d bits: %w", len(key), (keyLen+7)/8, keyLen, ErrValueRange)
	}
	return nil
}

// lookupOpen opens a dictionary node, refusing pruned and other exotic cells.
func lookupOpen(c *Cell, key []byte, pos int) (*Slice, error) {
	if c.Type() == PrunedBranch {
		return nil, fmt.Errorf("looking up dictionary key %x at key bit %d: %w", key, pos, ErrPruned)
	}
	if c.IsExotic() {
		return nil, fmt.Errorf("looking up dictionary key %x at key bit %d: %s cell: %w", key, pos, c.Type(), ErrInvalidDict)
	}
	return c.BeginParse(), nil
}
