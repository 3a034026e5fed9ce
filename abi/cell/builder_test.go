package cell

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestStoreLoadIntegers(t *testing.T) {
	tests := []struct {
		name  string
		store func(*Builder) *Builder
		bits  string // expected data as the String() hex form
		load  func(*Slice) (any, error)
		want  any
	}{
		{"uint8", func(b *Builder) *Builder { return b.StoreUInt(0xab, 8) }, "8[AB]",
			func(s *Slice) (any, error) { return s.LoadUInt(8) }, uint64(0xab)},
		{"uint3", func(b *Builder) *Builder { return b.StoreUInt(5, 3) }, "3[B_]",
			func(s *Slice) (any, error) { return s.LoadUInt(3) }, uint64(5)},
		{"uint64 max", func(b *Builder) *Builder { return b.StoreUInt(^uint64(0), 64) }, "64[FFFFFFFFFFFFFFFF]",
			func(s *Slice) (any, error) { return s.LoadUInt(64) }, ^uint64(0)},
		{"int8 -1", func(b *Builder) *Builder { return b.StoreInt(-1, 8) }, "8[FF]",
			func(s *Slice) (any, error) { return s.LoadInt(8) }, int64(-1)},
		{"int5 -16", func(b *Builder) *Builder { return b.StoreInt(-16, 5) }, "5[84_]",
			func(s *Slice) (any, error) { return s.LoadInt(5) }, int64(-16)},
		{"int64 min", func(b *Builder) *Builder { return b.StoreInt(-1<<63, 64) }, "64[8000000000000000]",
			func(s *Slice) (any, error) { return s.LoadInt(64) }, int64(-1 << 63)},
		{"bool", func(b *Builder) *Builder { return b.StoreBool(true).StoreBool(false) }, "2[A_]",
			func(s *Slice) (any, error) { return s.LoadUInt(2) }, uint64(2)},
		{"coins 0", func(b *Builder) *Builder { return b.StoreCoinsUint64(0) }, "4[0]",
			func(s *Slice) (any, error) { v, err := s.LoadCoins(); return v.String(), err }, "0"},
		{"coins 1e9", func(b *Builder) *Builder { return b.StoreCoinsUint64(1_000_000_000) }, "36[43B9ACA00]",
			func(s *Slice) (any, error) { v, err := s.LoadCoins(); return v.String(), err }, "1000000000"},
		{"varint -1", func(b *Builder) *Builder { return b.StoreVarInt(big.NewInt(-1), 5) }, "13[0FFC_]",
			func(s *Slice) (any, error) { v, err := s.LoadVarInt(5); return v.String(), err }, "-1"},
		{"varint 128 needs 2 bytes", func(b *Builder) *Builder { return b.StoreVarInt(big.NewInt(128), 4) }, "20[20080]",
			func(s *Slice) (any, error) { v, err := s.LoadVarInt(4); return v.String(), err }, "128"},
		{"uint256 wide zero-extended", func(b *Builder) *Builder { return b.StoreUInt(1, 256) }, "256[0000000000000000000000000000000000000000000000000000000000000001]",
			func(s *Slice) (any, error) { v, err := s.LoadBigUInt(256); return v.String(), err }, "1"},
		{"int257 -1", func(b *Builder) *Builder { return b.StoreInt(-1, 257) }, "257[FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC_]",
			func(s *Slice) (any, error) { v, err := s.LoadBigInt(257); return v.String(), err }, "-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.store(BeginCell()).EndCell()
			if err != nil {
				t.Fatal(err)
			}
			if got := c.String(); got != tc.bits+"\n" {
				t.Errorf("cell = %q, want %q", got, tc.bits)
			}
			s := c.BeginParse()
			got, err := tc.load(s)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("loaded %v, want %v", got, tc.want)
			}
			if s.BitsLeft() != 0 {
				t.Errorf("%d bits left", s.BitsLeft())
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	full := func() *Builder { return BeginCell().StoreZeros(MaxBits) }
	c := EmptyCell
	tests := []struct {
		name string
		b    *Builder
		want error
	}{
		{"uint too wide for value", BeginCell().StoreUInt(256, 8), ErrValueRange},
		{"int too small", BeginCell().StoreInt(-129, 8), ErrValueRange},
		{"int too large", BeginCell().StoreInt(128, 8), ErrValueRange},
		{"overflow bits", full().StoreBool(true), ErrCellOverflow},
		{"overflow refs", BeginCell().StoreRef(c).StoreRef(c).StoreRef(c).StoreRef(c).StoreRef(c), ErrCellOverflow},
		{"maybe ref with no slot", BeginCell().StoreRef(c).StoreRef(c).StoreRef(c).StoreRef(c).StoreMaybeRef(c), ErrCellOverflow},
		{"negative coins", BeginCell().StoreCoins(big.NewInt(-1)), ErrValueRange},
		{"coins of 16 bytes", BeginCell().StoreCoins(new(big.Int).Lsh(big.NewInt(1), 120)), ErrValueRange},
		{"big uint too wide", BeginCell().StoreBigUInt(big.NewInt(256), 8), ErrValueRange},
		{"big int too wide", BeginCell().StoreBigInt(big.NewInt(-129), 8), ErrValueRange},
		{"bits beyond data", BeginCell().StoreBits([]byte{1}, 9), ErrValueRange},
		{"std address with wide workchain", BeginCell().StoreAddress(&Address{Type: AddrStd, Workchain: 300, Data: make([]byte, 32), Bits: 256}), ErrInvalidAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The error sticks: later stores change nothing and EndCell reports it.
			tc.b.StoreUInt(1, 1)
			_, err := tc.b.EndCell()
			if !errors.Is(err, tc.want) {
				t.Fatalf("EndCell error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoadErrorsLeaveSliceUnchanged(t *testing.T) {
	c, _ := BeginCell().StoreUInt(0b101, 3).EndCell()
	s := c.BeginParse()
	if _, err := s.LoadUInt(4); !errors.Is(err, ErrNotEnoughData) {
		t.Fatalf("LoadUInt(4) on 3 bits: %v", err)
	}
	if _, err := s.LoadRef(); !errors.Is(err, ErrNotEnoughData) {
		t.Fatalf("LoadRef with none: %v", err)
	}
	if _, err := s.LoadCoins(); !errors.Is(err, ErrNotEnoughData) {
		t.Fatalf("LoadCoins: %v", err)
	}
	if _, err := s.LoadAddress(); err == nil {
		t.Fatal("LoadAddress accepted 3 bits")
	}
	if v, err := s.LoadUInt(3); err != nil || v != 5 {
		t.Fatalf("slice moved after failed loads: %v %v", v, err)
	}
}

// TestRandomRoundTrip stores random sequences of values at random offsets
// and reads them back, which exercises every alignment of the bit copies.
func TestRandomRoundTrip(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 1))
	for iter := 0; iter < 2000; iter++ {
		b := BeginCell()
		type op struct {
			kind  int
			bits  int
			u     uint64
			i     int64
			big   *big.Int
			bytes []byte
		}
		var ops []op
		for b.BitsLeft() > 300 {
			o := op{kind: r.IntN(5)}
			switch o.kind {
			case 0:
				o.bits = r.IntN(65)
				if o.bits > 0 {
					o.u = r.Uint64() >> (64 - o.bits)
				}
				b.StoreUInt(o.u, o.bits)
			case 1:
				o.bits = 1 + r.IntN(64)
				o.i = int64(r.Uint64()) >> (64 - o.bits)
				b.StoreInt(o.i, o.bits)
			case 2:
				o.bits = 1 + r.IntN(257)
				raw := make([]byte, 33)
				for i := range raw {
					raw[i] = byte(r.Uint32())
				}
				o.big = new(big.Int).SetBytes(raw)
				o.big.Rsh(o.big, uint(33*8-o.bits)) // uniform in [0, 2^bits)
				o.big.Sub(o.big, new(big.Int).Lsh(big.NewInt(1), uint(o.bits-1)))
				b.StoreBigInt(o.big, o.bits)
			case 3:
				o.bytes = make([]byte, r.IntN(20))
				for i := range o.bytes {
					o.bytes[i] = byte(r.Uint32())
				}
				b.StoreBytes(o.bytes)
			case 4:
				o.big = new(big.Int).SetUint64(r.Uint64() >> r.IntN(64))
				b.StoreCoins(o.big)
			}
			ops = append(ops, o)
		}
		c, err := b.EndCell()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		// Through a BOC too, so the decoder's view of the bits is checked.
		back, err := FromBOC(c.ToBOC())
		if err != nil || back.Hash() != c.Hash() {
			t.Fatalf("seed %d: BOC round trip: %v", seed, err)
		}
		s := back.BeginParse()
		for k, o := range ops {
			var ok bool
			switch o.kind {
			case 0:
				v, err := s.LoadUInt(o.bits)
				ok = err == nil && v == o.u
			case 1:
				v, err := s.LoadInt(o.bits)
				ok = err == nil && v == o.i
			case 2:
				v, err := s.LoadBigInt(o.bits)
				ok = err == nil && v.Cmp(o.big) == 0
			case 3:
				v, err := s.LoadBytes(len(o.bytes))
				ok = err == nil && string(v) == string(o.bytes)
			case 4:
				v, err := s.LoadCoins()
				ok = err == nil && v.Cmp(o.big) == 0
			}
			if !ok {
				t.Fatalf("seed %d iter %d: op %d (%+v) did not read back", seed, iter, k, o)
			}
		}
		if s.BitsLeft() != 0 {
			t.Fatalf("seed %d: %d bits left", seed, s.BitsLeft())
		}
	}
}

func TestStoreSliceAndBuilder(t *testing.T) {
	ref := EmptyCell
	src, _ := BeginCell().StoreUInt(0x5, 3).StoreUInt(0xabcdef, 24).StoreRef(ref).EndCell()
	s := src.BeginParse()
	_ = s.Skip(3)
	dst, err := BeginCell().StoreBool(true).StoreSlice(s).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := BeginCell().StoreBool(true).StoreUInt(0xabcdef, 24).StoreRef(ref).EndCell()
	if !dst.Equal(want) {
		t.Fatalf("StoreSlice = %s, want %s", dst, want)
	}
	inner := BeginCell().StoreUInt(3, 2).StoreRef(ref)
	viaBuilder, err := BeginCell().StoreUInt(1, 1).StoreBuilder(inner).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := BeginCell().StoreUInt(1, 1).StoreUInt(3, 2).StoreRef(ref).EndCell()
	if !viaBuilder.Equal(direct) {
		t.Fatalf("StoreBuilder = %s, want %s", viaBuilder, direct)
	}
}

func TestAddresses(t *testing.T) {
	tests := []struct {
		in      string
		bits    int
		wantErr bool
	}{
		{"0:05beb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309", 267, false},
		{"-1:3333333333333333333333333333333333333333333333333333333333333333", 267, false},
		{"1000:3333333333333333333333333333333333333333333333333333333333333333", 2 + 1 + 9 + 32 + 256, false},
		{"0:05be", 0, true},
		{"x:05beb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309", 0, true},
		{"05beb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309", 0, true},
		{"0:zzbeb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a, err := ParseAddress(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidAddress) {
					t.Fatalf("ParseAddress error = %v, want ErrInvalidAddress", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.String() != tc.in {
				t.Errorf("String() = %s", a.String())
			}
			c, err := BeginCell().StoreAddress(a).EndCell()
			if err != nil {
				t.Fatal(err)
			}
			if c.BitsSize() != tc.bits || a.BitLen() != tc.bits {
				t.Errorf("stored %d bits (BitLen %d), want %d", c.BitsSize(), a.BitLen(), tc.bits)
			}
			back, err := c.BeginParse().LoadAddress()
			if err != nil || !back.Equal(a) {
				t.Fatalf("LoadAddress = %v, %v", back, err)
			}
		})
	}
	// The §8.7 encode_boc vector starts with the std address -1:3333…
	c := mustCell(t, "te6ccgEBAQEANAAAY5/mZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmAAAAAAAAAAAAAAAAACWtD4")
	s := c.BeginParse()
	a, err := s.LoadAddress()
	if err != nil || a.String() != "-1:3333333333333333333333333333333333333333333333333333333333333333" {
		t.Fatalf("vector address = %v, %v", a, err)
	}
	v, _ := s.LoadBigUInt(128)
	bounce, _ := s.LoadBool()
	if v.Int64() != 1234567 || !bounce || s.BitsLeft() != 0 {
		t.Fatalf("vector value %v bounce %v left %d", v, bounce, s.BitsLeft())
	}
}

func TestAnycastAndExternAddresses(t *testing.T) {
	for _, a := range []*Address{
		{Type: AddrStd, Workchain: 0, Data: make([]byte, 32), Bits: 256, Anycast: &Anycast{Depth: 5, RewritePrefix: []byte{0xa8}}},
		{Type: AddrVar, Workchain: 7, Data: []byte{0xff, 0x80}, Bits: 9},
		{Type: AddrExtern, Data: []byte{0xde, 0xad}, Bits: 16},
		{Type: AddrNone},
	} {
		c, err := BeginCell().StoreAddress(a).EndCell()
		if err != nil {
			t.Fatal(err)
		}
		if c.BitsSize() != a.BitLen() {
			t.Errorf("%v: %d bits, BitLen %d", a, c.BitsSize(), a.BitLen())
		}
		back, err := c.BeginParse().LoadAddress()
		if err != nil || !back.Equal(a) {
			t.Errorf("%+v: round trip gave %+v, %v", a, back, err)
		}
	}
}
