package abi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Kind is the kind of an ABI parameter type.
type Kind uint8

// The ABI type kinds.
const (
	KindUint       Kind = iota + 1 // uintN
	KindInt                        // intN
	KindVarUint                    // varuintN
	KindVarInt                     // varintN
	KindBool                       // bool
	KindAddress                    // address
	KindAddressStd                 // address_std
	KindBytes                      // bytes
	KindFixedBytes                 // fixedbytesN
	KindString                     // string
	KindCell                       // cell
	KindOptional                   // optional(T)
	KindArray                      // T[]
	KindFixedArray                 // T[k]
	KindMap                        // map(K,V)
	KindTuple                      // tuple
	KindRef                        // ref(T)
	KindToken                      // legacy gram/token: varuint16
	KindPubKey                     // header pubkey: optional uint256
	KindTime                       // header time: uint64 ms
	KindExpire                     // header expire: uint32 s
)

// Type is a parsed ABI parameter type.
type Type struct {
	Kind Kind
	// Size is N of uintN/intN (bits), varuintN/varintN (bytes bound),
	// fixedbytesN (bytes), or k of T[k].
	Size int
	// Elem is T of optional(T), T[], T[k] and ref(T), and V of map(K,V).
	Elem *Type
	// Key is K of map(K,V).
	Key *Type
	// Components are the named members of a tuple.
	Components []Param
}

// Limits of the ABI types.
const (
	maxAddressBits    = 591 // addr_var with anycast
	maxAddressStdBits = 302 // addr_std with anycast
	dictInfoBits      = 12  // ever-abi MAX_HASH_MAP_INFO_ABOUT_KEY
	maxFixedBytes     = 127 // fixedbytesN stored inline (2.4)
)

// ParseType parses a type string of the ABI JSON ("uint256", "map(address,
// uint8[])", "tuple[]", ...); components give the members of a tuple.
func ParseType(s string, components []Param) (*Type, error) {
	t, err := parseType(strings.TrimSpace(s), components, 0)
	if err != nil {
		return nil, fmt.Errorf("parsing ABI type %q: %w", s, err)
	}
	return t, nil
}

func parseType(s string, components []Param, depth int) (*Type, error) {
	if depth > 32 {
		return nil, fmt.Errorf("%w: nested too deeply", ErrInvalidType)
	}
	if strings.HasSuffix(s, "]") {
		open := strings.LastIndexByte(s, '[')
		if open < 0 {
			return nil, fmt.Errorf("%w: unbalanced ']'", ErrInvalidType)
		}
		elem, err := parseType(s[:open], components, depth+1)
		if err != nil {
			return nil, err
		}
		n := s[open+1 : len(s)-1]
		if n == "" {
			return &Type{Kind: KindArray, Elem: elem}, nil
		}
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 || k > 1<<32-1 {
			return nil, fmt.Errorf("%w: array size %q", ErrInvalidType, n)
		}
		return &Type{Kind: KindFixedArray, Size: k, Elem: elem}, nil
	}
	if inner, ok := wrapped(s, "optional("); ok {
		elem, err := parseType(inner, components, depth+1)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KindOptional, Elem: elem}, nil
	}
	if inner, ok := wrapped(s, "ref("); ok {
		elem, err := parseType(inner, components, depth+1)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KindRef, Elem: elem}, nil
	}
	if inner, ok := wrapped(s, "map("); ok {
		comma := topLevelComma(inner)
		if comma < 0 {
			return nil, fmt.Errorf("%w: map needs key and value types", ErrInvalidType)
		}
		key, err := parseType(strings.TrimSpace(inner[:comma]), nil, depth+1)
		if err != nil {
			return nil, err
		}
		switch key.Kind {
		case KindUint, KindInt, KindAddress, KindAddressStd:
		default:
			return nil, fmt.Errorf("%w: map key must be an integer or address, not %s", ErrInvalidType, key)
		}
		val, err := parseType(strings.TrimSpace(inner[comma+1:]), components, depth+1)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KindMap, Key: key, Elem: val}, nil
	}
	if s == "tuple" {
		for i := range components {
			if _, err := components[i].resolve(depth + 1); err != nil {
				return nil, err
			}
		}
		return &Type{Kind: KindTuple, Components: components}, nil
	}
	switch s {
	case "bool":
		return &Type{Kind: KindBool}, nil
	case "address":
		return &Type{Kind: KindAddress}, nil
	case "address_std":
		return &Type{Kind: KindAddressStd}, nil
	case "bytes":
		return &Type{Kind: KindBytes}, nil
	case "string":
		return &Type{Kind: KindString}, nil
	case "cell":
		return &Type{Kind: KindCell}, nil
	case "gram", "token":
		return &Type{Kind: KindToken}, nil
	case "pubkey":
		return &Type{Kind: KindPubKey}, nil
	case "time":
		return &Type{Kind: KindTime}, nil
	case "expire":
		return &Type{Kind: KindExpire}, nil
	}
	for _, p := range []struct {
		prefix   string
		kind     Kind
		min, max int
	}{
		{"varuint", KindVarUint, 2, 32}, {"varint", KindVarInt, 2, 32},
		{"uint", KindUint, 1, 256}, {"int", KindInt, 1, 257},
		{"fixedbytes", KindFixedBytes, 1, 32 * 1024},
	} {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < p.min || n > p.max || strconv.Itoa(n) != rest {
				return nil, fmt.Errorf("%w: size in %q", ErrInvalidType, s)
			}
			if (p.kind == KindVarUint || p.kind == KindVarInt) && n != 16 && n != 32 {
				return nil, fmt.Errorf("%w: %q (only varuint16/32, varint16/32)", ErrInvalidType, s)
			}
			return &Type{Kind: p.kind, Size: n}, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown type %q", ErrInvalidType, s)
}

