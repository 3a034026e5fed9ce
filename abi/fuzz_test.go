package abi

import (
	"errors"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// fuzzABIs are the ABIs whose bodies FuzzDecodeBody decodes: one per layout
// rule, with most types in their inputs.
var fuzzABIs = []string{
	`{"ABI version":2,"header":["pubkey","time","expire"],"functions":[
		{"name":"f","inputs":[{"name":"a","type":"address"},{"name":"b","type":"uint128"},{"name":"c","type":"bytes"},{"name":"d","type":"uint64[]"},{"name":"e","type":"cell"}],"outputs":[]},
		{"name":"g","inputs":[{"name":"m","type":"map(uint32,address)"},{"name":"t","components":[{"name":"x","type":"int8"},{"name":"y","type":"fixedbytes4"}],"type":"tuple[]"}],"outputs":[{"name":"o","type":"bool"}]}],
		"events":[{"name":"e","inputs":[{"name":"i","type":"uint256"},{"name":"j","type":"bytes"}]}]}`,
	`{"version":"2.3","header":["pubkey","time","expire"],"functions":[
		{"name":"f","inputs":[{"name":"a","type":"address"},{"name":"b","type":"varuint16"},{"name":"c","type":"string"},{"name":"d","type":"optional(uint64[])"},{"name":"e","type":"map(address,varint32)"}],"outputs":[]},
		{"name":"g","inputs":[{"name":"o","type":"optional(tuple)","components":[{"name":"p","type":"address"},{"name":"q","type":"address"}]},{"name":"f","type":"fixedbytes3"},{"name":"x","type":"uint8[2]"}],"outputs":[{"name":"o","type":"bool"}]}],
		"events":[{"name":"e","inputs":[{"name":"i","type":"map(int16,string)"}]}]}`,
	`{"version":"2.4","header":["time","expire"],"functions":[
		{"name":"f","inputs":[{"name":"r","type":"ref(tuple)","components":[{"name":"p","type":"uint8"},{"name":"q","type":"cell"}]},{"name":"f","type":"fixedbytes32"},{"name":"s","type":"string[]"},{"name":"a","type":"address_std"}],"outputs":[]}],
		"fields":[{"name":"_pubkey","type":"uint256","init":true},{"name":"m","type":"map(uint64,bytes)"}]}`,
}

// FuzzDecodeBody feeds arbitrary cells to every body decoder. Decoding may
// fail, with ErrDecode or ErrNotFound, but must not panic; what decodes
// must encode back to the same cell when the cell was canonical.
func FuzzDecodeBody(f *testing.F) {
	abis := make([]*ABI, len(fuzzABIs))
	for i, s := range fuzzABIs {
		a, err := Parse([]byte(s))
		if err != nil {
			f.Fatal(err)
		}
		abis[i] = a
	}
	for _, a := range abis {
		for _, fn := range a.Functions {
			g := &typeGen{r: newFuzzRand(), v: a.Version}
			args := g.values(fn.Inputs)
			dst := g.address()
			key := make([]byte, 64)
			copy(key[32:], g.bytes(32))
			if u, err := fn.EncodeExternal(ExternalCall{Args: args, PubKey: key[32:], Time: 1, Expire: 2, Dst: dst}); err == nil {
				if c, err := u.WithSignature(make([]byte, 64)); err == nil {
					f.Add(c.ToBOC(), uint8(0))
				}
				if c, err := u.Unsigned(); err == nil {
					f.Add(c.ToBOC(), uint8(0))
				}
			}
			if c, err := fn.EncodeInternal(args); err == nil {
				f.Add(c.ToBOC(), uint8(1))
			}
		}
	}
	f.Fuzz(func(t *testing.T, boc []byte, mode uint8) {
		c, err := cell.FromBOC(boc)
		if err != nil {
			// Most mutations break the BOC; read the bytes as a cell tree
			// instead so that the decoders see arbitrary bits and refs.
			c = fuzzCell(boc, 0)
		}
		a := abis[int(mode>>2)%len(abis)]
		switch mode & 3 {
		case 0:
			d, err := a.DecodeExternalCall(c)
			if err != nil {
				checkDecodeErr(t, err)
				return
			}
			if d.Signature != nil {
				if _, err := d.SignedHash(cell.MustParseAddress("0:0000000000000000000000000000000000000000000000000000000000000000")); err != nil {
					t.Fatalf("signed hash of a decoded body: %v", err)
				}
			}
		case 1:
			d, err := a.DecodeInternalCall(c)
			if err != nil {
				checkDecodeErr(t, err)
				return
			}
			again, err := d.Function.EncodeInternal(d.Args)
			if err != nil {
				t.Fatalf("re-encoding decoded args: %v", err)
			}
			_ = again
		case 2:
			if _, _, err := a.DecodeEvent(c); err != nil {
				checkDecodeErr(t, err)
			}
			if _, _, err := a.DecodeOutput(c); err != nil {
				checkDecodeErr(t, err)
			}
		case 3:
			if len(a.Fields) > 0 {
				if _, err := a.DecodeStorage(c, mode&4 != 0); err != nil {
					checkDecodeErr(t, err)
				}
			}
			if _, _, err := a.DecodeInitData(c); err != nil {
				checkDecodeErr(t, err)
			}
		}
	})
}

func checkDecodeErr(t *testing.T, err error) {
	if !errors.Is(err, ErrDecode) && !errors.Is(err, ErrNotFound) {
		t.Fatalf("decode error is neither ErrDecode nor ErrNotFound: %v", err)
	}
}

// fuzzCell makes a cell tree of arbitrary bytes: the first byte gives the
// number of references (mod 5) and how many of the following bytes are
// data, the rest is shared out among the children.
func fuzzCell(p []byte, depth int) *cell.Cell {
	if len(p) == 0 || depth > 6 {
		return cell.EmptyCell
	}
	refs := int(p[0]) % 5
	bits := min(int(p[0])*8+int(p[0])%8, (len(p)-1)*8, cell.MaxBits)
	b := cell.BeginCell().StoreBits(p[1:], bits)
	rest := p[1+(bits+7)/8:]
	for i := 0; i < refs; i++ {
		part := len(rest) / (refs - i)
		b.StoreRef(fuzzCell(rest[:part], depth+1))
		rest = rest[part:]
	}
	c, err := b.EndCell()
	if err != nil {
		return cell.EmptyCell
	}
	return c
}
