package abi

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// encoder turns values into chunks for one ABI version.
type encoder struct{ v Version }

// chunkOf wraps an encoded value with its layout size.
func (e encoder) chunkOf(t *Type, b *cell.Builder) chunk {
	if e.v.maxSizeLayout() {
		return chunk{b: b, bits: t.MaxBits(e.v), refs: t.MaxRefs(e.v)}
	}
	return chunk{b: b, bits: b.BitsUsed(), refs: b.RefsUsed()}
}

// appendParams encodes the values of params (tuples flattened) as chunks.
func (e encoder) appendParams(out []chunk, params []Param, values map[string]any) ([]chunk, error) {
	for i := range params {
		p := &params[i]
		v, ok := values[p.Name]
		if !ok {
			return nil, fmt.Errorf("%w: no value for parameter %q", ErrInvalidValue, p.Name)
		}
		var err error
		if out, err = e.appendValue(out, p.parsed, v); err != nil {
			return nil, fmt.Errorf("encoding parameter %q (%s): %w", p.Name, p.parsed, err)
		}
	}
	return out, nil
}

func (e encoder) appendValue(out []chunk, t *Type, v any) ([]chunk, error) {
	if t.Kind == KindTuple {
		m, err := toTuple(v)
		if err != nil {
			return nil, err
		}
		return e.appendParams(out, t.Components, m)
	}
	b := cell.BeginCell()
	if err := e.store(b, t, v); err != nil {
		return nil, err
	}
	return append(out, e.chunkOf(t, b)), nil
}

// packValue packs one value of type t into its own chain and returns the
// open root.
func (e encoder) packValue(t *Type, v any) (*cell.Builder, error) {
	if t.Kind != KindTuple {
		// A chain of one value is that value's own cell.
		b := cell.BeginCell()
		if err := e.store(b, t, v); err != nil {
			return nil, err
		}
		return b, nil
	}
	chunks, err := e.appendValue(nil, t, v)
	if err != nil {
		return nil, err
	}
	return packChain(chunks)
}

// store writes a single value of type t into b; a tuple's components go
// one after another (as in a small optional).
func (e encoder) store(b *cell.Builder, t *Type, v any) error {
	switch t.Kind {
	case KindUint, KindInt, KindVarUint, KindVarInt, KindToken, KindTime, KindExpire:
		n, err := toBigInt(v)
		if err != nil {
			return err
		}
		return storeInt(b, t, n)
	case KindBool:
		x, err := toBool(v)
		if err != nil {
			return err
		}
		b.StoreBool(x)
	case KindAddress, KindAddressStd:
		a, err := toAddress(v)
		if err != nil {
			return err
		}
		if t.Kind == KindAddressStd && a.Type != cell.AddrStd && a.Type != cell.AddrNone {
			return invalid("address_std holds a standard address or none, not %q", a)
		}
		b.StoreAddress(a)
	case KindBytes:
		p, err := toBytes(v)
		if err != nil {
			return err
		}
		return storeBytesRef(b, p)
	case KindString:
		s, err := toString(v)
		if err != nil {
			return err
		}
		if !utf8.ValidString(s) {
			return invalid("string is not valid UTF-8")
		}
		return storeBytesRef(b, []byte(s))
	case KindFixedBytes:
		p, err := toBytes(v)
		if err != nil {
			return err
		}
		if len(p) != t.Size {
			return invalid("%d bytes for %s", len(p), t)
		}
		if e.v.fixedBytesInline() {
			b.StoreBytes(p)
			return nil
		}
		return storeBytesRef(b, p)
	case KindCell:
		c, err := toCell(v)
		if err != nil {
			return err
		}
		b.StoreRef(c)
	case KindPubKey:
		p, err := toPubKey(v)
		if err != nil {
			return err
		}
		if p == nil {
			b.StoreBool(false)
			return nil
		}
		b.StoreBool(true).StoreBytes(p)
	case KindOptional:
		if v == nil {
			b.StoreBool(false)
			return nil
		}
		b.StoreBool(true)
		if t.Elem.largeOptional(e.v) {
			return e.storeRef(b, t.Elem, v)
		}
		return e.storeInline(b, t.Elem, v)
	case KindRef:
		return e.storeRef(b, t.Elem, v)
	case KindArray, KindFixedArray:
		l, err := toList(v)
		if err != nil {
			return err
		}
		if t.Kind == KindFixedArray && len(l) != t.Size {
			return invalid("%d items for %s", len(l), t)
		}
		if len(l) > 1<<32-1 {
			return invalid("array of %d items", len(l))
		}
		entries := make([]cell.DictEntry, len(l))
		inRef := t.Elem.valueInRef(32, e.v)
		for i := range l {
			val, err := e.dictValue(t.Elem, l[i], inRef)
			if err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
			key := make([]byte, 4)
			binary.BigEndian.PutUint32(key, uint32(i))
			entries[i] = cell.DictEntry{Key: key, Value: val}
		}
		root, err := cell.BuildDict(32, entries)
		if err != nil {
			return err
		}
		if t.Kind == KindArray {
			b.StoreUInt(uint64(len(l)), 32)
		}
		b.StoreMaybeRef(root)
	case KindMap:
		m, err := toMap(v)
		if err != nil {
			return err
		}
		keyLen := t.Key.keyBits()
		inRef := t.Elem.valueInRef(keyLen, e.v)
		entries := make([]cell.DictEntry, len(m))
		for i, en := range m {
			key, err := mapKey(t.Key, en.Key)
			if err != nil {
				return fmt.Errorf("map key %v: %w", en.Key, err)
			}
			val, err := e.dictValue(t.Elem, en.Value, inRef)
			if err != nil {
				return fmt.Errorf("map value at %v: %w", en.Key, err)
			}
			entries[i] = cell.DictEntry{Key: key, Value: val}
		}
		root, err := cell.BuildDict(keyLen, entries)
		if err != nil {
			return err
		}
		b.StoreMaybeRef(root)
	case KindTuple:
		return e.storeInline(b, t, v)
	default:
		return invalid("cannot encode type kind %d", t.Kind)
	}
	return b.Err()
}