func wrapped(s, prefix string) (string, bool) {
	if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, ")") {
		return s[len(prefix) : len(s)-1], true
	}
	return "", false
}

func topLevelComma(s string) int {
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// String is the type as it appears in a function signature, with tuples
// spelled out as (t1,t2,...).
func (t *Type) String() string {
	var sb strings.Builder
	t.signature(&sb)
	return sb.String()
}

func (t *Type) signature(sb *strings.Builder) {
	switch t.Kind {
	case KindUint:
		sb.WriteString("uint" + strconv.Itoa(t.Size))
	case KindInt:
		sb.WriteString("int" + strconv.Itoa(t.Size))
	case KindVarUint:
		sb.WriteString("varuint" + strconv.Itoa(t.Size))
	case KindVarInt:
		sb.WriteString("varint" + strconv.Itoa(t.Size))
	case KindBool:
		sb.WriteString("bool")
	case KindAddress:
		sb.WriteString("address")
	case KindAddressStd:
		sb.WriteString("address_std")
	case KindBytes:
		sb.WriteString("bytes")
	case KindFixedBytes:
		sb.WriteString("fixedbytes" + strconv.Itoa(t.Size))
	case KindString:
		sb.WriteString("string")
	case KindCell:
		sb.WriteString("cell")
	case KindToken:
		sb.WriteString("gram")
	case KindPubKey:
		sb.WriteString("pubkey")
	case KindTime:
		sb.WriteString("time")
	case KindExpire:
		sb.WriteString("expire")
	case KindOptional:
		sb.WriteString("optional(")
		t.Elem.signature(sb)
		sb.WriteByte(')')
	case KindRef:
		sb.WriteString("ref(")
		t.Elem.signature(sb)
		sb.WriteByte(')')
	case KindArray:
		t.Elem.signature(sb)
		sb.WriteString("[]")
	case KindFixedArray:
		t.Elem.signature(sb)
		sb.WriteString("[" + strconv.Itoa(t.Size) + "]")
	case KindMap:
		sb.WriteString("map(")
		t.Key.signature(sb)
		sb.WriteByte(',')
		t.Elem.signature(sb)
		sb.WriteByte(')')
	case KindTuple:
		sb.WriteByte('(')
		for i := range t.Components {
			if i > 0 {
				sb.WriteByte(',')
			}
			t.Components[i].parsed.signature(sb)
		}
		sb.WriteByte(')')
	}
}

// varLenBits is the width of the byte-count prefix of varuintN/varintN.
func (t *Type) varLenBits() int {
	n := t.Size - 1
	b := 0
	for n > 0 {
		b++
		n >>= 1
	}
	return b
}

// MaxBits is the most data bits a value of the type can take in a cell, as
// the ABI version counts them for the cell layout.
func (t *Type) MaxBits(v Version) int {
	switch t.Kind {
	case KindUint, KindInt:
		return t.Size
	case KindVarUint, KindVarInt:
		return t.varLenBits() + (t.Size-1)*8
	case KindToken:
		return 124
	case KindBool:
		return 1
	case KindAddress:
		return maxAddressBits
	case KindAddressStd:
		return maxAddressStdBits
	case KindFixedBytes:
		if v.fixedBytesInline() {
			return t.Size * 8
		}
		return 0
	case KindBytes, KindString, KindCell, KindRef:
		return 0
	case KindArray:
		return 33
	case KindFixedArray, KindMap:
		return 1
	case KindOptional:
		if t.Elem.largeOptional(v) {
			return 1
		}
		return 1 + t.Elem.MaxBits(v)
	case KindTuple:
		n := 0
		for i := range t.Components {
			n += t.Components[i].parsed.MaxBits(v)
		}
		return n
	case KindPubKey:
		return 257
	case KindTime:
		return 64
	case KindExpire:
		return 32
	}
	return 0
}

// MaxRefs is the most references a value of the type can take in a cell.
func (t *Type) MaxRefs(v Version) int {
	switch t.Kind {
	case KindBytes, KindString, KindCell, KindRef, KindArray, KindFixedArray, KindMap:
		return 1
	case KindFixedBytes:
		if v.fixedBytesInline() {
			return 0
		}
		return 1
	case KindOptional:
		if t.Elem.largeOptional(v) {
			return 1
		}
		return t.Elem.MaxRefs(v)
	case KindTuple:
		n := 0
		for i := range t.Components {
			n += t.Components[i].parsed.MaxRefs(v)
		}
		return n
	}
	return 0
}

// largeOptional reports whether optional(t) keeps its value in a reference.
func (t *Type) largeOptional(v Version) bool {
	return t.MaxBits(v) >= cell.MaxBits || t.MaxRefs(v) >= cell.MaxRefs
}

// keyBits is the key length of a map with this key type.
func (t *Type) keyBits() int {
	switch t.Kind {
	case KindAddress, KindAddressStd:
		return 267
	}
	return t.Size
}

// valueInRef reports whether a dictionary with keyLen-bit keys keeps values
// of type t in a reference rather than in the leaf.
func (t *Type) valueInRef(keyLen int, v Version) bool {
	return dictInfoBits+keyLen+t.MaxBits(v) > cell.MaxBits
}

// flatten appends the non-tuple types of t in order: a tuple's components
// are separate values in a cell chain.
func (t *Type) flatten(out []*Type) []*Type {
	if t.Kind != KindTuple {
		return append(out, t)
	}
	for i := range t.Components {
		out = t.Components[i].parsed.flatten(out)
	}
	return out
}

// supportedIn reports whether ABI version v knows the type: string,
// optional and the varints came with 2.1, ref(T) with 2.4.
func (t *Type) supportedIn(v Version) error {
	switch t.Kind {
	case KindString, KindOptional, KindVarInt, KindVarUint:
		if !v.AtLeast(V2_1) {
			return fmt.Errorf("%w: %s needs ABI 2.1 or later, this ABI is %s", ErrInvalidType, t, v)
		}
	case KindRef:
		if !v.AtLeast(V2_4) {
			return fmt.Errorf("%w: %s needs ABI 2.4 or later, this ABI is %s", ErrInvalidType, t, v)
		}
	case KindFixedBytes:
		if v.fixedBytesInline() && t.Size > maxFixedBytes {
			return fmt.Errorf("%w: %s is stored inline from ABI 2.4 on and must be at most %d bytes", ErrInvalidType, t, maxFixedBytes)
		}
	}
	for _, sub := range []*Type{t.Elem, t.Key} {
		if sub != nil {
			if err := sub.supportedIn(v); err != nil {
				return err
			}
		}
	}
	for i := range t.Components {
		if err := t.Components[i].parsed.supportedIn(v); err != nil {
			return err
		}
	}
	return nil
}
