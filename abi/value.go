package abi

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// MapEntry is one key and value of a map(K,V) value.
type MapEntry struct {
	Key   any
	Value any
}

// Map is the value of a map(K,V): entries in the dictionary's key order
// when decoded, any order when encoded.
type Map []MapEntry

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidValue, fmt.Sprintf(format, args...))
}

// toBigInt accepts the integer spellings callers and JSON use.
func toBigInt(v any) (*big.Int, error) {
	switch x := v.(type) {
	case *big.Int:
		if x == nil {
			return nil, invalid("nil integer")
		}
		return x, nil
	case big.Int:
		return &x, nil
	case int:
		return big.NewInt(int64(x)), nil
	case int8:
		return big.NewInt(int64(x)), nil
	case int16:
		return big.NewInt(int64(x)), nil
	case int32:
		return big.NewInt(int64(x)), nil
	case int64:
		return big.NewInt(x), nil
	case uint:
		return new(big.Int).SetUint64(uint64(x)), nil
	case uint8:
		return big.NewInt(int64(x)), nil
	case uint16:
		return big.NewInt(int64(x)), nil
	case uint32:
		return big.NewInt(int64(x)), nil
	case uint64:
		return new(big.Int).SetUint64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, invalid("number %v is not an exact integer", x)
		}
		return big.NewInt(int64(x)), nil
	case json.Number:
		return parseBigInt(string(x))
	case string:
		return parseBigInt(x)
	}
	return nil, invalid("%T is not an integer", v)
}

// parseBigInt reads decimal or 0x-hex, with an optional sign.
func parseBigInt(s string) (*big.Int, error) {
	t := strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		neg, t = true, rest
	}
	base := 10
	if rest, ok := strings.CutPrefix(strings.ToLower(t), "0x"); ok {
		base, t = 16, rest
	}
	if t == "" || len(t) > 200 {
		return nil, invalid("%q is not an integer", s)
	}
	n, ok := new(big.Int).SetString(t, base)
	if !ok {
		return nil, invalid("%q is not an integer", s)
	}
	if neg {
		n.Neg(n)
	}
	return n, nil
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, invalid("%v (%T) is not a bool", v, v)
}

// toAddress accepts *cell.Address, cell.Address, or a "wc:hex" string; nil
// and "" are addr_none.
func toAddress(v any) (*cell.Address, error) {
	switch x := v.(type) {
	case nil:
		return &cell.Address{Type: cell.AddrNone}, nil
	case *cell.Address:
		if x == nil {
			return &cell.Address{Type: cell.AddrNone}, nil
		}
		return x, nil
	case cell.Address:
		return &x, nil
	case string:
		if x == "" {
			return &cell.Address{Type: cell.AddrNone}, nil
		}
		a, err := cell.ParseAddress(x)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidValue, err)
		}
		return a, nil
	}
	return nil, invalid("%T is not an address", v)
}

// toBytes accepts []byte or a standard base64 string, as nekoton writes
// bytes (hex strings are not accepted: "0x…" is also valid base64).
func toBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		b, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return nil, invalid("bytes %q are not base64: %v", x, err)
		}
		return b, nil
	}
	return nil, invalid("%T is not bytes", v)
}

// toPubKey accepts nil (no key), 32 bytes, or 64 hex digits with or
// without 0x, as header public keys are written.
func toPubKey(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		if len(x) == 32 {
			return x, nil
		}
	case string:
		b, err := hex.DecodeString(strings.TrimPrefix(x, "0x"))
		if err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, invalid("%v is not a 32-byte public key", v)
}

func toString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", invalid("%T is not a string", v)
}

// toCell accepts *cell.Cell or a base64 BOC.
func toCell(v any) (*cell.Cell, error) {
	switch x := v.(type) {
	case *cell.Cell:
		if x == nil {
			return nil, invalid("nil cell")
		}
		return x, nil
	case string:
		c, err := cell.FromBase64(x)
		if err != nil {
			return nil, fmt.Errorf("%w: cell: %w", ErrInvalidValue, err)
		}
		return c, nil
	case []byte:
		c, err := cell.FromBOC(x)
		if err != nil {
			return nil, fmt.Errorf("%w: cell: %w", ErrInvalidValue, err)
		}
		return c, nil
	}
	return nil, invalid("%T is not a cell", v)
}

// toList accepts []any and the common typed slices.
func toList(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []*big.Int:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []map[string]any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case [][]byte:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []*cell.Address:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []bool:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	}
	return nil, invalid("%T is not a list", v)
}

// toMap accepts Map, nekoton's [[key, value], ...] and map[string]any.
func toMap(v any) (Map, error) {
	switch x := v.(type) {
	case Map:
		return x, nil
	case []MapEntry:
		return x, nil
	case []any:
		m := make(Map, 0, len(x))
		for i, e := range x {
			pair, ok := e.([]any)
			if !ok || len(pair) != 2 {
				return nil, invalid("map entry %d is not a [key, value] pair", i)
			}
			m = append(m, MapEntry{Key: pair[0], Value: pair[1]})
		}
		return m, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := make(Map, 0, len(x))
		for _, k := range keys {
			m = append(m, MapEntry{Key: k, Value: x[k]})
		}
		return m, nil
	}
	return nil, invalid("%T is not a map", v)
}

