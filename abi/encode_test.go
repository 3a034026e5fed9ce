package abi

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
)

// canonJSON puts the JSON form of a value of type t into a comparable
// shape: map entries sorted by key, then a JSON round trip so that numbers
// and containers have one Go type each.
func canonJSON(t testing.TB, ty *Type, j any) any {
	t.Helper()
	var walk func(ty *Type, j any) any
	walk = func(ty *Type, j any) any {
		switch ty.Kind {
		case KindOptional, KindRef:
			if j == nil {
				return nil
			}
			return walk(ty.Elem, j)
		case KindArray, KindFixedArray:
			l, _ := j.([]any)
			out := make([]any, len(l))
			for i := range l {
				out[i] = walk(ty.Elem, l[i])
			}
			return out
		case KindMap:
			l, _ := j.([]any)
			out := make([]any, len(l))
			for i := range l {
				p, _ := l[i].([]any)
				if len(p) != 2 {
					return j
				}
				out[i] = []any{p[0], walk(ty.Elem, p[1])}
			}
			sort.Slice(out, func(a, b int) bool {
				ka, _ := json.Marshal(out[a].([]any)[0])
				kb, _ := json.Marshal(out[b].([]any)[0])
				return string(ka) < string(kb)
			})
			return out
		case KindTuple:
			m, _ := j.(map[string]any)
			out := map[string]any{}
			for i := range ty.Components {
				c := &ty.Components[i]
				out[c.Name] = walk(c.parsed, m[c.Name])
			}
			return out
		}
		return j
	}
	raw, err := json.Marshal(walk(ty, j))
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func paramsJSON(t testing.TB, ps []Param, vals map[string]any) map[string]any {
	t.Helper()
	j, err := ParamsToJSON(ps, vals)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func canonParams(t testing.TB, ps []Param, j map[string]any) map[string]any {
	out := map[string]any{}
	for i := range ps {
		out[ps[i].Name] = canonJSON(t, ps[i].parsed, j[ps[i].Name])
	}
	return out
}

// TestRoundTripRandom encodes random values of random types for every
// version and decodes them back.
func TestRoundTripRandom(t *testing.T) {
	for _, v := range []Version{V2_0, V2_1, V2_2, V2_3, V2_4} {
		t.Run(v.String(), func(t *testing.T) {
			g, seed := newTypeGen(t, v)
			for i := 0; i < 300; i++ {
				ps := g.params(6, 2)
				vals := g.values(ps)
				c, err := EncodeParams(v, ps, vals)
				if err != nil {
					t.Fatalf("seed %d case %d: encoding %s: %v", seed, i, typeList(ps), err)
				}
				back, err := DecodeParams(v, ps, c, false)
				if err != nil {
					t.Fatalf("seed %d case %d: decoding %s: %v\n%v", seed, i, typeList(ps), err, c)
				}
				want := canonParams(t, ps, paramsJSON(t, ps, vals))
				got := canonParams(t, ps, paramsJSON(t, ps, back))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d case %d: %s\n got %v\nwant %v", seed, i, typeList(ps), got, want)
				}
				// The JSON form converts back to the same cell.
				again, err := EncodeParams(v, ps, paramsJSON(t, ps, back))
				if err != nil || again.Hash() != c.Hash() {
					t.Fatalf("seed %d case %d: JSON re-encoding differs: %v", seed, i, err)
				}
			}
		})
	}
}

func typeList(ps []Param) string {
	var sb []byte
	sb = append(sb, '(')
	for i := range ps {
		if i > 0 {
			sb = append(sb, ',')
		}
		sb = append(sb, ps[i].parsed.String()...)
	}
	return string(append(sb, ')'))
}
