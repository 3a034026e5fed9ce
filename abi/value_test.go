package abi

import (
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

func mustType(t testing.TB, s string, comps ...Param) *Type {
	t.Helper()
	for i := range comps {
		if _, err := comps[i].resolve(0); err != nil {
			t.Fatal(err)
		}
	}
	ty, err := ParseType(s, comps)
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

// TestInputForms checks that the accepted spellings of a value encode the
// same.
func TestInputForms(t *testing.T) {
	addr := "0:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
	tests := []struct {
		typ   string
		forms []any
	}{
		{"uint64", []any{42, int64(42), uint64(42), uint8(42), "42", "0x2a", "0X2A", json.Number("42"), float64(42), big.NewInt(42)}},
		{"int16", []any{-5, "-5", "-0x5", json.Number("-5"), big.NewInt(-5)}},
		{"bool", []any{true, "true"}},
		{"address", []any{addr, cell.MustParseAddress(addr), *cell.MustParseAddress(addr)}},
		{"address", []any{"", nil, &cell.Address{Type: cell.AddrNone}}},
		{"bytes", []any{[]byte("hi"), "aGk="}},
		{"string", []any{"hi", []byte("hi")}},
		{"cell", []any{cell.EmptyCell, cell.EmptyCell.ToBase64(), cell.EmptyCell.ToBOC()}},
		{"uint8[]", []any{[]any{1, "2"}, []*big.Int{big.NewInt(1), big.NewInt(2)}, []string{"1", "2"}}},
		{"map(uint8,bool)", []any{Map{{Key: 1, Value: true}, {Key: 2, Value: false}}, []any{[]any{"2", false}, []any{1, true}}, map[string]any{"1": true, "2": false}}},
	}
	for _, tc := range tests {
		ty := mustType(t, tc.typ)
		ps := []Param{{Name: "x", Type: tc.typ, parsed: ty}}
		var first *cell.Cell
		for i, f := range tc.forms {
			c, err := EncodeParams(V2_3, ps, map[string]any{"x": f})
			if err != nil {
				t.Errorf("%s form %d (%T): %v", tc.typ, i, f, err)
				continue
			}
			if first == nil {
				first = c
			} else if c.Hash() != first.Hash() {
				t.Errorf("%s form %d (%T) encodes differently", tc.typ, i, f)
			}
		}
	}
}

func TestInvalidValues(t *testing.T) {
	tests := []struct {
		typ string
		v   any
	}{
		{"uint8", 256}, {"uint8", -1}, {"int8", 128}, {"int8", -129}, {"uint8", "x"}, {"uint8", 1.5},
		{"uint8", true}, {"varuint16", new(big.Int).Lsh(big.NewInt(1), 120)}, {"varint16", new(big.Int).Lsh(big.NewInt(1), 119)},
		{"bool", 1}, {"address", "0:zz"}, {"address", 5}, {"bytes", "!!"}, {"string", "\xff"},
		{"fixedbytes2", []byte{1}}, {"cell", "AAAA"}, {"uint8[2]", []any{1}}, {"uint8[]", 5},
		{"map(address,bool)", []any{[]any{"-1:" + string(make([]byte, 0)), true}}}, {"map(uint8,bool)", []any{[]any{1}}},
		{"address_std", &cell.Address{Type: cell.AddrVar, Workchain: 1000, Bits: 8, Data: []byte{1}}},
		{"optional(uint8)", "x"}, {"uint8", nil},
	}
	for _, tc := range tests {
		ps := []Param{{Name: "x", Type: tc.typ, parsed: mustType(t, tc.typ)}}
		if _, err := EncodeParams(V2_3, ps, map[string]any{"x": tc.v}); !errors.Is(err, ErrInvalidValue) && !errors.Is(err, cell.ErrValueRange) {
			t.Errorf("%s %v: %v", tc.typ, tc.v, err)
		}
	}
	ps := []Param{{Name: "x", Type: "uint8", parsed: mustType(t, "uint8")}}
	if _, err := EncodeParams(V2_3, ps, map[string]any{}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("missing value: %v", err)
	}
}

// §8.7: ever-sdk's abi.encode_boc vector and the Hello internal body.
func TestEncodeBocVector(t *testing.T) {
	ps := []Param{
		{Name: "dest", Type: "address", parsed: mustType(t, "address")},
		{Name: "value", Type: "uint128", parsed: mustType(t, "uint128")},
		{Name: "bounce", Type: "bool", parsed: mustType(t, "bool")},
	}
	vals := map[string]any{"dest": "-1:3333333333333333333333333333333333333333333333333333333333333333", "value": 1234567, "bounce": true}
	c, err := EncodeParams(V2_2, ps, vals)
	if err != nil {
		t.Fatal(err)
	}
	const want = "te6ccgEBAQEANAAAY5/mZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmAAAAAAAAAAAAAAAAACWtD4"
	if got := c.ToBase64(); got != want || c.BitsSize() != 396 {
		t.Errorf("encode_boc %s (%d bits), want %s", got, c.BitsSize(), want)
	}
	back, err := DecodeParams(V2_2, ps, c, false)
	if err != nil {
		t.Fatal(err)
	}
	j := paramsJSON(t, ps, back)
	if !reflect.DeepEqual(j, map[string]any{"dest": vals["dest"], "value": "1234567", "bounce": true}) {
		t.Errorf("decoded %v", j)
	}

	hello := mustParseABI(t, `{"ABI version":2,"header":["time"],"functions":[{"name":"sayHello","inputs":[],"outputs":[{"name":"value0","type":"uint32"}]}]}`)
	body, err := mustFn(t, hello, "sayHello").EncodeInternal(nil)
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "sayHello body", body, seq().u(0x50CBED17, 32).cell(t))
	d, err := hello.DecodeInternalCall(body)
	if err != nil || d.Function.Name != "sayHello" {
		t.Errorf("decoded %v %v", d, err)
	}
	out, err := mustFn(t, hello, "sayHello").EncodeOutput(map[string]any{"value0": 7})
	if err != nil {
		t.Fatal(err)
	}
	f, vals2, err := hello.DecodeOutput(out)
	if err != nil || f.Name != "sayHello" || vals2["value0"].(*big.Int).Int64() != 7 {
		t.Errorf("output %v %v %v", f, vals2, err)
	}
}

func TestEventEncodeDecode(t *testing.T) {
	a := mustABI(t, "eversdk/EventsOld.abi.json")
	e, err := a.Event("EventThrown")
	if err != nil {
		t.Fatal(err)
	}
	if e.Signature() != "EventThrown(uint256)v2" {
		t.Errorf("signature %s", e.Signature())
	}
	body, err := e.Encode(map[string]any{"id": "0x1234"})
	if err != nil {
		t.Fatal(err)
	}
	got, vals, err := a.DecodeEvent(body)
	if err != nil || got != e || vals["id"].(*big.Int).Int64() != 0x1234 {
		t.Errorf("decoded %v %v %v", got, vals, err)
	}
	if _, _, err := a.DecodeEvent(seq().u(1, 32).cell(t)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown event: %v", err)
	}
}

func TestJSONConversion(t *testing.T) {
	comps := []Param{{Name: "a", Type: "uint8"}, {Name: "b", Type: "optional(bytes)"}}
	ty := mustType(t, "tuple[]", comps...)
	in := []any{map[string]any{"a": "1", "b": nil}, map[string]any{"a": 2, "b": "AQI="}}
	g, err := FromJSON(ty, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"a": big.NewInt(1), "b": nil}, map[string]any{"a": big.NewInt(2), "b": []byte{1, 2}}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("FromJSON %#v", g)
	}
	j, err := ToJSON(ty, g)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(j, []any{map[string]any{"a": "1", "b": nil}, map[string]any{"a": "2", "b": "AQI="}}) {
		t.Errorf("ToJSON %#v", j)
	}
	pk := mustType(t, "pubkey")
	k := "0x" + walletPub
	if b, err := FromJSON(pk, k); err != nil || len(b.([]byte)) != 32 {
		t.Errorf("pubkey %v %v", b, err)
	}
	if s, err := ToJSON(pk, mustHex(t, walletPub)); err != nil || s != k {
		t.Errorf("pubkey JSON %v %v", s, err)
	}
}

