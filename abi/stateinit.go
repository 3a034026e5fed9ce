package abi

import (
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ErrInvalidStateInit is returned when a cell does not hold a StateInit.
var ErrInvalidStateInit = errors.New("invalid StateInit")

// TickTock says whether a special contract is run on every tick or tock
// transaction of the masterchain.
type TickTock struct {
	Tick, Tock bool
}

// StateInit is the initial state of a contract, TL-B
//
//	_ split_depth:(Maybe (## 5)) special:(Maybe TickTock)
//	  code:(Maybe ^Cell) data:(Maybe ^Cell)
//	  library:(HashmapE 256 SimpleLib) = StateInit;
//
// A contract's address is the representation hash of its StateInit cell, so
// every field, even an absent one, matters to the bit.
type StateInit struct {
	// SplitDepth is present when HasSplitDepth; it is 5 bits wide.
	SplitDepth    uint8
	HasSplitDepth bool
	Special       *TickTock
	Code          *cell.Cell
	Data          *cell.Cell
	// Library is the root of the HashmapE 256 SimpleLib dictionary; nil when
	// the contract ships no libraries (the usual case).
	Library *cell.Cell
}

// store writes the StateInit fields into b: this is both the content of a
// StateInit cell and the inline form inside a message.
func (s *StateInit) store(b *cell.Builder) *cell.Builder {
	if s.HasSplitDepth {
		// A depth over 31 does not fit 5 bits; StoreUInt keeps that error.
		b.StoreBool(true).StoreUInt(uint64(s.SplitDepth), 5)
	} else {
		b.StoreBool(false)
	}
	if s.Special != nil {
		b.StoreBool(true).StoreBool(s.Special.Tick).StoreBool(s.Special.Tock)
	} else {
		b.StoreBool(false)
	}
	return b.StoreMaybeRef(s.Code).StoreMaybeRef(s.Data).StoreMaybeRef(s.Library)
}

// size is the number of data bits and references the StateInit takes,
// which the message layout rule weighs.
func (s *StateInit) size() (bits, refs int) {
	bits = 5
	if s.HasSplitDepth {
		bits += 5
	}
	if s.Special != nil {
		bits += 2
	}
	for _, c := range []*cell.Cell{s.Code, s.Data, s.Library} {
		if c != nil {
			refs++
		}
	}
	return bits, refs
}

// Cell serializes the StateInit into its own cell.
func (s *StateInit) Cell() (*cell.Cell, error) {
	c, err := s.store(cell.BeginCell()).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building StateInit cell: %w", err)
	}
	return c, nil
}

// Hash is the representation hash of the StateInit cell: the account id of
// the contract it deploys.
func (s *StateInit) Hash() ([32]byte, error) {
	c, err := s.Cell()
	if err != nil {
		return [32]byte{}, err
	}
	return c.Hash(), nil
}

// Address is the address of the contract this StateInit deploys in the given
// workchain (0 for ordinary contracts).
func (s *StateInit) Address(workchain int8) (*cell.Address, error) {
	h, err := s.Hash()
	if err != nil {
		return nil, err
	}
	return cell.NewStdAddress(workchain, h), nil
}

// ToBOC serializes the StateInit as a single-root bag of cells: the classic
// .tvc file format.
func (s *StateInit) ToBOC() ([]byte, error) {
	c, err := s.Cell()
	if err != nil {
		return nil, err
	}
	return c.ToBOC(), nil
}

// ContractAddress is the address of the contract whose StateInit cell is
// stateInit, in the given workchain: workchain:repr_hash(StateInit).
func ContractAddress(workchain int8, stateInit *cell.Cell) *cell.Address {
	return cell.NewStdAddress(workchain, stateInit.Hash())
}

// ParseStateInit reads a StateInit cell. Bits or references left over after
// the library field make the cell something other than a StateInit, and are
// an error: a re-serialized StateInit must hash to the same address.
func ParseStateInit(c *cell.Cell) (*StateInit, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no cell", ErrInvalidStateInit)
	}
	if c.IsExotic() {
		return nil, fmt.Errorf("%w: %s cell", ErrInvalidStateInit, c.Type())
	}
	sl := c.BeginParse()
	s, err := loadStateInit(sl)
	if err != nil {
		return nil, err
	}
	if !sl.IsEmpty() {
		return nil, fmt.Errorf("%w: %d bits and %d references left after the library field", ErrInvalidStateInit, sl.BitsLeft(), sl.RefsLeft())
	}
	return s, nil
}

// loadStateInit reads StateInit fields from sl, leaving whatever follows.
func loadStateInit(sl *cell.Slice) (*StateInit, error) {
	var s StateInit
	fail := func(field string, err error) (*StateInit, error) {
		return nil, fmt.Errorf("%w: reading %s: %w", ErrInvalidStateInit, field, err)
	}
	has, err := sl.LoadBool()
	if err != nil {
		return fail("split_depth", err)
	}
	if has {
		d, err := sl.LoadUInt(5)
		if err != nil {
			return fail("split_depth", err)
		}
		s.SplitDepth, s.HasSplitDepth = uint8(d), true
	}
	if has, err = sl.LoadBool(); err != nil {
		return fail("special", err)
	}
	if has {
		tt, err := sl.LoadUInt(2)
		if err != nil {
			return fail("special", err)
		}
		s.Special = &TickTock{Tick: tt&2 != 0, Tock: tt&1 != 0}
	}
	if s.Code, err = sl.LoadMaybeRef(); err != nil {
		return fail("code", err)
	}
	if s.Data, err = sl.LoadMaybeRef(); err != nil {
		return fail("data", err)
	}
	if s.Library, err = sl.LoadMaybeRef(); err != nil {
		return fail("library", err)
	}
	return &s, nil
}
