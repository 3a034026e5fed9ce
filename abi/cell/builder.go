package cell

import (
	"fmt"
	"math/big"
)

// Builder accumulates bits and references for a new cell. Store methods
// chain; the first failure is kept and every later store is ignored, so a
// chain of stores is checked once, at EndCell (or with Err).
type Builder struct {
	data [128]byte
	bits int
	refs []*Cell
	err  error
}

// BeginCell starts a new, empty cell.
func BeginCell() *Builder { return &Builder{} }

// Err is the first store error, if any.
func (b *Builder) Err() error { return b.err }

// BitsUsed is the number of bits stored so far.
func (b *Builder) BitsUsed() int { return b.bits }

// RefsUsed is the number of references stored so far.
func (b *Builder) RefsUsed() int { return len(b.refs) }

// BitsLeft is the number of bits that still fit.
func (b *Builder) BitsLeft() int { return MaxBits - b.bits }

// RefsLeft is the number of references that still fit.
func (b *Builder) RefsLeft() int { return MaxRefs - len(b.refs) }

// Copy returns an independent builder with the same content and error.
func (b *Builder) Copy() *Builder {
	n := *b
	n.refs = append([]*Cell(nil), b.refs...)
	return &n
}

// EndCell makes the ordinary cell, or returns the first store error.
func (b *Builder) EndCell() (*Cell, error) {
	if b.err != nil {
		return nil, b.err
	}
	return newCell(b.dataBytes(), b.bits, append([]*Cell(nil), b.refs...), false)
}

// EndExoticCell makes an exotic cell (pruned branch, library, Merkle proof or
// update) whose first data byte gives its type; its layout is checked.
func (b *Builder) EndExoticCell() (*Cell, error) {
	if b.err != nil {
		return nil, b.err
	}
	return newCell(b.dataBytes(), b.bits, append([]*Cell(nil), b.refs...), true)
}

func (b *Builder) dataBytes() []byte {
	return append([]byte(nil), b.data[:(b.bits+7)/8]...)
}

func (b *Builder) fail(err error) *Builder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// room checks that n more bits fit.
func (b *Builder) room(n int, what string) bool {
	if b.err != nil {
		return false
	}
	if n < 0 {
		b.fail(fmt.Errorf("storing %s: negative width %d", what, n))
		return false
	}
	if b.bits+n > MaxBits {
		b.fail(fmt.Errorf("%w: storing %d bits of %s into a cell holding %d", ErrCellOverflow, n, what, b.bits))
		return false
	}
	return true
}

// putBits writes the low n (<= 64) bits of v, most significant first.
// The caller has checked room.
func (b *Builder) putBits(v uint64, n int) {
	for n > 0 {
		free := 8 - b.bits%8
		take := min(free, n)
		chunk := byte(v>>(n-take)) & byte(1<<take-1)
		b.data[b.bits/8] |= chunk << (free - take)
		b.bits += take
		n -= take
	}
}

// putData writes the first n bits of src (most significant bit first).
func (b *Builder) putData(src []byte, n int) {
	if b.bits%8 == 0 {
		full := n / 8
		copy(b.data[b.bits/8:], src[:full])
		b.bits += full * 8
		if rem := n % 8; rem > 0 {
			b.putBits(uint64(src[full]>>(8-rem)), rem)
		}
		return
	}
	for i := 0; n > 0; i++ {
		take := min(8, n)
		b.putBits(uint64(src[i]>>(8-take)), take)
		n -= take
	}
}

// StoreUInt stores v as an unsigned integer of the given width (0..257 bits;
// widths over 64 are zero-extended).
func (b *Builder) StoreUInt(v uint64, bits int) *Builder {
	if !b.room(bits, "uint") {
		return b
	}
	if bits > 257 {
		return b.fail(fmt.Errorf("%w: uint width %d exceeds 257", ErrValueRange, bits))
	}
	if bits < 64 && v>>bits != 0 {
		return b.fail(fmt.Errorf("%w: %d does not fit in uint%d", ErrValueRange, v, bits))
	}
	for bits > 64 {
		take := min(64, bits-64)
		b.putBits(0, take)
		bits -= take
	}
	b.putBits(v, bits)
	return b
}

