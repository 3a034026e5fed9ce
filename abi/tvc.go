package abi

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ErrInvalidTVC is returned for a TVC file that holds neither format.
var ErrInvalidTVC = errors.New("invalid TVC")

// tvcTag is the constructor tag of the newer TVC format.
const tvcTag = 0xa2f0b81c

// descChunk is how many bytes of the description each cell of its chain
// holds, as for ABI strings.
const descChunk = 127

// TVC is a contract image in the newer TVC format,
//
//	tvc#a2f0b81c code:(Maybe ^Cell) desc:(Maybe ^Cell) = TVC;
//
// where desc is a UTF-8 description in a chain of 127-byte cells. Classic
// .tvc files are a StateInit BOC instead; StateInitFromTVC reads both.
type TVC struct {
	Code *cell.Cell
	// Description is present when HasDescription; an empty present
	// description is a reference to an empty cell, unlike an absent one.
	Description    string
	HasDescription bool
}

// Cell serializes the TVC.
func (t *TVC) Cell() (*cell.Cell, error) {
	b := cell.BeginCell().StoreUInt(tvcTag, 32).StoreMaybeRef(t.Code)
	if t.HasDescription {
		desc, err := tvcDescChain([]byte(t.Description))
		if err != nil {
			return nil, fmt.Errorf("building TVC description: %w", err)
		}
		b.StoreBool(true).StoreRef(desc)
	} else {
		b.StoreBool(false)
	}
	c, err := b.EndCell()
	if err != nil {
		return nil, fmt.Errorf("building TVC cell: %w", err)
	}
	return c, nil
}

// ToBOC serializes the TVC as a single-root bag of cells, the .tvc file.
func (t *TVC) ToBOC() ([]byte, error) {
	c, err := t.Cell()
	if err != nil {
		return nil, err
	}
	return c.ToBOC(), nil
}

// StateInit is the StateInit that deploying this TVC starts from: the code
// alone, with no data, as Everscale's SDK builds it.
func (t *TVC) StateInit() (*StateInit, error) {
	if t.Code == nil {
		return nil, fmt.Errorf("%w: new-format TVC without code", ErrInvalidTVC)
	}
	return &StateInit{Code: t.Code}, nil
}

// ParseTVC reads a cell in the newer TVC format. Like the reference reader,
// it ignores anything after the desc field.
func ParseTVC(c *cell.Cell) (*TVC, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no cell", ErrInvalidTVC)
	}
	if c.IsExotic() {
		return nil, fmt.Errorf("%w: %s cell", ErrInvalidTVC, c.Type())
	}
	sl := c.BeginParse()
	tag, err := sl.LoadUInt(32)
	if err != nil {
		return nil, fmt.Errorf("%w: reading tag: %w", ErrInvalidTVC, err)
	}
	if tag != tvcTag {
		return nil, fmt.Errorf("%w: tag %08x, want %08x", ErrInvalidTVC, tag, tvcTag)
	}
	var t TVC
	if t.Code, err = sl.LoadMaybeRef(); err != nil {
		return nil, fmt.Errorf("%w: reading code: %w", ErrInvalidTVC, err)
	}
	desc, err := sl.LoadMaybeRef()
	if err != nil {
		return nil, fmt.Errorf("%w: reading desc: %w", ErrInvalidTVC, err)
	}
	if desc != nil {
		p, err := readTVCDesc(desc)
		if err != nil {
			return nil, fmt.Errorf("%w: reading desc: %w", ErrInvalidTVC, err)
		}
		if !utf8.Valid(p) {
			return nil, fmt.Errorf("%w: desc is not UTF-8", ErrInvalidTVC)
		}
		t.Description, t.HasDescription = string(p), true
	}
	return &t, nil
}

// StateInitFromTVC resolves a .tvc file (a BOC) into the StateInit cell to
// deploy, in the order Everscale's SDK uses: a BOC that parses as a
// new-format TVC gives a StateInit with its code only (and is an error
// without code); anything else must be a StateInit, which is returned as it
// is, so its hash is the file's root hash.
func StateInitFromTVC(boc []byte) (*StateInit, *cell.Cell, error) {
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, nil, fmt.Errorf("reading TVC: %w", err)
	}
	return StateInitFromTVCCell(root)
}

// StateInitFromTVCCell is StateInitFromTVC for a TVC already decoded into a
// cell.
func StateInitFromTVCCell(root *cell.Cell) (*StateInit, *cell.Cell, error) {
	if t, err := ParseTVC(root); err == nil {
		si, err := t.StateInit()
		if err != nil {
			return nil, nil, err
		}
		c, err := si.Cell()
		if err != nil {
			return nil, nil, err
		}
		return si, c, nil
	}
	si, err := ParseStateInit(root)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: neither a new-format TVC nor a StateInit: %w", ErrInvalidTVC, err)
	}
	return si, root, nil
}

// tvcDescChain stores p in a chain of cells of 127 bytes each, the first cell
// holding the first bytes; empty p is an empty cell.
func tvcDescChain(p []byte) (*cell.Cell, error) {
	n := len(p) % descChunk
	if n == 0 && len(p) > 0 {
		n = descChunk
	}
	// Build from the tail: the last cell holds the remainder.
	end := len(p)
	var next *cell.Cell
	for {
		start := end - n
		b := cell.BeginCell().StoreBytes(p[start:end])
		if next != nil {
			b.StoreRef(next)
		}
		c, err := b.EndCell()
		if err != nil {
			return nil, err
		}
		if start == 0 {
			return c, nil
		}
		next, end, n = c, start, descChunk
	}
}

// readTVCDesc reads the bytes of a cell chain, following the first
// reference of each cell.
func readTVCDesc(c *cell.Cell) ([]byte, error) {
	var out []byte
	for depth := 0; c != nil; depth++ {
		if depth > cell.MaxDepth {
			return nil, fmt.Errorf("byte chain deeper than %d cells", cell.MaxDepth)
		}
		if c.IsExotic() {
			return nil, fmt.Errorf("byte chain holds a %s cell", c.Type())
		}
		if c.BitsSize()%8 != 0 {
			return nil, fmt.Errorf("byte chain cell of %d bits, not whole bytes", c.BitsSize())
		}
		out = append(out, c.Data()...)
		c = c.Ref(0)
	}
	return out, nil
}
