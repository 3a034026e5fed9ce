package abi

import (
	"encoding/binary"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// initDataKeyLen is the key length of the pre-2.4 init-data dictionary.
const initDataKeyLen = 64

// EncodeStorage builds a contract's initial data for an ABI 2.4 `fields`
// list: every field packed in order like function arguments. Fields marked
// init take their value from init (all of them must be there); the others
// take their type's default and must not be given.
func (a *ABI) EncodeStorage(init map[string]any) (*cell.Cell, error) {
	if !a.Version.AtLeast(V2_4) {
		return nil, fmt.Errorf("encoding storage fields: %w: ABI %s has no init fields; use EncodeInitData", ErrUnsupportedVersion, a.Version)
	}
	known := make(map[string]bool, len(a.Fields))
	values := make(map[string]any, len(a.Fields))
	for i := range a.Fields {
		f := &a.Fields[i]
		known[f.Name] = true
		v, given := init[f.Name]
		switch {
		case f.Init && !given:
			return nil, fmt.Errorf("encoding storage fields: %w: init field %q has no value", ErrInvalidValue, f.Name)
		case !f.Init && given:
			return nil, fmt.Errorf("encoding storage fields: %w: field %q is not an init field", ErrInvalidValue, f.Name)
		case f.Init:
			values[f.Name] = v
		default:
			values[f.Name] = defaultValue(f.parsed)
		}
	}
	for name := range init {
		if !known[name] {
			return nil, fmt.Errorf("encoding storage fields: %w: field %q", ErrNotFound, name)
		}
	}
	c, err := EncodeParams(a.Version, a.Fields, values)
	if err != nil {
		return nil, fmt.Errorf("encoding storage fields: %w", err)
	}
	return c, nil
}

// DecodeStorage reads a contract's data cell by the ABI's `fields`. With
// allowPartial, data after the last field is ignored (contracts may store
// more than their ABI lists).
func (a *ABI) DecodeStorage(data *cell.Cell, allowPartial bool) (map[string]any, error) {
	if len(a.Fields) == 0 {
		return nil, fmt.Errorf("decoding storage fields: %w: the ABI has no fields", ErrNotFound)
	}
	if data == nil {
		return nil, fmt.Errorf("decoding storage fields: %w", decodeErr("no data cell"))
	}
	vals, err := DecodeParams(a.Version, a.Fields, data, allowPartial)
	if err != nil {
		return nil, fmt.Errorf("decoding storage fields: %w", err)
	}
	return vals, nil
}

// defaultValue is the value a field takes when not initialised, in the Go
// representation: zero numbers, false, addr_none, empty bytes and strings,
// the empty cell, nil optionals, empty arrays and maps.
func defaultValue(t *Type) any {
	switch t.Kind {
	case KindUint, KindInt, KindVarUint, KindVarInt, KindToken, KindTime, KindExpire:
		return 0
	case KindBool:
		return false
	case KindAddress, KindAddressStd:
		return &cell.Address{Type: cell.AddrNone}
	case KindBytes:
		return []byte{}
	case KindString:
		return ""
	case KindFixedBytes:
		return make([]byte, t.Size)
	case KindCell:
		return cell.EmptyCell
	case KindOptional, KindPubKey:
		return nil
	case KindArray:
		return []any{}
	case KindFixedArray:
		l := make([]any, t.Size)
		for i := range l {
			l[i] = defaultValue(t.Elem)
		}
		return l
	case KindMap:
		return Map{}
	case KindRef:
		return defaultValue(t.Elem)
	case KindTuple:
		m := make(map[string]any, len(t.Components))
		for i := range t.Components {
			m[t.Components[i].Name] = defaultValue(t.Components[i].parsed)
		}
		return m
	}
	return nil
}

// EncodeInitData builds the pre-2.4 initial data: a dictionary with 64-bit
// keys holding the public key at key 0 (256 zero bits when pubKey is nil)
// and each `data` item given in values at its key.
func (a *ABI) EncodeInitData(pubKey []byte, values map[string]any) (*cell.Cell, error) {
	return a.UpdateInitData(nil, pubKey, values)
}

// UpdateInitData sets the public key (unless pubKey is nil) and the given
// `data` items in an existing init-data cell (nil for none), keeping every
// other entry, as ever-sdk's update_initial_data does.
func (a *ABI) UpdateInitData(data *cell.Cell, pubKey []byte, values map[string]any) (*cell.Cell, error) {
	if a.Version.AtLeast(V2_4) {
		return nil, fmt.Errorf("encoding init data: %w: ABI %s replaced the data dictionary with init fields; use EncodeStorage", ErrUnsupportedVersion, a.Version)
	}
	entries := map[uint64]*cell.Builder{}
	if data != nil {
		items, err := readInitDict(data)
		if err != nil {
			return nil, fmt.Errorf("updating init data: %w", err)
		}
		for _, it := range items {
			entries[binary.BigEndian.Uint64(it.Key)] = it.Value.ToBuilder()
		}
	}
	if pubKey != nil {
		if len(pubKey) != 32 {
			return nil, fmt.Errorf("encoding init data: %w: public key of %d bytes", ErrInvalidValue, len(pubKey))
		}
		entries[0] = cell.BeginCell().StoreBytes(pubKey)
	} else if _, ok := entries[0]; !ok {
		entries[0] = cell.BeginCell().StoreZeros(256)
	}
	e := encoder{a.Version}
	used := 0
	for i := range a.Data {
		item := &a.Data[i]
		v, ok := values[item.Name]
		if !ok {
			continue
		}
		used++
		b, err := e.packValue(item.parsed, v)
		if err != nil {
			return nil, fmt.Errorf("encoding init data item %q: %w", item.Name, err)
		}
		entries[item.Key] = b
	}
	if used != len(values) {
		for name := range values {
			if a.dataItem(name) == nil {
				return nil, fmt.Errorf("encoding init data: %w: data item %q", ErrNotFound, name)
			}
		}
	}
	list := make([]cell.DictEntry, 0, len(entries))
	for k, b := range entries {
		key := make([]byte, 8)
		binary.BigEndian.PutUint64(key, k)
		list = append(list, cell.DictEntry{Key: key, Value: b})
	}
	root, err := cell.BuildDict(initDataKeyLen, list)
	if err != nil {
		return nil, fmt.Errorf("encoding init data: %w", err)
	}
	return cell.BeginCell().StoreMaybeRef(root).EndCell()
}

func (a *ABI) dataItem(name string) *DataItem {
	for i := range a.Data {
		if a.Data[i].Name == name {
			return &a.Data[i]
		}
	}
	return nil
}

// SetInitDataPubKey replaces the public key (key 0) in an existing pre-2.4
// init-data cell, keeping everything else.
func SetInitDataPubKey(data *cell.Cell, pubKey []byte) (*cell.Cell, error) {
	if len(pubKey) != 32 {
		return nil, fmt.Errorf("setting init data public key: %w: key of %d bytes", ErrInvalidValue, len(pubKey))
	}
	var list []cell.DictEntry
	if data != nil {
		items, err := readInitDict(data)
		if err != nil {
			return nil, fmt.Errorf("setting init data public key: %w", err)
		}
		for _, it := range items {
			if binary.BigEndian.Uint64(it.Key) != 0 {
				list = append(list, cell.DictEntry{Key: it.Key, Value: it.Value.ToBuilder()})
			}
		}
	}
	list = append(list, cell.DictEntry{Key: make([]byte, 8), Value: cell.BeginCell().StoreBytes(pubKey)})
	root, err := cell.BuildDict(initDataKeyLen, list)
	if err != nil {
		return nil, fmt.Errorf("setting init data public key: %w", err)
	}
	return cell.BeginCell().StoreMaybeRef(root).EndCell()
}

// InitDataPubKey reads the public key at key 0 of a pre-2.4 init-data cell
// (nil when there is none).
func InitDataPubKey(data *cell.Cell) ([]byte, error) {
	items, err := readInitDict(data)
	if err != nil {
		return nil, fmt.Errorf("reading init data public key: %w", err)
	}
	for _, it := range items {
		if binary.BigEndian.Uint64(it.Key) == 0 {
			k, err := it.Value.LoadBytes(32)
			if err != nil {
				return nil, fmt.Errorf("reading init data public key: %w", wrapDecode(err))
			}
			return k, nil
		}
	}
	return nil, nil
}

// DecodeInitData reads the public key and the `data` items present in a
// pre-2.4 init-data cell.
func (a *ABI) DecodeInitData(data *cell.Cell) (pubKey []byte, values map[string]any, err error) {
	items, err := readInitDict(data)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding init data: %w", err)
	}
	byKey := make(map[uint64]*cell.Slice, len(items))
	for _, it := range items {
		byKey[binary.BigEndian.Uint64(it.Key)] = it.Value
	}
	if s, ok := byKey[0]; ok {
		if pubKey, err = s.Copy().LoadBytes(32); err != nil {
			return nil, nil, fmt.Errorf("decoding init data public key: %w", wrapDecode(err))
		}
	}
	values = map[string]any{}
	dec := decoder{a.Version}
	for i := range a.Data {
		item := &a.Data[i]
		s, ok := byKey[item.Key]
		if !ok {
			continue
		}
		v, err := dec.readChain(s.Copy(), item.parsed)
		if err != nil {
			return nil, nil, fmt.Errorf("decoding init data item %q: %w", item.Name, err)
		}
		values[item.Name] = v
	}
	return pubKey, values, nil
}

func readInitDict(data *cell.Cell) ([]cell.DictItem, error) {
	if data == nil {
		return nil, decodeErr("no data cell")
	}
	s := data.BeginParse()
	root, err := s.LoadMaybeRef()
	if err != nil {
		return nil, wrapDecode(err)
	}
	items, err := cell.ParseDict(root, initDataKeyLen)
	if err != nil {
		return nil, wrapDecode(err)
	}
	return items, nil
}