// Parameter lists written as literals (types not parsed yet) work and are
// not modified.
func TestLiteralParams(t *testing.T) {
	ps := []Param{
		{Name: "a", Type: "uint8"},
		{Name: "t", Type: "tuple", Components: []Param{{Name: "x", Type: "bool"}, {Name: "y", Type: "string"}}},
	}
	vals := map[string]any{"a": 7, "t": map[string]any{"x": true, "y": "z"}}
	c, err := EncodeParams(V2_2, ps, vals)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeParams(V2_2, ps, c, false)
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParamsToJSON(ps, back)
	if err != nil || j["a"] != "7" || j["t"].(map[string]any)["y"] != "z" {
		t.Errorf("round trip %v %v", j, err)
	}
	if ps[0].parsed != nil || ps[1].Components[0].parsed != nil {
		t.Error("caller's parameter list was written to")
	}
	if _, err := EncodeParams(V2_2, []Param{{Name: "a", Type: "uint0"}}, vals); !errors.Is(err, ErrInvalidType) {
		t.Errorf("bad literal type: %v", err)
	}
	if _, err := DecodeParams(V2_2, ps, nil, false); !errors.Is(err, ErrDecode) {
		t.Errorf("nil cell: %v", err)
	}
	a := mustABI(t, "everabi/wallet.abi.json")
	if _, err := a.DecodeExternalCall(nil); !errors.Is(err, ErrDecode) {
		t.Errorf("nil body: %v", err)
	}
	if _, _, err := a.DecodeInitData(nil); !errors.Is(err, ErrDecode) {
		t.Errorf("nil data: %v", err)
	}
}

func TestAddressStd(t *testing.T) {
	ps := []Param{{Name: "a", Type: "address_std"}}
	addr := "0:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
	for _, tc := range []struct {
		v    any
		bits int
	}{{addr, 267}, {"", 2}} {
		c, err := EncodeParams(V2_4, ps, map[string]any{"a": tc.v})
		if err != nil || c.BitsSize() != tc.bits {
			t.Fatalf("%v: %v bits, %v", tc.v, c, err)
		}
		back, err := DecodeParams(V2_4, ps, c, false)
		if err != nil || back["a"].(*cell.Address).String() != tc.v {
			t.Errorf("%v decoded %v %v", tc.v, back, err)
		}
	}
	varAddr, err := cell.BeginCell().StoreAddress(&cell.Address{Type: cell.AddrVar, Workchain: 1 << 20, Bits: 256, Data: make([]byte, 32)}).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeParams(V2_4, ps, varAddr, false); !errors.Is(err, ErrDecode) {
		t.Errorf("var address as address_std: %v", err)
	}
	// The plain address type reads it.
	back, err := DecodeParams(V2_4, []Param{{Name: "a", Type: "address"}}, varAddr, false)
	if err != nil || back["a"].(*cell.Address).Type != cell.AddrVar {
		t.Errorf("var address: %v %v", back, err)
	}
}
