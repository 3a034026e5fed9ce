package abi

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// TestNekotonStorage checks init data (pre-2.4) and storage fields (2.4)
// made in Go against nekoton's unpackInitData and unpackContractFields.
func TestNekotonStorage(t *testing.T) {
	b := nekotontest.Start(t)
	total := 0
	for _, v := range []Version{V2_1, V2_2, V2_3, V2_4} {
		g, seed := newTypeGen(t, v)
		for i := 0; i < 40; i++ {
			what := fmt.Sprintf("version %s seed %d case %d", v, seed, i)
			items := g.params(1+g.r.IntN(5), 1)
			doc := map[string]any{"version": v.String(), "header": []string{"pubkey", "time", "expire"}, "functions": []any{}, "events": []any{}}
			if v.AtLeast(V2_4) {
				fields := []Param{{Name: "_pubkey", Type: "uint256", Init: true}, {Name: "_timestamp", Type: "uint64"}, {Name: "_constructorFlag", Type: "bool"}}
				for j := range items {
					items[j].Init = g.r.IntN(2) == 0
				}
				doc["fields"] = append(fields, items...)
			} else {
				data := make([]map[string]any, len(items))
				for j, p := range items {
					data[j] = map[string]any{"key": j + 1, "name": p.Name, "type": p.Type}
					if len(p.Components) > 0 {
						data[j]["components"] = p.Components
					}
				}
				doc["data"] = data
				doc["fields"] = []Param{}
			}
			raw, _ := json.Marshal(doc)
			a := mustParseABI(t, string(raw))
			pub := []byte(ed25519.NewKeyFromSeed(g.bytes(32))[32:])
			var values map[string]any
			if v.AtLeast(V2_4) {
				values = map[string]any{"_pubkey": new(big.Int).SetBytes(pub)}
				for _, p := range items {
					if p.Init {
						values[p.Name] = g.value(p.parsed, 0)
					}
				}
				c, err := a.EncodeStorage(values)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				// nekoton 1.8.4 does not build 2.4 storage itself
				// (getExpectedAddress ignores fields, and its JSON parser
				// refuses addr_none), so it unpacks the Go cell, which
				// must hold the given init values and every default.
				full := map[string]any{}
				for k, x := range values {
					full[k] = x
				}
				for _, p := range a.Fields {
					if _, ok := full[p.Name]; !ok {
						full[p.Name] = defaultValue(p.parsed)
					}
				}
				res, err := b.Call("unpackFromCell", nekotonParams(a.Fields), c.ToBase64(), false, "2.4")
				if err != nil {
					t.Fatalf("%s: nekoton: %v\n%v", what, err, c)
				}
				var got map[string]any
				if err := json.Unmarshal(res, &got); err != nil {
					t.Fatal(err)
				}
				if g, w := canonParams(t, a.Fields, got), canonParams(t, a.Fields, paramsJSON(t, a.Fields, full)); !reflect.DeepEqual(g, w) {
					t.Fatalf("%s: nekoton read\n%v\nwant\n%v", what, g, w)
				}
				mine, err := a.DecodeStorage(c, false)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if g, w := canonParams(t, a.Fields, paramsJSON(t, a.Fields, mine)), canonParams(t, a.Fields, paramsJSON(t, a.Fields, full)); !reflect.DeepEqual(g, w) {
					t.Fatalf("%s: decoded\n%v\nwant\n%v", what, g, w)
				}
			} else {
				values = map[string]any{}
				for _, p := range items {
					if g.r.IntN(4) > 0 {
						values[p.Name] = g.value(p.parsed, 0)
					}
				}
				c, err := a.EncodeInitData(pub, values)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				res, err := b.Call("unpackInitData", string(raw), c.ToBase64())
				if err != nil {
					t.Fatalf("%s: nekoton: %v\n%v", what, err, c)
				}
				var got struct {
					PublicKey string         `json:"publicKey"`
					Data      map[string]any `json:"data"`
				}
				if err := json.Unmarshal(res, &got); err != nil {
					t.Fatal(err)
				}
				if got.PublicKey != hex.EncodeToString(pub) {
					t.Fatalf("%s: nekoton public key %s, want %x", what, got.PublicKey, pub)
				}
				var ps []Param
				for _, p := range items {
					if _, ok := values[p.Name]; ok {
						ps = append(ps, p)
					}
				}
				if g, w := canonParams(t, ps, got.Data), canonParams(t, ps, paramsJSON(t, ps, values)); !reflect.DeepEqual(g, w) {
					t.Fatalf("%s: nekoton read\n%v\nwant\n%v", what, g, w)
				}
			}
			total++
		}
	}
	t.Logf("%d random storage layouts agree with nekoton", total)
}
