package cell

import (
	"fmt"
	"math/big"
)

// Slice reads a cell's bits and references in order. Loads fail with
// ErrNotEnoughData, leaving the slice unchanged, when too little is left.
type Slice struct {
	cell           *Cell
	bitPos, bitEnd int
	refPos, refEnd int
}

// BitsLeft is the number of unread bits.
func (s *Slice) BitsLeft() int { return s.bitEnd - s.bitPos }

// RefsLeft is the number of unread references.
func (s *Slice) RefsLeft() int { return s.refEnd - s.refPos }

// IsEmpty reports whether nothing is left to read.
func (s *Slice) IsEmpty() bool { return s.BitsLeft() == 0 && s.RefsLeft() == 0 }

// Copy returns an independent slice at the same position.
func (s *Slice) Copy() *Slice { n := *s; return &n }

// Cell is the cell being read.
func (s *Slice) Cell() *Cell { return s.cell }

// bitsAt returns n (<= 64) bits of the cell's data starting at bit pos.
func (c *Cell) bitsAt(pos, n int) uint64 {
	var v uint64
	for n > 0 {
		off := pos % 8
		take := min(8-off, n)
		chunk := uint64(c.data[pos/8]>>(8-off-take)) & (1<<take - 1)
		v = v<<take | chunk
		pos += take
		n -= take
	}
	return v
}

func (s *Slice) need(n int, what string) error {
	if n < 0 {
		return fmt.Errorf("loading %s: negative width %d", what, n)
	}
	if s.BitsLeft() < n {
		return fmt.Errorf("%w: loading %d bits of %s, %d left", ErrNotEnoughData, n, what, s.BitsLeft())
	}
	return nil
}

// PreloadUInt reads an unsigned integer of up to 64 bits without consuming it.
func (s *Slice) PreloadUInt(bits int) (uint64, error) {
	if bits > 64 {
		return 0, fmt.Errorf("%w: uint%d does not fit uint64", ErrValueRange, bits)
	}
	if err := s.need(bits, "uint"); err != nil {
		return 0, err
	}
	return s.cell.bitsAt(s.bitPos, bits), nil
}

// LoadUInt reads an unsigned integer of up to 64 bits.
func (s *Slice) LoadUInt(bits int) (uint64, error) {
	v, err := s.PreloadUInt(bits)
	if err == nil {
		s.bitPos += bits
	}
	return v, err
}

// LoadInt reads a two's-complement integer of 1 to 64 bits.
func (s *Slice) LoadInt(bits int) (int64, error) {
	if bits < 1 || bits > 64 {
		return 0, fmt.Errorf("%w: int%d does not fit int64", ErrValueRange, bits)
	}
	u, err := s.LoadUInt(bits)
	if err != nil {
		return 0, err
	}
	// Sign-extend from the top bit.
	shift := 64 - bits
	return int64(u<<shift) >> shift, nil
}

// LoadBool reads one bit.
func (s *Slice) LoadBool() (bool, error) {
	v, err := s.LoadUInt(1)
	return v == 1, err
}

// LoadBigUInt reads an unsigned integer of up to 256 bits.
func (s *Slice) LoadBigUInt(bits int) (*big.Int, error) {
	if bits > 256 {
		return nil, fmt.Errorf("%w: uint%d exceeds 256 bits", ErrValueRange, bits)
	}
	data, err := s.LoadBits(bits)
	if err != nil {
		return nil, err
	}
	v := new(big.Int).SetBytes(data)
	if pad := len(data)*8 - bits; pad > 0 {
		v.Rsh(v, uint(pad))
	}
	return v, nil
}

// LoadBigInt reads a two's-complement integer of 1 to 257 bits.
func (s *Slice) LoadBigInt(bits int) (*big.Int, error) {
	if bits < 1 || bits > 257 {
		return nil, fmt.Errorf("%w: int%d, wants 1..257 bits", ErrValueRange, bits)
	}
	if err := s.need(bits, "int"); err != nil {
		return nil, err
	}
	data, _ := s.LoadBits(bits)
	v := new(big.Int).SetBytes(data)
	if pad := len(data)*8 - bits; pad > 0 {
		v.Rsh(v, uint(pad))
	}
	if v.Bit(bits-1) == 1 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	}
	return v, nil
}

