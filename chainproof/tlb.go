package chainproof

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// open starts reading an ordinary cell. A pruned branch is refused: its
// bits are hashes, not the data it stands for.
func open(c *cell.Cell, what string) (*cell.Slice, error) {
	if c == nil {
		return nil, fmt.Errorf("%s: no cell: %w", what, ErrInvalid)
	}
	switch c.Type() {
	case cell.Ordinary:
		return c.BeginParse(), nil
	case cell.PrunedBranch:
		return nil, fmt.Errorf("%s: %w", what, ErrPruned)
	}
	return nil, fmt.Errorf("%s: unexpected %s cell: %w", what, c.Type(), ErrInvalid)
}

// loadRef reads the next reference and opens it.
func loadRef(s *cell.Slice, what string) (*cell.Slice, error) {
	c, err := s.LoadRef()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return open(c, what)
}

// reader reads fields in order and keeps the first error, so a parser of a
// long fixed layout reads like the TL-B it follows.
type reader struct {
	s   *cell.Slice
	err error
}

func (r *reader) uint(bits int) uint64 {
	if r.err != nil {
		return 0
	}
	v, err := r.s.LoadUInt(bits)
	r.err = err
	return v
}

func (r *reader) u32() uint32 { return uint32(r.uint(32)) }

func (r *reader) bool() bool { return r.uint(1) == 1 }

func (r *reader) hash() (h [32]byte) {
	if r.err != nil {
		return h
	}
	b, err := r.s.LoadBytes(32)
	r.err = err
	copy(h[:], b)
	return h
}

func (r *reader) skip(bits int) {
	if r.err == nil {
		r.err = r.s.Skip(bits)
	}
}

// coins skips a Grams and extra currencies (CurrencyCollection).
func (r *reader) currencies() {
	if r.err != nil {
		return
	}
	if _, r.err = r.s.LoadCoins(); r.err == nil {
		_, r.err = r.s.LoadMaybeRef()
	}
}

func (r *reader) maybeRef() *cell.Cell {
	if r.err != nil {
		return nil
	}
	c, err := r.s.LoadMaybeRef()
	r.err = err
	return c
}

func (r *reader) ref() *cell.Cell {
	if r.err != nil {
		return nil
	}
	c, err := r.s.LoadRef()
	r.err = err
	return c
}
