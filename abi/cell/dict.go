package cell

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"sort"
)

// ErrInvalidDict: a dictionary (TVM Hashmap) whose layout is wrong.
var ErrInvalidDict = errors.New("invalid dictionary")

// DictEntry is one key of a dictionary and what its leaf holds after the
// key's last label: the value's bits and references.
type DictEntry struct {
	// Key is KeyLen bits, most significant first, in ceil(KeyLen/8) bytes.
	Key   []byte
	Value *Builder
}

// DictItem is one entry read from a dictionary: the key bits and a slice
// positioned on the value.
type DictItem struct {
	Key   []byte
	Value *Slice
}

// BuildDict builds the root cell of a TVM Hashmap with keyLen-bit keys
// (1..1023) from entries in any order. An empty dictionary has no root and
// gives nil; a HashmapE stores it with StoreMaybeRef. The tree is the unique
// Patricia tree of the key set and labels use the shortest of the three
// TL-B forms, as ever-block chooses them, so equal key sets give equal
// hashes.
func BuildDict(keyLen int, entries []DictEntry) (*Cell, error) {
	if keyLen < 1 || keyLen > MaxBits {
		return nil, fmt.Errorf("building dictionary: key length %d out of 1..%d: %w", keyLen, MaxBits, ErrValueRange)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	keyBytes := (keyLen + 7) / 8
	sorted := make([]DictEntry, len(entries))
	copy(sorted, entries)
	for i, e := range sorted {
		if len(e.Key) != keyBytes {
			return nil, fmt.Errorf("building dictionary: key %d has %d bytes, want %d for %d bits: %w", i, len(e.Key), keyBytes, keyLen, ErrValueRange)
		}
		if e.Value == nil {
			return nil, fmt.Errorf("building dictionary: key %x has no value: %w", e.Key, ErrValueRange)
		}
		if keyLen%8 != 0 && e.Key[keyBytes-1]&(0xff>>(keyLen%8)) != 0 {
			return nil, fmt.Errorf("building dictionary: key %x has bits set past bit %d: %w", e.Key, keyLen, ErrValueRange)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i].Key, sorted[j].Key) < 0 })
	for i := 1; i < len(sorted); i++ {
		if bytes.Equal(sorted[i-1].Key, sorted[i].Key) {
			return nil, fmt.Errorf("building dictionary: duplicate key %x: %w", sorted[i].Key, ErrValueRange)
		}
	}
	return buildNode(sorted, 0, keyLen)
}

// keyBit returns bit i of a key.
func keyBit(key []byte, i int) byte { return (key[i/8] >> (7 - i%8)) & 1 }

// buildNode builds the node for sorted entries sharing their first pos bits,
// with m = keyLen-pos bits left.
func buildNode(entries []DictEntry, pos, keyLen int) (*Cell, error) {
	m := keyLen - pos
	first := entries[0].Key
	n := sharedLabel(entries, DictEntry.key, pos, m)
	b := BeginCell()
	storeLabel(b, first, pos, n, m)
	if n == m {
		b.StoreBuilder(entries[0].Value)
		c, err := b.EndCell()
		if err != nil {
			return nil, fmt.Errorf("building dictionary leaf %x: %w", first, err)
		}
		return c, nil
	}
	i := forkAt(entries, DictEntry.key, pos+n)
	left, err := buildNode(entries[:i], pos+n+1, keyLen)
	if err != nil {
		return nil, err
	}
	right, err := buildNode(entries[i:], pos+n+1, keyLen)
	if err != nil {
		return nil, err
	}
	return b.StoreRef(left).StoreRef(right).EndCell()
}

func (e DictEntry) key() []byte { return e.Key }

// sharedLabel is the length of the label of a node over sorted entries
// sharing their first pos bits, with m bits left: the prefix every key
// shares, which with sorted keys is the prefix the first and last share.
func sharedLabel[T any](entries []T, key func(T) []byte, pos, m int) int {
	if len(entries) == 1 {
		return m
	}
	first, last := key(entries[0]), key(entries[len(entries)-1])
	n := 0
	for n < m && keyBit(first, pos+n) == keyBit(last, pos+n) {
		n++
	}
	return n
}

// forkAt is where sorted entries split at key bit split: the first whose
// bit there is 1.
func forkAt[T any](entries []T, key func(T) []byte, split int) int {
	return sort.Search(len(entries), func(i int) bool { return keyBit(key(entries[i]), split) == 1 })
}

// storeLabel writes the n label bits key[pos:pos+n] of a node with m bits
// left, in the shortest form (ever-block's hm_label rules).
func storeLabel(b *Builder, key []byte, pos, n, m int) {
	k := bits.Len(uint(m))
	same := n > 1
	for i := 1; same && i < n; i++ {
		same = keyBit(key, pos+i) == keyBit(key, pos)
	}
	switch {
	case same && k < 2*n-1:
		b.StoreUInt(0b11, 2).StoreUInt(uint64(keyBit(key, pos)), 1).StoreUInt(uint64(n), k)
	case k < n:
		b.StoreUInt(0b10, 2).StoreUInt(uint64(n), k)
		storeKeyBits(b, key, pos, n)
	default:
		b.StoreUInt(0, 1).StoreOnes(n).StoreUInt(0, 1)
		storeKeyBits(b, key, pos, n)
	}
}