// StoreInt stores v as a two's-complement integer of the given width (1..257 bits).
func (b *Builder) StoreInt(v int64, bits int) *Builder {
	if !b.room(bits, "int") {
		return b
	}
	if bits == 0 || bits > 257 {
		return b.fail(fmt.Errorf("%w: int width %d, wants 1..257", ErrValueRange, bits))
	}
	if bits < 64 && (v < -(1<<(bits-1)) || v >= 1<<(bits-1)) {
		return b.fail(fmt.Errorf("%w: %d does not fit in int%d", ErrValueRange, v, bits))
	}
	ext := uint64(0)
	if v < 0 {
		ext = ^uint64(0)
	}
	for bits > 64 {
		take := min(64, bits-64)
		b.putBits(ext, take)
		bits -= take
	}
	b.putBits(uint64(v), bits)
	return b
}

// StoreBigUInt stores a non-negative big integer in the given width (0..256 bits).
func (b *Builder) StoreBigUInt(v *big.Int, bits int) *Builder {
	if !b.room(bits, "uint") {
		return b
	}
	if v == nil || v.Sign() < 0 || v.BitLen() > bits || bits > 256 {
		return b.fail(fmt.Errorf("%w: %v does not fit in uint%d", ErrValueRange, v, bits))
	}
	b.putBigBits(v, bits)
	return b
}

// StoreBigInt stores a big integer in two's complement in the given width (1..257 bits).
func (b *Builder) StoreBigInt(v *big.Int, bits int) *Builder {
	if !b.room(bits, "int") {
		return b
	}
	if v == nil || bits < 1 || bits > 257 || !fitsSigned(v, bits) {
		return b.fail(fmt.Errorf("%w: %v does not fit in int%d", ErrValueRange, v, bits))
	}
	if v.Sign() >= 0 {
		b.putBigBits(v, bits)
		return b
	}
	// Two's complement of a negative value: 2^bits + v.
	u := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	b.putBigBits(u.Add(u, v), bits)
	return b
}

func fitsSigned(v *big.Int, bits int) bool {
	if v.Sign() >= 0 {
		return v.BitLen() <= bits-1
	}
	// -2^(bits-1) <= v  <=>  bitlen(-v-1) <= bits-1
	m := new(big.Int).Neg(v)
	m.Sub(m, big.NewInt(1))
	return m.BitLen() <= bits-1
}

// putBigBits writes a non-negative value that fits in n bits.
func (b *Builder) putBigBits(v *big.Int, n int) {
	buf := make([]byte, (n+7)/8)
	v.FillBytes(buf)
	// buf is right-aligned; skip the leading pad bits.
	pad := len(buf)*8 - n
	for i := 0; i < n; {
		bit := pad + i
		if bit%8 == 0 && n-i >= 8 {
			b.putBits(uint64(buf[bit/8]), 8)
			i += 8
			continue
		}
		take := min(8-bit%8, n-i)
		b.putBits(uint64(buf[bit/8]>>(8-bit%8-take)), take)
		i += take
	}
}

// StoreBool stores one bit.
func (b *Builder) StoreBool(v bool) *Builder {
	if !b.room(1, "bool") {
		return b
	}
	if v {
		b.putBits(1, 1)
	} else {
		b.putBits(0, 1)
	}
	return b
}

// StoreZeros stores n zero bits.
func (b *Builder) StoreZeros(n int) *Builder {
	if !b.room(n, "zeros") {
		return b
	}
	b.bits += n // the buffer is already zero there
	return b
}

// StoreOnes stores n one bits.
func (b *Builder) StoreOnes(n int) *Builder {
	if !b.room(n, "ones") {
		return b
	}
	for n > 0 {
		take := min(64, n)
		b.putBits(^uint64(0), take)
		n -= take
	}
	return b
}

// StoreBits stores the first n bits of data, most significant bit first.
func (b *Builder) StoreBits(data []byte, n int) *Builder {
	if !b.room(n, "bits") {
		return b
	}
	if n > len(data)*8 {
		return b.fail(fmt.Errorf("%w: %d bits requested from %d bytes", ErrValueRange, n, len(data)))
	}
	b.putData(data, n)
	return b
}

// StoreBytes stores whole bytes.
func (b *Builder) StoreBytes(p []byte) *Builder {
	return b.StoreBits(p, len(p)*8)
}

