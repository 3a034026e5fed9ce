package abi

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// typeGen makes random ABI parameter lists and values for them.
type typeGen struct {
	r *rand.Rand
	v Version
	n int // names
}

// newTypeGen seeds a generator from ABI_TYPES_SEED or the clock and logs
// the seed so that a failure can be repeated.
func newTypeGen(t testing.TB, v Version) (*typeGen, uint64) {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ABI_TYPES_SEED"); s != "" {
		x, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ABI_TYPES_SEED=%q: %v", s, err)
		}
		seed = x
	}
	t.Logf("seed %d (set ABI_TYPES_SEED to repeat)", seed)
	return &typeGen{r: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)), v: v}, seed
}

func (g *typeGen) name() string {
	g.n++
	return fmt.Sprintf("p%d", g.n)
}

// params makes a list of up to max parameters.
func (g *typeGen) params(max, depth int) []Param {
	n := g.r.IntN(max + 1)
	ps := make([]Param, n)
	for i := range ps {
		ps[i] = g.param(depth)
	}
	return ps
}

func (g *typeGen) param(depth int) Param {
	typ, comps := g.typeString(depth)
	p := Param{Name: g.name(), Type: typ, Components: comps}
	if _, err := p.resolve(0); err != nil {
		panic(fmt.Sprintf("generated type %q: %v", typ, err))
	}
	return p
}

// typeString makes a random type; tuples come with their components.
func (g *typeGen) typeString(depth int) (string, []Param) {
	leaf := depth <= 0 || g.r.IntN(3) > 0
	if leaf {
		switch g.r.IntN(13) {
		case 0:
			return fmt.Sprintf("uint%d", g.width(256)), nil
		case 1:
			return fmt.Sprintf("int%d", g.width(257)), nil
		case 2:
			if !g.v.AtLeast(V2_1) {
				return "bool", nil
			}
			return []string{"varuint16", "varuint32", "varint16", "varint32"}[g.r.IntN(4)], nil
		case 3:
			return "bool", nil
		case 4:
			return "address", nil
		case 5:
			return "bytes", nil
		case 6:
			if !g.v.AtLeast(V2_1) {
				return "bytes", nil
			}
			return "string", nil
		case 7:
			return fmt.Sprintf("fixedbytes%d", 1+g.r.IntN(32)), nil
		case 8:
			return "cell", nil
		case 9, 10:
			return fmt.Sprintf("uint%d", []int{8, 32, 64, 128, 256}[g.r.IntN(5)]), nil
		default:
			return "bool", nil
		}
	}
	switch g.r.IntN(6) {
	case 0:
		t, c := g.typeString(depth - 1)
		if !g.v.AtLeast(V2_1) {
			return t + "[]", c
		}
		return "optional(" + t + ")", c
	case 1:
		t, c := g.typeString(depth - 1)
		if g.r.IntN(4) == 0 {
			return fmt.Sprintf("%s[%d]", t, g.r.IntN(4)), c
		}
		return t + "[]", c
	case 2:
		key := []string{"uint8", "uint32", "int16", "uint64", "int256", "address", "uint256"}[g.r.IntN(7)]
		t, c := g.typeString(depth - 1)
		return "map(" + key + "," + t + ")", c
	case 3:
		if g.v.AtLeast(V2_4) {
			t, c := g.typeString(depth - 1)
			return "ref(" + t + ")", c
		}
		fallthrough
	default:
		n := 1 + g.r.IntN(4)
		comps := make([]Param, n)
		for i := range comps {
			comps[i] = g.param(depth - 1)
		}
		if g.r.IntN(4) == 0 {
			return "tuple[]", comps
		}
		return "tuple", comps
	}
}

func (g *typeGen) width(max int) int {
	switch g.r.IntN(4) {
	case 0:
		return max
	case 1:
		return 1 + g.r.IntN(8)
	}
	return 1 + g.r.IntN(max)
}

