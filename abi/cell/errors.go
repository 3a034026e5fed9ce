package cell

import "errors"

// Sentinel errors, wrapped with details; test them with errors.Is.
var (
	// ErrCellOverflow: more than 1023 bits, 4 references, or depth 1024.
	ErrCellOverflow = errors.New("cell overflow")
	// ErrNotEnoughData: a load past the end of a slice's bits or references.
	ErrNotEnoughData = errors.New("not enough data in cell")
	// ErrInvalidCell: an exotic cell whose layout or stored hashes are wrong.
	ErrInvalidCell = errors.New("invalid cell")
	// ErrValueRange: a value that does not fit the requested width.
	ErrValueRange = errors.New("value out of range")
	// ErrInvalidBOC: a bag of cells that cannot be decoded.
	ErrInvalidBOC = errors.New("invalid BOC")
	// ErrInvalidAddress: an address that cannot be parsed or stored.
	ErrInvalidAddress = errors.New("invalid address")
	// ErrPruned: a read that needs the contents of a pruned branch, which a
	// Merkle proof leaves out; what it stands for cannot be known from the proof.
	ErrPruned = errors.New("pruned branch")
)
