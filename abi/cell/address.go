package cell

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// AddrType is the TL-B constructor of a MsgAddress.
type AddrType uint8

// The four MsgAddress constructors.
const (
	AddrNone   AddrType = iota // addr_none$00
	AddrExtern                 // addr_extern$01
	AddrStd                    // addr_std$10
	AddrVar                    // addr_var$11
)

// Address is a TL-B MsgAddress. The usual contract address is AddrStd with a
// workchain and a 256-bit account id, written "0:<64 hex>".
type Address struct {
	Type      AddrType
	Workchain int32
	// Data is the account id (AddrStd, AddrVar) or external address
	// (AddrExtern), Bits long, most significant bit first.
	Data    []byte
	Bits    int
	Anycast *Anycast
}

// Anycast is the optional anycast rewrite prefix of an internal address.
type Anycast struct {
	Depth         int // 1..30
	RewritePrefix []byte
}

// NewStdAddress returns the standard address of an account.
func NewStdAddress(workchain int8, account [32]byte) *Address {
	return &Address{Type: AddrStd, Workchain: int32(workchain), Data: account[:], Bits: 256}
}

// ParseAddress parses "<workchain>:<64 hex>" into a standard address (or a
// var address when the workchain does not fit 8 bits).
func ParseAddress(s string) (*Address, error) {
	wcText, hexText, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return nil, fmt.Errorf("%w: %q, want <workchain>:<64 hex digits>", ErrInvalidAddress, s)
	}
	wc, err := strconv.ParseInt(wcText, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: workchain %q in %q is not a number", ErrInvalidAddress, wcText, s)
	}
	if len(hexText) != 64 {
		return nil, fmt.Errorf("%w: account id in %q has %d hex digits, want 64", ErrInvalidAddress, s, len(hexText))
	}
	id, err := hex.DecodeString(hexText)
	if err != nil {
		return nil, fmt.Errorf("%w: account id in %q is not hex", ErrInvalidAddress, s)
	}
	typ := AddrStd
	if wc < -128 || wc > 127 {
		typ = AddrVar
	}
	return &Address{Type: typ, Workchain: int32(wc), Data: id, Bits: 256}, nil
}