// LoadBits reads n bits into ceil(n/8) bytes, most significant bit first,
// with the unused low bits of the last byte zero.
func (s *Slice) LoadBits(n int) ([]byte, error) {
	if err := s.need(n, "bits"); err != nil {
		return nil, err
	}
	out := make([]byte, (n+7)/8)
	if s.bitPos%8 == 0 {
		copy(out, s.cell.data[s.bitPos/8:(s.bitPos+n+7)/8])
		if rem := n % 8; rem > 0 {
			out[len(out)-1] &= 0xff << (8 - rem)
		}
	} else {
		for i := 0; i < n; i += 8 {
			take := min(8, n-i)
			out[i/8] = byte(s.cell.bitsAt(s.bitPos+i, take) << (8 - take))
		}
	}
	s.bitPos += n
	return out, nil
}

// LoadBytes reads n whole bytes.
func (s *Slice) LoadBytes(n int) ([]byte, error) {
	if n < 0 || n > MaxBits/8 {
		return nil, fmt.Errorf("%w: %d bytes", ErrValueRange, n)
	}
	return s.LoadBits(n * 8)
}

// Skip moves past n bits.
func (s *Slice) Skip(n int) error {
	if err := s.need(n, "skipped bits"); err != nil {
		return err
	}
	s.bitPos += n
	return nil
}

// LoadSlice reads n bits (and no references) as a slice of their own.
func (s *Slice) LoadSlice(n int) (*Slice, error) {
	if err := s.need(n, "slice"); err != nil {
		return nil, err
	}
	sub := &Slice{cell: s.cell, bitPos: s.bitPos, bitEnd: s.bitPos + n, refPos: s.refPos, refEnd: s.refPos}
	s.bitPos += n
	return sub, nil
}

// LoadRef reads the next reference.
func (s *Slice) LoadRef() (*Cell, error) {
	if s.RefsLeft() < 1 {
		return nil, fmt.Errorf("%w: loading a reference, none left", ErrNotEnoughData)
	}
	c := s.cell.refs[s.refPos]
	s.refPos++
	return c, nil
}

// PreloadRef reads the next reference without consuming it.
func (s *Slice) PreloadRef() (*Cell, error) {
	if s.RefsLeft() < 1 {
		return nil, fmt.Errorf("%w: loading a reference, none left", ErrNotEnoughData)
	}
	return s.cell.refs[s.refPos], nil
}

// LoadMaybeRef reads TL-B `Maybe ^Cell`: nil after a 0 bit.
func (s *Slice) LoadMaybeRef() (*Cell, error) {
	save := *s
	ok, err := s.LoadBool()
	if err != nil || !ok {
		return nil, err
	}
	c, err := s.LoadRef()
	if err != nil {
		*s = save
		return nil, err
	}
	return c, nil
}

// LoadVarUInt reads TL-B `VarUInteger n` with a lenBits-wide byte count.
func (s *Slice) LoadVarUInt(lenBits int) (*big.Int, error) {
	if lenBits < 1 || lenBits > 8 {
		return nil, fmt.Errorf("%w: varuint length width %d", ErrValueRange, lenBits)
	}
	save := *s
	n, err := s.LoadUInt(lenBits)
	if err != nil {
		return nil, err
	}
	v, err := s.LoadBigUIntBytes(int(n))
	if err != nil {
		*s = save
		return nil, err
	}
	return v, nil
}

// LoadBigUIntBytes reads an unsigned big-endian integer of n whole bytes.
func (s *Slice) LoadBigUIntBytes(n int) (*big.Int, error) {
	data, err := s.LoadBytes(n)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(data), nil
}

// LoadVarInt reads TL-B `VarInteger n` with a lenBits-wide byte count.
func (s *Slice) LoadVarInt(lenBits int) (*big.Int, error) {
	if lenBits < 1 || lenBits > 8 {
		return nil, fmt.Errorf("%w: varint length width %d", ErrValueRange, lenBits)
	}
	save := *s
	n, err := s.LoadUInt(lenBits)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return new(big.Int), nil
	}
	v, err := s.LoadBigInt(int(n) * 8)
	if err != nil {
		*s = save
		return nil, err
	}
	return v, nil
}

// LoadCoins reads TL-B Grams (VarUInteger 16).
func (s *Slice) LoadCoins() (*big.Int, error) { return s.LoadVarUInt(4) }

// ToCell makes a cell of the bits and references left.
func (s *Slice) ToCell() (*Cell, error) {
	return BeginCell().StoreSlice(s).EndCell()
}

// ToBuilder starts a builder holding the bits and references left.
func (s *Slice) ToBuilder() *Builder {
	return BeginCell().StoreSlice(s)
}
