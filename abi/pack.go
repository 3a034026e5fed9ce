package abi

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// chunk is one encoded value on its way into a cell chain: its bits and
// references, and the size that counts for the layout (the type's maximum
// for ABI 2.2+, the actual size before).
type chunk struct {
	b          *cell.Builder // nil for a reserved placeholder
	bits, refs int
}

// size is a value's layout size.
type size struct{ bits, refs int }

// layout assigns each value to a cell of the chain by ever-abi's chaining
// rule: a value opens a new cell when it does not fit the current one, or
// when it would take the last reference slots while later values still
// need references (or do not fit the bits left), so that one slot stays
// free for the link to the next cell. It returns the cell index of each
// value; the first value starts cell 0.
func layout(sizes []size) []int {
	idx := make([]int, len(sizes))
	if len(sizes) == 0 {
		return idx
	}
	cur := 0
	usedBits, usedRefs := sizes[0].bits, sizes[0].refs
	for i := 1; i < len(sizes); i++ {
		v := sizes[i]
		remBits, remRefs := cell.MaxBits-usedBits, cell.MaxRefs-usedRefs
		next := false
		switch {
		case remBits < v.bits || remRefs < v.refs:
			next = true
		case v.refs > 0 && remRefs == v.refs:
			restBits := v.bits
			for _, r := range sizes[i+1:] {
				if r.refs > 0 {
					next = true
					break
				}
				restBits += r.bits
			}
			if restBits > remBits {
				next = true
			}
		}
		if next {
			cur++
			usedBits, usedRefs = 0, 0
		}
		idx[i] = cur
		usedBits += v.bits
		usedRefs += v.refs
	}
	return idx
}

// packChain lays chunks out into a chain of cells, each cell linked to the
// next by its last reference, and returns the root still open as a builder
// (callers append it to a dictionary leaf or close it).
func packChain(chunks []chunk) (*cell.Builder, error) {
	sizes := make([]size, len(chunks))
	for i, c := range chunks {
		sizes[i] = size{c.bits, c.refs}
	}
	idx := layout(sizes)
	var cells []*cell.Builder
	for i, c := range chunks {
		if idx[i] == len(cells) {
			cells = append(cells, cell.BeginCell())
		}
		if c.b != nil {
			cells[idx[i]].StoreBuilder(c.b)
		}
	}
	if len(cells) == 0 {
		return cell.BeginCell(), nil
	}
	for i := len(cells) - 1; i > 0; i-- {
		c, err := cells[i].EndCell()
		if err != nil {
			return nil, fmt.Errorf("packing cell %d of a chain: %w", i, err)
		}
		cells[i-1].StoreRef(c)
	}
	if err := cells[0].Err(); err != nil {
		return nil, fmt.Errorf("packing the root of a chain: %w", err)
	}
	return cells[0], nil
}