// storeInline writes a value that never splits: tuple components in order.
func (e encoder) storeInline(b *cell.Builder, t *Type, v any) error {
	if t.Kind != KindTuple {
		return e.store(b, t, v)
	}
	m, err := toTuple(v)
	if err != nil {
		return err
	}
	for i := range t.Components {
		c := &t.Components[i]
		cv, ok := m[c.Name]
		if !ok {
			return fmt.Errorf("%w: no value for tuple component %q", ErrInvalidValue, c.Name)
		}
		if err := e.storeInline(b, c.parsed, cv); err != nil {
			return fmt.Errorf("tuple component %q: %w", c.Name, err)
		}
	}
	return b.Err()
}

// storeRef writes a reference to the chain holding a value.
func (e encoder) storeRef(b *cell.Builder, t *Type, v any) error {
	root, err := e.packValue(t, v)
	if err != nil {
		return err
	}
	c, err := root.EndCell()
	if err != nil {
		return err
	}
	b.StoreRef(c)
	return b.Err()
}

func (e encoder) dictValue(t *Type, v any, inRef bool) (*cell.Builder, error) {
	root, err := e.packValue(t, v)
	if err != nil || !inRef {
		return root, err
	}
	c, err := root.EndCell()
	if err != nil {
		return nil, err
	}
	return cell.BeginCell().StoreRef(c), nil
}

// mapKey serializes a map key into its dictionary key bits, most
// significant first.
func mapKey(t *Type, v any) ([]byte, error) {
	switch t.Kind {
	case KindAddress, KindAddressStd:
		a, err := toAddress(v)
		if err != nil {
			return nil, err
		}
		id, ok := a.Account()
		if a.Type != cell.AddrStd || a.Anycast != nil || !ok || a.Workchain < -128 || a.Workchain > 127 {
			return nil, invalid("map keys must be standard addresses without anycast, not %q", a)
		}
		// addr_std$10, no anycast (0), workchain int8, 256-bit account:
		// 267 bits, left-aligned in 34 bytes.
		x := new(big.Int).SetUint64(0b100<<8 | uint64(uint8(int8(a.Workchain))))
		x.Lsh(x, 256).Or(x, new(big.Int).SetBytes(id[:]))
		return x.Lsh(x, 34*8-267).FillBytes(make([]byte, 34)), nil
	}
	n, err := toBigInt(v)
	if err != nil {
		return nil, err
	}
	if err := checkIntRange(t, n); err != nil {
		return nil, err
	}
	x := new(big.Int).Set(n)
	if x.Sign() < 0 {
		x.Add(x, new(big.Int).Lsh(big.NewInt(1), uint(t.Size)))
	}
	size := (t.Size + 7) / 8
	return x.Lsh(x, uint(size*8-t.Size)).FillBytes(make([]byte, size)), nil
}