// StoreRef adds a reference.
func (b *Builder) StoreRef(c *Cell) *Builder {
	if b.err != nil {
		return b
	}
	if c == nil {
		return b.fail(fmt.Errorf("storing a nil reference"))
	}
	if len(b.refs) >= MaxRefs {
		return b.fail(fmt.Errorf("%w: a fifth reference", ErrCellOverflow))
	}
	b.refs = append(b.refs, c)
	return b
}

// StoreMaybeRef stores TL-B `Maybe ^Cell`: a 0 bit for nil, else 1 and a reference.
func (b *Builder) StoreMaybeRef(c *Cell) *Builder {
	if c == nil {
		return b.StoreBool(false)
	}
	if b.RefsLeft() < 1 && b.err == nil {
		return b.fail(fmt.Errorf("%w: a fifth reference", ErrCellOverflow))
	}
	return b.StoreBool(true).StoreRef(c)
}

// StoreSlice stores the bits and references left in s.
func (b *Builder) StoreSlice(s *Slice) *Builder {
	if b.err != nil {
		return b
	}
	if !b.room(s.BitsLeft(), "slice") {
		return b
	}
	if len(b.refs)+s.RefsLeft() > MaxRefs {
		return b.fail(fmt.Errorf("%w: %d references plus %d", ErrCellOverflow, len(b.refs), s.RefsLeft()))
	}
	for i := s.bitPos; i < s.bitEnd; {
		take := min(64, s.bitEnd-i)
		b.putBits(s.cell.bitsAt(i, take), take)
		i += take
	}
	b.refs = append(b.refs, s.cell.refs[s.refPos:s.refEnd]...)
	return b
}

// StoreBuilder appends the content of another builder.
func (b *Builder) StoreBuilder(o *Builder) *Builder {
	if b.err != nil {
		return b
	}
	if o.err != nil {
		return b.fail(o.err)
	}
	if !b.room(o.bits, "builder") {
		return b
	}
	if len(b.refs)+len(o.refs) > MaxRefs {
		return b.fail(fmt.Errorf("%w: %d references plus %d", ErrCellOverflow, len(b.refs), len(o.refs)))
	}
	b.putData(o.data[:], o.bits)
	b.refs = append(b.refs, o.refs...)
	return b
}

// StoreVarUInt stores TL-B `VarUInteger n`: a lenBits-wide byte count, then
// that many bytes (0 is a zero count). lenBits is 4 for VarUInteger 16
// (Grams, varuint16) and 5 for VarUInteger 32 (varuint32).
func (b *Builder) StoreVarUInt(v *big.Int, lenBits int) *Builder {
	if b.err != nil {
		return b
	}
	if v == nil || v.Sign() < 0 {
		return b.fail(fmt.Errorf("%w: varuint of %v", ErrValueRange, v))
	}
	n := (v.BitLen() + 7) / 8
	if lenBits < 1 || lenBits > 8 || n >= 1<<lenBits {
		return b.fail(fmt.Errorf("%w: %d bytes do not fit a %d-bit length", ErrValueRange, n, lenBits))
	}
	b.StoreUInt(uint64(n), lenBits)
	if n > 0 {
		b.StoreBigUInt(v, n*8)
	}
	return b
}

// StoreVarInt stores TL-B `VarInteger n`: like StoreVarUInt, two's complement.
func (b *Builder) StoreVarInt(v *big.Int, lenBits int) *Builder {
	if b.err != nil {
		return b
	}
	if v == nil {
		return b.fail(fmt.Errorf("%w: nil varint", ErrValueRange))
	}
	n := 0
	if v.Sign() != 0 {
		n = 1
		for !fitsSigned(v, n*8) {
			n++
		}
	}
	if lenBits < 1 || lenBits > 8 || n >= 1<<lenBits {
		return b.fail(fmt.Errorf("%w: %d bytes do not fit a %d-bit length", ErrValueRange, n, lenBits))
	}
	b.StoreUInt(uint64(n), lenBits)
	if n > 0 {
		b.StoreBigInt(v, n*8)
	}
	return b
}

// StoreCoins stores an amount in nanotokens as TL-B Grams (VarUInteger 16).
func (b *Builder) StoreCoins(v *big.Int) *Builder { return b.StoreVarUInt(v, 4) }

// StoreCoinsUint64 is StoreCoins for amounts that fit in 64 bits.
func (b *Builder) StoreCoinsUint64(v uint64) *Builder {
	return b.StoreVarUInt(new(big.Int).SetUint64(v), 4)
}
