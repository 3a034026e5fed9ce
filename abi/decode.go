package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// maxBytesLen bounds a decoded bytes or string value; a chain longer than
// this is refused rather than copied.
const maxBytesLen = 1 << 20

func decodeErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDecode, fmt.Sprintf(format, args...))
}

// wrapDecode marks errors from slice loads as decode errors.
func wrapDecode(err error) error {
	if err == nil || errors.Is(err, ErrDecode) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrDecode, err)
}

// decoder reads values for one ABI version.
type decoder struct{ v Version }

// chainReader walks a cell chain: values in their cells, links as the last
// reference.
type chainReader struct {
	d     decoder
	s     *cell.Slice
	sizes []size // layout sizes of every value of the chain (2.2+)
	cells []int  // cell index of every value (2.2+)
	cur   int    // cell index of s
}

// newChainReader starts reading a chain at s for values of the given
// types, after values of the layout sizes in prefix that were already read
// (or reserved) in the first cell; prefix is ignored before ABI 2.2.
func (d decoder) newChainReader(s *cell.Slice, prefix []size, types []*Type) *chainReader {
	r := &chainReader{d: d, s: s}
	if d.v.maxSizeLayout() {
		r.sizes = append(r.sizes, prefix...)
		for _, t := range types {
			r.sizes = append(r.sizes, size{t.MaxBits(d.v), t.MaxRefs(d.v)})
		}
		r.cells = layout(r.sizes)
	}
	return r
}

// follow moves to the next cell of the chain through the link reference.
func (r *chainReader) follow() error {
	if r.s.BitsLeft() != 0 || r.s.RefsLeft() != 1 {
		return decodeErr("cell %d of a chain has %d bits and %d refs left before the link to the next", r.cur, r.s.BitsLeft(), r.s.RefsLeft())
	}
	c, _ := r.s.LoadRef()
	r.s = c.BeginParse()
	r.cur++
	return nil
}

// read decodes value i (counting the prefix) of type t; last says whether
// it is the final value of the chain.
func (r *chainReader) read(i int, t *Type, last bool) (any, error) {
	if r.cells != nil {
		for r.cur < r.cells[i] {
			if err := r.follow(); err != nil {
				return nil, err
			}
		}
	} else if r.s.BitsLeft() == 0 && r.s.RefsLeft() == 1 {
		// Before 2.2 values move to the next cell when they do not fit; a
		// cell whose bits are all read and which has a single reference
		// left links on, unless the value is the last and is that ref.
		if t.MaxBits(r.d.v) > 0 || t.Kind == KindTuple || !last {
			if err := r.follow(); err != nil {
				return nil, err
			}
		}
	}
	return r.d.load(r.s, t)
}

// readParams decodes the values of params (tuples flattened) starting at
// value index first.
func (r *chainReader) readParams(params []Param, first int) (map[string]any, error) {
	var flat []*Type
	for i := range params {
		flat = params[i].parsed.flatten(flat)
	}
	vals := make([]any, len(flat))
	for i, t := range flat {
		v, err := r.read(first+i, t, i == len(flat)-1)
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", t, err)
		}
		vals[i] = v
	}
	out := make(map[string]any, len(params))
	rest := vals
	for i := range params {
		out[params[i].Name], rest = unflatten(params[i].parsed, rest)
	}
	return out, nil
}

// end checks that the chain holds nothing more.
func (r *chainReader) end() error {
	if !r.s.IsEmpty() {
		return decodeErr("%d bits and %d refs left after the last value", r.s.BitsLeft(), r.s.RefsLeft())
	}
	return nil
}

func unflatten(t *Type, vals []any) (any, []any) {
	if t.Kind != KindTuple {
		return vals[0], vals[1:]
	}
	m := make(map[string]any, len(t.Components))
	for i := range t.Components {
		m[t.Components[i].Name], vals = unflatten(t.Components[i].parsed, vals)
	}
	return m, vals
}

