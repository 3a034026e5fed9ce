// Package cell implements TVM cells as Everscale uses them: an immutable
// Cell of up to 1023 data bits and 4 references, a Builder to make one and a
// Slice to read one, representation hashes and depths (including the
// higher-level hashes of exotic cells), and the bag-of-cells (BOC) wire
// format, encoded byte for byte as Everscale's ever-block library writes it.
//
// Everything that crosses the network as a BOC is untrusted: decoding checks
// every size against the input before allocating, never panics, and refuses
// what it cannot hash correctly.
package cell

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// Limits of a single cell and of a tree of cells.
const (
	MaxBits  = 1023
	MaxRefs  = 4
	MaxDepth = 1024 // the TVM refuses to build deeper cells
	MaxLevel = 3
)

// Type is a cell's kind. Ordinary cells hold data; the others are exotic
// cells whose first data byte is their type.
type Type uint8

// Cell types as the first data byte of an exotic cell gives them.
const (
	Ordinary     Type = 0xff
	PrunedBranch Type = 1
	Library      Type = 2
	MerkleProof  Type = 3
	MerkleUpdate Type = 4
)

func (t Type) String() string {
	switch t {
	case Ordinary:
		return "ordinary"
	case PrunedBranch:
		return "pruned branch"
	case Library:
		return "library"
	case MerkleProof:
		return "merkle proof"
	case MerkleUpdate:
		return "merkle update"
	}
	return fmt.Sprintf("unknown(%d)", uint8(t))
}

// Cell is an immutable TVM cell. Its hashes and depths are computed once,
// when it is made, so that hashing a tree never walks it twice.
type Cell struct {
	data      []byte // ceil(bits/8) bytes; bits past `bits` are zero
	bits      uint16
	refs      []*Cell
	typ       Type
	levelMask levelMask
	// hashes and depths hold one entry per significant level, lowest first;
	// the last one is the representation hash and depth.
	hashes [][32]byte
	depths []uint16
}

// EmptyCell is the cell with no bits and no references.
var EmptyCell = mustOrdinary(nil, 0, nil)

func mustOrdinary(data []byte, bits int, refs []*Cell) *Cell {
	c, err := newCell(data, bits, refs, false)
	if err != nil {
		panic(err)
	}
	return c
}

// newCell validates a cell and computes its level, hashes and depths.
func newCell(data []byte, bits int, refs []*Cell, exotic bool) (*Cell, error) {
	if bits > MaxBits {
		return nil, fmt.Errorf("%w: %d bits", ErrCellOverflow, bits)
	}
	if len(refs) > MaxRefs {
		return nil, fmt.Errorf("%w: %d references", ErrCellOverflow, len(refs))
	}
	c := &Cell{data: data, bits: uint16(bits), refs: refs, typ: Ordinary}
	if exotic {
		if err := c.initExotic(); err != nil {
			return nil, err
		}
	} else {
		for _, r := range refs {
			c.levelMask |= r.levelMask
		}
	}
	if err := c.computeHashes(); err != nil {
		return nil, err
	}
	return c, nil
}

// BitsSize is the number of data bits.
func (c *Cell) BitsSize() int { return int(c.bits) }

// RefsNum is the number of references.
func (c *Cell) RefsNum() int { return len(c.refs) }

// Ref returns reference i, or nil when there is none.
func (c *Cell) Ref(i int) *Cell {
	if i < 0 || i >= len(c.refs) {
		return nil
	}
	return c.refs[i]
}

// Refs returns a copy of the reference list.
func (c *Cell) Refs() []*Cell { return append([]*Cell(nil), c.refs...) }

// Data returns a copy of the data bytes, ceil(BitsSize/8) long, with the
// unused low bits of the last byte zero.
func (c *Cell) Data() []byte { return append([]byte(nil), c.data...) }

// Type is the cell's kind.
func (c *Cell) Type() Type { return c.typ }

// IsExotic reports whether the cell is a pruned branch, library or Merkle cell.
func (c *Cell) IsExotic() bool { return c.typ != Ordinary }

// LevelMask is the cell's level mask (bit i set: the cell depends on Merkle level i+1).
func (c *Cell) LevelMask() uint8 { return uint8(c.levelMask) }

// Level is the cell's level, 0 for cells outside any Merkle structure.
func (c *Cell) Level() int { return c.levelMask.level() }

// Hash is the representation hash: the cell's identity on the blockchain.
func (c *Cell) Hash() [32]byte { return c.hashes[len(c.hashes)-1] }

// Depth is the representation depth: 0 for a cell without references.
func (c *Cell) Depth() uint16 { return c.depths[len(c.depths)-1] }

// HashAt is the hash at the given level (0..3); levels above the cell's own
// give the representation hash.
func (c *Cell) HashAt(level int) [32]byte {
	return c.hashes[c.hashIndex(level)]
}

// DepthAt is the depth at the given level, like HashAt.
func (c *Cell) DepthAt(level int) uint16 {
	return c.depths[c.hashIndex(level)]
}

func (c *Cell) hashIndex(level int) int {
	if level > MaxLevel {
		level = MaxLevel
	}
	if level < 0 {
		level = 0
	}
	// A pruned branch answers lower levels from the hashes it stores, which
	// initExotic put in front of its own hash, so one rule serves every type.
	return c.levelMask.apply(level).hashIndex()
}