func toTuple(v any) (map[string]any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	return nil, invalid("%T is not a tuple (map[string]any)", v)
}

// FromJSON converts a value in any accepted input form (nekoton token JSON
// included) into the Go representation Decode returns.
func FromJSON(t *Type, v any) (any, error) {
	switch t.Kind {
	case KindUint, KindInt, KindVarUint, KindVarInt, KindToken, KindTime, KindExpire:
		return toBigInt(v)
	case KindBool:
		return toBool(v)
	case KindAddress, KindAddressStd:
		return toAddress(v)
	case KindBytes, KindFixedBytes:
		return toBytes(v)
	case KindString:
		return toString(v)
	case KindCell:
		return toCell(v)
	case KindPubKey:
		return toPubKey(v)
	case KindOptional:
		if v == nil {
			return nil, nil
		}
		return FromJSON(t.Elem, v)
	case KindRef:
		return FromJSON(t.Elem, v)
	case KindArray, KindFixedArray:
		l, err := toList(v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(l))
		for i := range l {
			if out[i], err = FromJSON(t.Elem, l[i]); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
		}
		return out, nil
	case KindMap:
		m, err := toMap(v)
		if err != nil {
			return nil, err
		}
		out := make(Map, len(m))
		for i, e := range m {
			k, err := FromJSON(t.Key, e.Key)
			if err != nil {
				return nil, fmt.Errorf("map key %v: %w", e.Key, err)
			}
			val, err := FromJSON(t.Elem, e.Value)
			if err != nil {
				return nil, fmt.Errorf("map value at %v: %w", e.Key, err)
			}
			out[i] = MapEntry{Key: k, Value: val}
		}
		return out, nil
	case KindTuple:
		m, err := toTuple(v)
		if err != nil {
			return nil, err
		}
		return ParamsFromJSON(t.Components, m)
	}
	return nil, invalid("unknown type kind %d", t.Kind)
}

// ParamsFromJSON converts the values of a parameter list with FromJSON.
// Values missing from in are missing from the result.
func ParamsFromJSON(params []Param, in map[string]any) (map[string]any, error) {
	return convertParams(params, in, FromJSON)
}

// convertParams applies convert to the value of every parameter present in in.
func convertParams(params []Param, in map[string]any, convert func(*Type, any) (any, error)) (map[string]any, error) {
	params, err := resolveParams(params)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(params))
	for i := range params {
		v, ok := in[params[i].Name]
		if !ok {
			continue
		}
		c, err := convert(params[i].parsed, v)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", params[i].Name, err)
		}
		out[params[i].Name] = c
	}
	return out, nil
}

// ToJSON converts a value of type t, as Decode returns it, into nekoton's
// token JSON: integers as decimal strings, bytes and cells as base64,
// addresses as "wc:hex" ("" for none), maps as [[key, value], ...] with
// string keys.
func ToJSON(t *Type, v any) (any, error) {
	switch t.Kind {
	case KindUint, KindInt, KindVarUint, KindVarInt, KindToken, KindTime, KindExpire:
		n, err := toBigInt(v)
		if err != nil {
			return nil, err
		}
		return n.String(), nil
	case KindBool:
		return toBool(v)
	case KindAddress, KindAddressStd:
		a, err := toAddress(v)
		if err != nil {
			return nil, err
		}
		return a.String(), nil
	case KindBytes, KindFixedBytes:
		b, err := toBytes(v)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString(b), nil
	case KindString:
		return toString(v)
	case KindCell:
		c, err := toCell(v)
		if err != nil {
			return nil, err
		}
		return c.ToBase64(), nil
	case KindPubKey:
		b, err := toPubKey(v)
		if err != nil || b == nil {
			return nil, err
		}
		return "0x" + hex.EncodeToString(b), nil
	case KindOptional:
		if v == nil {
			return nil, nil
		}
		return ToJSON(t.Elem, v)
	case KindRef:
		return ToJSON(t.Elem, v)
	case KindArray, KindFixedArray:
		l, err := toList(v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(l))
		for i := range l {
			if out[i], err = ToJSON(t.Elem, l[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	case KindMap:
		m, err := toMap(v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(m))
		for i, e := range m {
			k, err := ToJSON(t.Key, e.Key)
			if err != nil {
				return nil, err
			}
			val, err := ToJSON(t.Elem, e.Value)
			if err != nil {
				return nil, err
			}
			out[i] = []any{k, val}
		}
		return out, nil
	case KindTuple:
		m, err := toTuple(v)
		if err != nil {
			return nil, err
		}
		return ParamsToJSON(t.Components, m)
	}
	return nil, invalid("unknown type kind %d", t.Kind)
}

// ParamsToJSON converts the values of a parameter list with ToJSON.
func ParamsToJSON(params []Param, in map[string]any) (map[string]any, error) {
	return convertParams(params, in, ToJSON)
}
