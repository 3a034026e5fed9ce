package abi

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// nekotonParams is a parameter list as nekoton-wasm's AbiParam[] wants it.
func nekotonParams(ps []Param) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		m := map[string]any{"name": p.Name, "type": p.Type}
		if len(p.Components) > 0 {
			m["components"] = nekotonParams(p.Components)
		}
		out[i] = m
	}
	return out
}

type packedCell struct {
	Hash string `json:"hash"`
	BOC  string `json:"boc"`
}

// TestNekotonPackUnpack checks random parameter lists and values both ways
// against nekoton-wasm: cells packed in Go are unpacked by nekoton
// (unpackFromCell) to the same token JSON, and nekoton's packIntoCell gives
// the same cell (hash) and decodes in Go to the same values.
func TestNekotonPackUnpack(t *testing.T) {
	b := nekotontest.Start(t)
	cases := 0
	for _, v := range []Version{V2_0, V2_1, V2_2, V2_3, V2_4} {
		g, seed := newTypeGen(t, v)
		for i := 0; i < 200; i++ {
			ps := g.params(3+i%6, 2)
			vals := g.values(ps)
			what := func() string {
				return "version " + v.String() + " seed " + itoa(seed) + " case " + itoa(uint64(i)) + " " + typeList(ps)
			}
			c, err := EncodeParams(v, ps, vals)
			if err != nil {
				t.Fatalf("%s: encoding: %v", what(), err)
			}
			tokens := paramsJSON(t, ps, vals)
			want := canonParams(t, ps, tokens)

			raw, err := b.Call("unpackFromCell", nekotonParams(ps), c.ToBase64(), false, v.String())
			if err != nil {
				t.Fatalf("%s: nekoton cannot unpack the Go cell: %v\ncell %v\ntokens %v", what(), err, c, tokens)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if g := canonParams(t, ps, got); !reflect.DeepEqual(g, want) {
				t.Fatalf("%s: nekoton unpacked\n%v\nwant\n%v", what(), g, want)
			}

			raw, err = b.Call("packIntoCell", nekotonParams(ps), tokens, v.String())
			if err != nil {
				t.Fatalf("%s: nekoton cannot pack: %v\ntokens %v", what(), err, tokens)
			}
			var packed packedCell
			if err := json.Unmarshal(raw, &packed); err != nil {
				t.Fatal(err)
			}
			if packed.Hash != c.HashHex() {
				nc, _ := cell.FromBase64(packed.BOC)
				t.Fatalf("%s: nekoton packed a different cell\n got %v\nwant %v", what(), nc, c)
			}
			nc, err := cell.FromBase64(packed.BOC)
			if err != nil {
				t.Fatalf("%s: reading nekoton's BOC %s: %v", what(), packed.BOC, err)
			}
			back, err := DecodeParams(v, ps, nc, false)
			if err != nil {
				t.Fatalf("%s: decoding nekoton's cell: %v", what(), err)
			}
			if g := canonParams(t, ps, paramsJSON(t, ps, back)); !reflect.DeepEqual(g, want) {
				t.Fatalf("%s: Go decoded nekoton's cell to\n%v\nwant\n%v", what(), g, want)
			}
			cases++
		}
	}
	t.Logf("%d random parameter lists agree with nekoton", cases)
}

func itoa(v uint64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