// storeKeyBits stores key[pos:pos+n] in chunks of up to 64 bits.
func storeKeyBits(b *Builder, key []byte, pos, n int) {
	for n > 0 {
		k := min(n, 64)
		var v uint64
		for i := 0; i < k; i++ {
			v = v<<1 | uint64(keyBit(key, pos+i))
		}
		b.StoreUInt(v, k)
		pos += k
		n -= k
	}
}

// ParseDict reads every entry of the Hashmap whose root is given (nil for an
// empty dictionary), in increasing key order. The dictionary is untrusted:
// every label is checked against the key bits left and every fork must have
// two references.
func ParseDict(root *Cell, keyLen int) ([]DictItem, error) {
	return ParseDictLimit(root, keyLen, 0)
}

// ParseDictLimit is ParseDict that refuses a dictionary of more than limit
// entries (0: no limit). A BOC can share cells, so a dictionary of a few
// cells can have 2^keyLen entries: untrusted dictionaries with long keys
// need a limit.
func ParseDictLimit(root *Cell, keyLen, limit int) ([]DictItem, error) {
	if keyLen < 1 || keyLen > MaxBits {
		return nil, fmt.Errorf("parsing dictionary: key length %d out of 1..%d: %w", keyLen, MaxBits, ErrValueRange)
	}
	if root == nil {
		return nil, nil
	}
	var out []DictItem
	key := make([]byte, (keyLen+7)/8)
	if err := parseNode(root, key, 0, keyLen, limit, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func setKeyBit(key []byte, i int, v uint64) {
	if v != 0 {
		key[i/8] |= 0x80 >> (i % 8)
	} else {
		key[i/8] &^= 0x80 >> (i % 8)
	}
}

func parseNode(c *Cell, key []byte, pos, keyLen, limit int, out *[]DictItem) error {
	if c.Type() == PrunedBranch {
		return fmt.Errorf("parsing dictionary node at key bit %d: %w: %w", pos, ErrInvalidDict, ErrPruned)
	}
	if c.IsExotic() {
		return fmt.Errorf("parsing dictionary node at key bit %d: %s cell: %w", pos, c.Type(), ErrInvalidDict)
	}
	s := c.BeginParse()
	m := keyLen - pos
	n, err := loadLabel(s, key, pos, m)
	if err != nil {
		return fmt.Errorf("parsing dictionary label at key bit %d: %w", pos, err)
	}
	pos += n
	if pos == keyLen {
		if limit > 0 && len(*out) == limit {
			return fmt.Errorf("parsing dictionary: more than %d entries: %w", limit, ErrInvalidDict)
		}
		k := make([]byte, len(key))
		copy(k, key)
		*out = append(*out, DictItem{Key: k, Value: s})
		return nil
	}
	if s.RefsLeft() != 2 || s.BitsLeft() != 0 {
		return fmt.Errorf("parsing dictionary fork at key bit %d: %d bits and %d refs after the label, want 0 and 2: %w", pos, s.BitsLeft(), s.RefsLeft(), ErrInvalidDict)
	}
	for bit := uint64(0); bit < 2; bit++ {
		child, _ := s.LoadRef()
		setKeyBit(key, pos, bit)
		if err := parseNode(child, key, pos+1, keyLen, limit, out); err != nil {
			return err
		}
	}
	return nil
}

// loadLabel reads a label of a node with m key bits left into key[pos:],
// returning its length.
func loadLabel(s *Slice, key []byte, pos, m int) (int, error) {
	k := bits.Len(uint(m))
	first, err := s.LoadUInt(1)
	if err != nil {
		return 0, err
	}
	if first == 0 { // hml_short: unary length, then the bits
		n := 0
		for {
			b, err := s.LoadUInt(1)
			if err != nil {
				return 0, err
			}
			if b == 0 {
				break
			}
			n++
			if n > m {
				return 0, fmt.Errorf("short label longer than the %d key bits left: %w", m, ErrInvalidDict)
			}
		}
		return n, loadLabelBits(s, key, pos, n)
	}
	second, err := s.LoadUInt(1)
	if err != nil {
		return 0, err
	}
	if second == 0 { // hml_long: length, then the bits
		n, err := loadLabelLen(s, k, m)
		if err != nil {
			return 0, err
		}
		return n, loadLabelBits(s, key, pos, n)
	}
	v, err := s.LoadUInt(1) // hml_same: the bit, then the length
	if err != nil {
		return 0, err
	}
	n, err := loadLabelLen(s, k, m)
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		setKeyBit(key, pos+i, v)
	}
	return n, nil
}

func loadLabelLen(s *Slice, k, m int) (int, error) {
	nv, err := s.LoadUInt(k)
	if err != nil {
		return 0, err
	}
	if int(nv) > m {
		return 0, fmt.Errorf("label of %d bits with %d key bits left: %w", nv, m, ErrInvalidDict)
	}
	return int(nv), nil
}

// loadLabelBits reads n label bits into key[pos:], up to 64 at a time.
func loadLabelBits(s *Slice, key []byte, pos, n int) error {
	for n > 0 {
		k := min(n, 64)
		v, err := s.LoadUInt(k)
		if err != nil {
			return err
		}
		for i := k - 1; i >= 0; i-- {
			setKeyBit(key, pos+i, v&1)
			v >>= 1
		}
		pos += k
		n -= k
	}
	return nil
}