// HashHex is the representation hash in lowercase hex, as GraphQL APIs print it.
func (c *Cell) HashHex() string {
	h := c.Hash()
	return hex.EncodeToString(h[:])
}

// Equal reports whether two cells have the same representation hash.
func (c *Cell) Equal(o *Cell) bool {
	if c == nil || o == nil {
		return c == o
	}
	return c.Hash() == o.Hash()
}

// BeginParse starts reading the cell's data and references.
func (c *Cell) BeginParse() *Slice {
	return &Slice{cell: c, bitEnd: int(c.bits), refEnd: len(c.refs)}
}

// d1 is the first descriptor byte for the given level mask.
func (c *Cell) d1(mask levelMask) byte {
	d := byte(len(c.refs)) + byte(mask)<<5
	if c.typ != Ordinary {
		d += 8
	}
	return d
}

// d2 is the second descriptor byte: floor(bits/8) + ceil(bits/8).
func (c *Cell) d2() byte {
	return byte(c.bits/8) + byte((c.bits+7)/8)
}

// paddedData is the data with the completion tag: a single 1 bit after the
// last data bit when the bit count is not a multiple of 8.
func (c *Cell) paddedData() []byte {
	if c.bits%8 == 0 {
		return c.data
	}
	out := append([]byte(nil), c.data...)
	out[len(out)-1] |= 0x80 >> (c.bits % 8)
	return out
}

// computeHashes fills hashes and depths for every significant level, as the
// TVM does: the lowest level hashes the data, each higher level hashes the
// previous level's hash in its place; children contribute their hash and
// depth at the same level (one level up below a Merkle cell).
func (c *Cell) computeHashes() error {
	total := c.levelMask.hashCount()
	first := 0
	if c.typ == PrunedBranch {
		// All but the last hash are stored in the data and were set by initExotic.
		first = total - 1
	}
	if len(c.hashes) != first {
		c.hashes = make([][32]byte, first, total)
		c.depths = make([]uint16, first, total)
	}
	childOffset := 0
	if c.typ == MerkleProof || c.typ == MerkleUpdate {
		childOffset = 1
	}
	h := sha256.New()
	var buf [2]byte
	idx := 0
	for level := 0; level <= c.levelMask.level(); level++ {
		if !c.levelMask.isSignificant(level) {
			continue
		}
		if idx < first {
			idx++
			continue
		}
		h.Reset()
		h.Write([]byte{c.d1(c.levelMask.apply(level)), c.d2()})
		if idx == first {
			h.Write(c.paddedData())
		} else {
			h.Write(c.hashes[idx-1][:])
		}
		var depth uint16
		for _, r := range c.refs {
			d := r.DepthAt(level + childOffset)
			binary.BigEndian.PutUint16(buf[:], d)
			h.Write(buf[:])
			if d+1 > depth {
				depth = d + 1
			}
		}
		if depth > MaxDepth {
			return fmt.Errorf("%w: depth %d exceeds %d", ErrCellOverflow, depth, MaxDepth)
		}
		for _, r := range c.refs {
			rh := r.HashAt(level + childOffset)
			h.Write(rh[:])
		}
		var sum [32]byte
		h.Sum(sum[:0])
		c.hashes = append(c.hashes, sum)
		c.depths = append(c.depths, depth)
		idx++
	}
	return nil
}

// String prints the cell tree in the usual fift-like form: hex data with a
// trailing '_' when the bit count is not a multiple of 4, references indented.
func (c *Cell) String() string {
	var sb strings.Builder
	c.dump(&sb, 0)
	return sb.String()
}

func (c *Cell) dump(sb *strings.Builder, indent int) {
	sb.WriteString(strings.Repeat("  ", indent))
	if c.typ != Ordinary {
		sb.WriteString(c.typ.String())
		sb.WriteByte(' ')
	}
	fmt.Fprintf(sb, "%d[%s]", c.bits, bitsHex(c.data, int(c.bits)))
	if len(c.refs) > 0 {
		sb.WriteString(" -> {\n")
		for _, r := range c.refs {
			r.dump(sb, indent+1)
			sb.WriteString(",\n")
		}
		sb.WriteString(strings.Repeat("  ", indent))
		sb.WriteByte('}')
	}
	if indent == 0 {
		sb.WriteByte('\n')
	}
}

// bitsHex renders bits as hex, completing a partial final nibble with the
// 1-then-zeros tag and marking it with '_'.
func bitsHex(data []byte, bits int) string {
	s := hex.EncodeToString(data)
	nibbles := (bits + 3) / 4
	s = s[:nibbles]
	if bits%4 == 0 {
		return strings.ToUpper(s)
	}
	// Re-encode the last nibble with the completion tag.
	last := data[(bits-1)/8]
	var nib byte
	if ((bits - 1) / 4 % 2) == 0 {
		nib = last >> 4
	} else {
		nib = last & 0x0f
	}
	nib |= 1 << (3 - bits%4)
	return strings.ToUpper(s[:nibbles-1]+fmt.Sprintf("%x", nib)) + "_"
}
