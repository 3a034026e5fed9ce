package cell

import (
	"bytes"
	"fmt"
	"sort"
)

// AugEntry is one key of an augmented dictionary (TL-B HashmapAug): its
// value and its augmentation (extra).
type AugEntry[A any] struct {
	Key   []byte
	Extra A
	Value *Builder
}

// Aug says how an augmented dictionary stores its extras and what a fork's
// extra is: the sum of its children's, as the block's dictionaries
// (account blocks, message descriptors) add fees and values up.
type Aug[A any] struct {
	Store func(b *Builder, extra A) *Builder
	Sum   func(left, right A) A
}

// BuildAugDict builds the root of a HashmapAug with keyLen-bit keys from
// entries in any order and returns it with the extra of the whole
// dictionary, which a HashmapAugE stores after the root. An empty
// dictionary gives a nil root and the zero extra. Leaves hold the extra
// then the value, forks their two references then their extra.
func BuildAugDict[A any](keyLen int, entries []AugEntry[A], aug Aug[A]) (*Cell, A, error) {
	var zero A
	if keyLen < 1 || keyLen > MaxBits {
		return nil, zero, fmt.Errorf("building augmented dictionary: key length %d out of 1..%d: %w", keyLen, MaxBits, ErrValueRange)
	}
	if len(entries) == 0 {
		return nil, zero, nil
	}
	sorted := append([]AugEntry[A](nil), entries...)
	for i, e := range sorted {
		if len(e.Key) != (keyLen+7)/8 || e.Value == nil {
			return nil, zero, fmt.Errorf("building augmented dictionary: entry %d: key of %d bytes for %d bits, or no value: %w", i, len(e.Key), keyLen, ErrValueRange)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i].Key, sorted[j].Key) < 0 })
	for i := 1; i < len(sorted); i++ {
		if bytes.Equal(sorted[i-1].Key, sorted[i].Key) {
			return nil, zero, fmt.Errorf("building augmented dictionary: duplicate key %x: %w", sorted[i].Key, ErrValueRange)
		}
	}
	b, extra, err := buildAugNode(sorted, 0, keyLen, aug)
	if err != nil {
		return nil, zero, err
	}
	c, err := b.EndCell()
	if err != nil {
		return nil, zero, fmt.Errorf("building augmented dictionary: %w", err)
	}
	return c, extra, nil
}

func (e AugEntry[A]) key() []byte { return e.Key }

// buildAugNode builds the node for sorted entries sharing their first pos
// bits, as a builder so that a caller may store it in line (TL-B's
// non-empty HashmapAug fields), and returns its extra.
func buildAugNode[A any](entries []AugEntry[A], pos, keyLen int, aug Aug[A]) (*Builder, A, error) {
	m := keyLen - pos
	n := sharedLabel(entries, AugEntry[A].key, pos, m)
	b := BeginCell()
	storeLabel(b, entries[0].Key, pos, n, m)
	if n == m {
		aug.Store(b, entries[0].Extra).StoreBuilder(entries[0].Value)
		return b, entries[0].Extra, b.Err()
	}
	i := forkAt(entries, AugEntry[A].key, pos+n)
	var extras [2]A
	for side, part := range [2][]AugEntry[A]{entries[:i], entries[i:]} {
		child, extra, err := buildAugNode(part, pos+n+1, keyLen, aug)
		if err != nil {
			return nil, extras[0], err
		}
		c, err := child.EndCell()
		if err != nil {
			return nil, extras[0], fmt.Errorf("building augmented dictionary node: %w", err)
		}
		b.StoreRef(c)
		extras[side] = extra
	}
	sum := aug.Sum(extras[0], extras[1])
	aug.Store(b, sum)
	return b, sum, b.Err()
}

// BuildAugDictInline is BuildAugDict for a non-empty HashmapAug stored in
// line in its parent (an AccountBlock's transactions): it returns the root
// node as a builder to append to the parent, and the dictionary's extra.
func BuildAugDictInline[A any](keyLen int, entries []AugEntry[A], aug Aug[A]) (*Builder, A, error) {
	var zero A
	if len(entries) == 0 {
		return nil, zero, fmt.Errorf("building augmented dictionary: a HashmapAug in line needs an entry: %w", ErrValueRange)
	}
	root, extra, err := BuildAugDict(keyLen, entries, aug)
	if err != nil {
		return nil, zero, err
	}
	return BeginCell().StoreSlice(root.BeginParse()), extra, nil
}