// bigBits is a random integer of up to n bits, often an edge.
func (g *typeGen) bigBits(n int) *big.Int {
	switch g.r.IntN(5) {
	case 0:
		return new(big.Int)
	case 1:
		return new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(n)), big.NewInt(1))
	}
	k := g.r.IntN(n + 1)
	b := make([]byte, (k+7)/8)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	x := new(big.Int).SetBytes(b)
	return x.Rsh(x, uint(len(b)*8-k))
}

func (g *typeGen) signed(n int) *big.Int {
	x := g.bigBits(n - 1)
	if g.r.IntN(2) == 0 {
		x.Neg(x)
		if g.r.IntN(4) == 0 {
			x.Sub(x, big.NewInt(1))
		}
	}
	return x
}

func (g *typeGen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

func (g *typeGen) address() *cell.Address {
	var id [32]byte
	copy(id[:], g.bytes(32))
	wc := int8(0)
	if g.r.IntN(3) == 0 {
		wc = -1
	}
	return cell.NewStdAddress(wc, id)
}

// value makes a random value of type t in the Go representation.
func (g *typeGen) value(t *Type, depth int) any {
	switch t.Kind {
	case KindUint:
		return g.bigBits(t.Size)
	case KindInt:
		return g.signed(t.Size)
	case KindVarUint:
		return g.bigBits((t.Size - 1) * 8)
	case KindVarInt:
		return g.signed((t.Size - 1) * 8)
	case KindBool:
		return g.r.IntN(2) == 0
	case KindAddress, KindAddressStd:
		return g.address()
	case KindBytes:
		return g.bytes([]int{0, 1, 127, 128, 300}[g.r.IntN(5)] + g.r.IntN(3))
	case KindString:
		const letters = "abcdefghijklmnopqrstuvwxyz ÄÖü€"
		rs := []rune(letters)
		n := []int{0, 5, 126, 200}[g.r.IntN(4)]
		out := make([]rune, n)
		for i := range out {
			out[i] = rs[g.r.IntN(len(rs))]
		}
		return string(out)
	case KindFixedBytes:
		return g.bytes(t.Size)
	case KindCell:
		b := cell.BeginCell().StoreBytes(g.bytes(g.r.IntN(20)))
		if g.r.IntN(3) == 0 {
			b.StoreRef(cell.EmptyCell)
		}
		c, _ := b.EndCell()
		return c
	case KindOptional:
		if g.r.IntN(3) == 0 {
			return nil
		}
		return g.value(t.Elem, depth)
	case KindRef:
		return g.value(t.Elem, depth)
	case KindArray:
		n := g.r.IntN(4)
		l := make([]any, n)
		for i := range l {
			l[i] = g.value(t.Elem, depth)
		}
		return l
	case KindFixedArray:
		l := make([]any, t.Size)
		for i := range l {
			l[i] = g.value(t.Elem, depth)
		}
		return l
	case KindMap:
		n := g.r.IntN(4)
		seen := map[string]bool{}
		m := Map{}
		for len(m) < n {
			var k any
			switch t.Key.Kind {
			case KindAddress, KindAddressStd:
				k = g.address()
			case KindInt:
				k = g.signed(t.Key.Size)
			default:
				k = g.bigBits(t.Key.Size)
			}
			ks := fmt.Sprint(k)
			if seen[ks] {
				if t.Key.Size <= 8 && len(seen) > 100 {
					break
				}
				continue
			}
			seen[ks] = true
			m = append(m, MapEntry{Key: k, Value: g.value(t.Elem, depth)})
		}
		return m
	case KindTuple:
		return g.values(t.Components)
	}
	panic(fmt.Sprintf("no random value for %s", t))
}

func (g *typeGen) values(ps []Param) map[string]any {
	m := make(map[string]any, len(ps))
	for i := range ps {
		m[ps[i].Name] = g.value(ps[i].parsed, 0)
	}
	return m
}

// newFuzzRand is a fixed-seed source for fuzz seed corpora.
func newFuzzRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