// flatTypes lists the types of params with tuples flattened.
func flatTypes(params []Param) []*Type {
	var flat []*Type
	for i := range params {
		flat = params[i].parsed.flatten(flat)
	}
	return flat
}

// readChain decodes a whole chain of one value of type t from s.
func (d decoder) readChain(s *cell.Slice, t *Type) (any, error) {
	flat := t.flatten(nil)
	r := d.newChainReader(s, nil, flat)
	vals := make([]any, len(flat))
	for i, ft := range flat {
		v, err := r.read(i, ft, i == len(flat)-1)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	v, _ := unflatten(t, vals)
	return v, nil
}

// load reads one value of type t (a tuple: its components one after
// another) from s.
func (d decoder) load(s *cell.Slice, t *Type) (any, error) {
	v, err := d.loadValue(s, t)
	return v, wrapDecode(err)
}

func (d decoder) loadValue(s *cell.Slice, t *Type) (any, error) {
	switch t.Kind {
	case KindUint:
		if t.Size <= 64 {
			u, err := s.LoadUInt(t.Size)
			return new(big.Int).SetUint64(u), err
		}
		return s.LoadBigUInt(t.Size)
	case KindInt:
		if t.Size <= 64 {
			i, err := s.LoadInt(t.Size)
			return big.NewInt(i), err
		}
		return s.LoadBigInt(t.Size)
	case KindVarUint:
		return s.LoadVarUInt(t.varLenBits())
	case KindVarInt:
		return s.LoadVarInt(t.varLenBits())
	case KindToken:
		return s.LoadVarUInt(4)
	case KindTime:
		u, err := s.LoadUInt(64)
		return new(big.Int).SetUint64(u), err
	case KindExpire:
		u, err := s.LoadUInt(32)
		return new(big.Int).SetUint64(u), err
	case KindBool:
		return s.LoadBool()
	case KindAddress, KindAddressStd:
		a, err := s.LoadAddress()
		if err != nil {
			return nil, err
		}
		if t.Kind == KindAddressStd && a.Type != cell.AddrStd && a.Type != cell.AddrNone {
			return nil, decodeErr("address_std holds a %v address", a.Type)
		}
		return a, nil
	case KindBytes, KindString:
		c, err := s.LoadRef()
		if err != nil {
			return nil, err
		}
		p, err := readBytesChain(c)
		if err != nil {
			return nil, err
		}
		if t.Kind == KindString {
			if !utf8.Valid(p) {
				return nil, decodeErr("string is not valid UTF-8")
			}
			return string(p), nil
		}
		return p, nil
	case KindFixedBytes:
		var p []byte
		var err error
		if d.v.fixedBytesInline() {
			p, err = s.LoadBytes(t.Size)
		} else {
			var c *cell.Cell
			if c, err = s.LoadRef(); err == nil {
				p, err = readBytesChain(c)
			}
		}
		if err != nil {
			return nil, err
		}
		if len(p) != t.Size {
			return nil, decodeErr("%d bytes for %s", len(p), t)
		}
		return p, nil
	case KindCell:
		return s.LoadRef()
	case KindPubKey:
		has, err := s.LoadBool()
		if err != nil || !has {
			return nil, err
		}
		return s.LoadBytes(32)
	case KindOptional:
		has, err := s.LoadBool()
		if err != nil || !has {
			return nil, err
		}
		if t.Elem.largeOptional(d.v) {
			c, err := s.LoadRef()
			if err != nil {
				return nil, err
			}
			return d.readChain(c.BeginParse(), t.Elem)
		}
		return d.loadValue(s, t.Elem)
	case KindRef:
		c, err := s.LoadRef()
		if err != nil {
			return nil, err
		}
		return d.readChain(c.BeginParse(), t.Elem)
	case KindArray, KindFixedArray:
		n := uint64(t.Size)
		if t.Kind == KindArray {
			var err error
			if n, err = s.LoadUInt(32); err != nil {
				return nil, err
			}
		}
		root, err := s.LoadMaybeRef()
		if err != nil {
			return nil, err
		}
		items, err := cell.ParseDict(root, 32)
		if err != nil {
			return nil, err
		}
		if uint64(len(items)) != n {
			return nil, decodeErr("array of %d items has %d dictionary entries", n, len(items))
		}
		inRef := t.Elem.valueInRef(32, d.v)
		out := make([]any, len(items))
		for i, it := range items {
			if k := binary.BigEndian.Uint32(it.Key); k != uint32(i) {
				return nil, decodeErr("array item %d has key %d", i, k)
			}
			if out[i], err = d.dictValue(it.Value, t.Elem, inRef); err != nil {
				return nil, fmt.Errorf("array item %d: %w", i, err)
			}
		}
		return out, nil
	case KindMap:
		root, err := s.LoadMaybeRef()
		if err != nil {
			return nil, err
		}
		keyLen := t.Key.keyBits()
		items, err := cell.ParseDict(root, keyLen)
		if err != nil {
			return nil, err
		}
		inRef := t.Elem.valueInRef(keyLen, d.v)
		out := make(Map, len(items))
		for i, it := range items {
			k, err := decodeMapKey(t.Key, it.Key, keyLen)
			if err != nil {
				return nil, err
			}
			v, err := d.dictValue(it.Value, t.Elem, inRef)
			if err != nil {
				return nil, fmt.Errorf("map value at %v: %w", k, err)
			}
			out[i] = MapEntry{Key: k, Value: v}
		}
		return out, nil
	case KindTuple:
		m := make(map[string]any, len(t.Components))
		for i := range t.Components {
			c := &t.Components[i]
			v, err := d.loadValue(s, c.parsed)
			if err != nil {
				return nil, fmt.Errorf("tuple component %q: %w", c.Name, err)
			}
			m[c.Name] = v
		}
		return m, nil
	}
	return nil, decodeErr("cannot decode type kind %d", t.Kind)
}

func (d decoder) dictValue(s *cell.Slice, t *Type, inRef bool) (any, error) {
	if inRef {
		c, err := s.LoadRef()
		if err != nil {
			return nil, wrapDecode(err)
		}
		if !s.IsEmpty() {
			return nil, decodeErr("dictionary leaf has data beside its value reference")
		}
		s = c.BeginParse()
	}
	return d.readChain(s, t)
}

func decodeMapKey(t *Type, key []byte, keyLen int) (any, error) {
	c, err := cell.BeginCell().StoreBits(key, keyLen).EndCell()
	if err != nil {
		return nil, wrapDecode(err)
	}
	s := c.BeginParse()
	if t.Kind == KindAddress || t.Kind == KindAddressStd {
		a, err := s.LoadAddress()
		if err != nil || !s.IsEmpty() {
			return nil, decodeErr("map key %x is not a standard address", key)
		}
		return a, nil
	}
	return decoder{}.load(s, t)
}

// readBytesChain concatenates the data of a chain of byte cells.
func readBytesChain(c *cell.Cell) ([]byte, error) {
	var out []byte
	for c != nil {
		if c.BitsSize()%8 != 0 {
			return nil, decodeErr("bytes cell of %d bits", c.BitsSize())
		}
		if c.RefsNum() > 1 {
			return nil, decodeErr("bytes cell with %d refs", c.RefsNum())
		}
		if len(out)+c.BitsSize()/8 > maxBytesLen {
			return nil, decodeErr("bytes longer than %d", maxBytesLen)
		}
		out = append(out, c.Data()...)
		c = c.Ref(0)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// DecodeParams reads values for params from a cell chain packed as
// EncodeParams packs it. With allowPartial, data after the last value is
// ignored.
func DecodeParams(v Version, params []Param, c *cell.Cell, allowPartial bool) (map[string]any, error) {
	params, err := resolveParams(params)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, decodeErr("no cell")
	}
	d := decoder{v}
	r := d.newChainReader(c.BeginParse(), nil, flatTypes(params))
	out, err := r.readParams(params, 0)
	if err != nil {
		return nil, err
	}
	if !allowPartial {
		if err := r.end(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