// checkIntRange checks that n fits intN or uintN.
func checkIntRange(t *Type, n *big.Int) error {
	if t.Kind == KindUint {
		if n.Sign() < 0 || n.BitLen() > t.Size {
			return invalid("%s does not fit %s", n, t)
		}
		return nil
	}
	lim := new(big.Int).Lsh(big.NewInt(1), uint(t.Size-1))
	if n.Cmp(lim) >= 0 || n.Cmp(new(big.Int).Neg(lim)) < 0 {
		return invalid("%s does not fit %s", n, t)
	}
	return nil
}

func storeInt(b *cell.Builder, t *Type, n *big.Int) error {
	switch t.Kind {
	case KindUint:
		if err := checkIntRange(t, n); err != nil {
			return err
		}
		if t.Size <= 64 {
			b.StoreUInt(n.Uint64(), t.Size)
		} else {
			b.StoreBigUInt(n, t.Size)
		}
	case KindInt:
		if err := checkIntRange(t, n); err != nil {
			return err
		}
		if t.Size <= 64 {
			b.StoreInt(n.Int64(), t.Size)
		} else {
			b.StoreBigInt(n, t.Size)
		}
	case KindVarUint, KindToken:
		size := t.Size
		if t.Kind == KindToken {
			size = 16
		}
		if n.Sign() < 0 || (n.BitLen()+7)/8 > size-1 {
			return invalid("%s does not fit %s", n, t)
		}
		b.StoreVarUInt(n, (&Type{Size: size}).varLenBits())
	case KindVarInt:
		if (signedBytes(n)) > t.Size-1 {
			return invalid("%s does not fit %s", n, t)
		}
		b.StoreVarInt(n, t.varLenBits())
	case KindTime:
		if n.Sign() < 0 || n.BitLen() > 64 {
			return invalid("time %s does not fit 64 bits", n)
		}
		b.StoreUInt(n.Uint64(), 64)
	case KindExpire:
		if n.Sign() < 0 || n.BitLen() > 32 {
			return invalid("expire %s does not fit 32 bits", n)
		}
		b.StoreUInt(n.Uint64(), 32)
	}
	return b.Err()
}

// signedBytes is the number of bytes of n in two's complement.
func signedBytes(n *big.Int) int {
	if n.Sign() >= 0 {
		return (n.BitLen() + 8) / 8
	}
	m := new(big.Int).Not(n) // -n-1
	return (m.BitLen() + 8) / 8
}

// storeBytesRef stores a reference to bytes cut into a chain of 127-byte
// cells (an empty value is a reference to an empty cell).
func storeBytesRef(b *cell.Builder, p []byte) error {
	c, err := bytesChain(p)
	if err != nil {
		return err
	}
	b.StoreRef(c)
	return b.Err()
}

func bytesChain(p []byte) (*cell.Cell, error) {
	const piece = 127
	n := (len(p) + piece - 1) / piece
	if n == 0 {
		return cell.EmptyCell, nil
	}
	var next *cell.Cell
	for i := n - 1; i >= 0; i-- {
		end := min((i+1)*piece, len(p))
		b := cell.BeginCell().StoreBytes(p[i*piece : end])
		if next != nil {
			b.StoreRef(next)
		}
		c, err := b.EndCell()
		if err != nil {
			return nil, err
		}
		next = c
	}
	return next, nil
}

// EncodeParams packs values for params into a chain of cells, as function
// arguments are packed (no header, no id); the values may be in any form
// FromJSON accepts.
func EncodeParams(v Version, params []Param, values map[string]any) (*cell.Cell, error) {
	params, err := resolveParams(params)
	if err != nil {
		return nil, err
	}
	e := encoder{v}
	chunks, err := e.appendParams(nil, params, values)
	if err != nil {
		return nil, err
	}
	root, err := packChain(chunks)
	if err != nil {
		return nil, err
	}
	return root.EndCell()
}