// MustParseAddress is ParseAddress for constants; it panics on error.
func MustParseAddress(s string) *Address {
	a, err := ParseAddress(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String formats an internal address as "<workchain>:<hex>", an external one
// as ":<hex>", and addr_none as "".
func (a *Address) String() string {
	if a == nil || a.Type == AddrNone {
		return ""
	}
	if a.Type == AddrExtern {
		return ":" + hex.EncodeToString(a.Data)
	}
	return strconv.Itoa(int(a.Workchain)) + ":" + hex.EncodeToString(a.Data)
}

// Account returns the 256-bit account id of a standard address.
func (a *Address) Account() (id [32]byte, ok bool) {
	if a == nil || (a.Type != AddrStd && a.Type != AddrVar) || a.Bits != 256 || len(a.Data) != 32 {
		return id, false
	}
	copy(id[:], a.Data)
	return id, true
}

// Equal compares two addresses field by field.
func (a *Address) Equal(o *Address) bool {
	if a == nil || o == nil {
		return (a == nil || a.Type == AddrNone) && (o == nil || o.Type == AddrNone)
	}
	if a.Type != o.Type || a.Workchain != o.Workchain || a.Bits != o.Bits || string(a.Data) != string(o.Data) {
		return false
	}
	if (a.Anycast == nil) != (o.Anycast == nil) {
		return false
	}
	return a.Anycast == nil || (a.Anycast.Depth == o.Anycast.Depth && string(a.Anycast.RewritePrefix) == string(o.Anycast.RewritePrefix))
}

// BitLen is the number of bits the address takes when stored.
func (a *Address) BitLen() int {
	if a == nil {
		return 2
	}
	n := 0
	switch a.Type {
	case AddrNone:
		return 2
	case AddrExtern:
		return 2 + 9 + a.Bits
	case AddrStd:
		n = 2 + 1 + 8 + 256
	case AddrVar:
		n = 2 + 1 + 9 + 32 + a.Bits
	}
	if a.Anycast != nil {
		n += 5 + a.Anycast.Depth
	}
	return n
}

// StoreAddress stores a MsgAddress; nil is addr_none.
func (b *Builder) StoreAddress(a *Address) *Builder {
	if b.err != nil {
		return b
	}
	if a == nil || a.Type == AddrNone {
		return b.StoreUInt(0, 2)
	}
	if len(a.Data)*8 < a.Bits {
		return b.fail(fmt.Errorf("%w: %d data bytes for %d bits", ErrInvalidAddress, len(a.Data), a.Bits))
	}
	switch a.Type {
	case AddrExtern:
		if a.Bits >= 1<<9 {
			return b.fail(fmt.Errorf("%w: external address of %d bits", ErrInvalidAddress, a.Bits))
		}
		return b.StoreUInt(1, 2).StoreUInt(uint64(a.Bits), 9).StoreBits(a.Data, a.Bits)
	case AddrStd:
		if a.Bits != 256 || a.Workchain < -128 || a.Workchain > 127 {
			return b.fail(fmt.Errorf("%w: addr_std needs an 8-bit workchain and 256-bit id, has %d and %d bits", ErrInvalidAddress, a.Workchain, a.Bits))
		}
		b.StoreUInt(2, 2)
		b.storeAnycast(a.Anycast)
		return b.StoreInt(int64(a.Workchain), 8).StoreBits(a.Data, 256)
	case AddrVar:
		if a.Bits >= 1<<9 {
			return b.fail(fmt.Errorf("%w: addr_var of %d bits", ErrInvalidAddress, a.Bits))
		}
		b.StoreUInt(3, 2)
		b.storeAnycast(a.Anycast)
		return b.StoreUInt(uint64(a.Bits), 9).StoreInt(int64(a.Workchain), 32).StoreBits(a.Data, a.Bits)
	}
	return b.fail(fmt.Errorf("%w: unknown address type %d", ErrInvalidAddress, a.Type))
}

func (b *Builder) storeAnycast(a *Anycast) {
	if a == nil {
		b.StoreBool(false)
		return
	}
	if a.Depth < 1 || a.Depth > 30 {
		b.fail(fmt.Errorf("%w: anycast depth %d, wants 1..30", ErrInvalidAddress, a.Depth))
		return
	}
	b.StoreBool(true).StoreUInt(uint64(a.Depth), 5).StoreBits(a.RewritePrefix, a.Depth)
}

// LoadAddress reads a MsgAddress; addr_none comes back as an Address of type AddrNone.
func (s *Slice) LoadAddress() (*Address, error) {
	save := *s
	a, err := s.loadAddress()
	if err != nil {
		*s = save
		return nil, fmt.Errorf("loading address: %w", err)
	}
	return a, nil
}

func (s *Slice) loadAddress() (*Address, error) {
	tag, err := s.LoadUInt(2)
	if err != nil {
		return nil, err
	}
	a := &Address{Type: AddrType(tag)}
	switch a.Type {
	case AddrNone:
		return a, nil
	case AddrExtern:
		n, err := s.LoadUInt(9)
		if err != nil {
			return nil, err
		}
		a.Bits = int(n)
		a.Data, err = s.LoadBits(a.Bits)
		return a, err
	}
	hasAnycast, err := s.LoadBool()
	if err != nil {
		return nil, err
	}
	if hasAnycast {
		d, err := s.LoadUInt(5)
		if err != nil {
			return nil, err
		}
		if d < 1 || d > 30 {
			return nil, fmt.Errorf("%w: anycast depth %d, wants 1..30", ErrInvalidAddress, d)
		}
		pfx, err := s.LoadBits(int(d))
		if err != nil {
			return nil, err
		}
		a.Anycast = &Anycast{Depth: int(d), RewritePrefix: pfx}
	}
	if a.Type == AddrStd {
		wc, err := s.LoadInt(8)
		if err != nil {
			return nil, err
		}
		a.Workchain, a.Bits = int32(wc), 256
		a.Data, err = s.LoadBits(256)
		return a, err
	}
	n, err := s.LoadUInt(9)
	if err != nil {
		return nil, err
	}
	wc, err := s.LoadInt(32)
	if err != nil {
		return nil, err
	}
	a.Workchain, a.Bits = int32(wc), int(n)
	a.Data, err = s.LoadBits(a.Bits)
	return a, err
}
