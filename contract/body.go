package contract

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// abiVersion is the minor version of an ABI 2.x contract; it decides how a
// body is split into cells and what is signed.
type abiVersion int

const (
	abi20 abiVersion = 0
	abi22 abiVersion = 2
	abi23 abiVersion = 3
	abi24 abiVersion = 4
)

func (v abiVersion) String() string { return fmt.Sprintf("2.%d", int(v)) }

// From 2.2 on, cells are split by the largest size a value of its type can
// have, so that the layout does not depend on the values.
func (v abiVersion) splitsByMaxSize() bool { return v >= abi22 }

// From 2.3 on, the signature covers the destination address too.
func (v abiVersion) signsAddress() bool { return v >= abi23 }

// signatureReserve is the room kept at the front of the root cell for the
// signature: the largest address for 2.3+, flag and signature before.
func (v abiVersion) signatureReserve() int {
	if v.signsAddress() {
		return 591
	}
	return 513
}

// header is one ABI header value.
type header int

const (
	headerPubkey header = iota
	headerTime
	headerExpire
)

// functionID computes the input id of an ABI 2.x function from its
// signature, e.g. "constructor()()v2".
func functionID(signature string) uint32 {
	h := sha256.Sum256([]byte(signature))
	return binary.BigEndian.Uint32(h[:4]) & 0x7fffffff
}

// value is one encoded ABI value: its bits and refs, and the largest size a
// value of its type can take (what 2.2+ splits by).
type value struct {
	b       *cell.Builder
	maxBits int
	maxRefs int
}

func uintValue(v uint64, bits int) value {
	return value{b: cell.BeginCell().StoreUInt(v, bits), maxBits: bits}
}

func boolValue(v bool) value { return value{b: cell.BeginCell().StoreBool(v), maxBits: 1} }

// addressValue is an ABI `address`: up to 591 bits (addr_var with anycast).
func addressValue(a *cell.Address) value {
	return value{b: cell.BeginCell().StoreAddress(a), maxBits: 591}
}

func cellValue(c *cell.Cell) value {
	return value{b: cell.BeginCell().StoreRef(c), maxRefs: 1}
}

func (v value) size(byMax bool) (bits, refs int) {
	if byMax {
		return v.maxBits, v.maxRefs
	}
	return v.b.BitsUsed(), v.b.RefsUsed()
}

// packChain lays values out in a chain of cells, each cell's last ref
// pointing to the next, by the ABI rule: a value opens a new cell when it
// does not fit, or when it would take the last free refs while later
// values still need refs or do not fit in what is left.
func packChain(values []value, byMax bool) (*cell.Cell, error) {
	type group struct {
		vals       []value
		bits, refs int
	}
	groups := []*group{{}}
	for i, v := range values {
		cur := groups[len(groups)-1]
		bits, refs := v.size(byMax)
		newCell := cell.MaxBits-cur.bits < bits || cell.MaxRefs-cur.refs < refs
		if !newCell && refs > 0 && refs == cell.MaxRefs-cur.refs {
			restBits := 0
			restRefs := 0
			for _, w := range values[i+1:] {
				b, r := w.size(byMax)
				restBits += b
				restRefs += r
			}
			newCell = restRefs > 0 || restBits+bits > cell.MaxBits-cur.bits
		}
		if newCell {
			cur = &group{}
			groups = append(groups, cur)
		}
		cur.vals = append(cur.vals, v)
		cur.bits += bits
		cur.refs += refs
	}
	var next *cell.Cell
	for i := len(groups) - 1; i >= 0; i-- {
		b := cell.BeginCell()
		for _, v := range groups[i].vals {
			b.StoreBuilder(v.b)
		}
		if next != nil {
			b.StoreRef(next)
		}
		c, err := b.EndCell()
		if err != nil {
			return nil, fmt.Errorf("packing ABI values into cells: %w", err)
		}
		next = c
	}
	return next, nil
}

// call is an external call of an ABI function, to be signed.
type call struct {
	version  abiVersion
	headers  []header
	function uint32
	args     []value
}

// ErrNotEd25519 is returned when a signer's public key is not Ed25519.
var ErrNotEd25519 = errors.New("signer is not an Ed25519 key")

// signedBody builds and signs the body of an external call to dst.
func (c call) signedBody(dst *cell.Address, signer crypto.Signer, timeMs uint64, expire uint32) (*cell.Cell, error) {
	pub, ok := signer.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return nil, ErrNotEd25519
	}
	// The reserve only takes part in the layout: it holds no bits of U.
	vals := []value{{b: cell.BeginCell(), maxBits: c.version.signatureReserve()}}
	if !c.version.splitsByMaxSize() {
		vals[0].b = cell.BeginCell().StoreZeros(c.version.signatureReserve())
	}
	for _, h := range c.headers {
		switch h {
		case headerPubkey:
			vals = append(vals, value{b: cell.BeginCell().StoreBool(true).StoreBytes(pub), maxBits: 257})
		case headerTime:
			vals = append(vals, uintValue(timeMs, 64))
		case headerExpire:
			vals = append(vals, uintValue(uint64(expire), 32))
		}
	}
	vals = append(vals, uintValue(uint64(c.function), 32))
	vals = append(vals, c.args...)
	root, err := packChain(vals, c.version.splitsByMaxSize())
	if err != nil {
		return nil, err
	}
	// U: the root without the reserve.
	s := root.BeginParse()
	if !c.version.splitsByMaxSize() {
		if err := s.Skip(c.version.signatureReserve()); err != nil {
			return nil, fmt.Errorf("cutting the signature reserve: %w", err)
		}
	}
	unsigned, err := s.ToCell()
	if err != nil {
		return nil, fmt.Errorf("building the unsigned body: %w", err)
	}
	toHash := unsigned
	if c.version.signsAddress() {
		if dst.Type != cell.AddrStd {
			return nil, fmt.Errorf("signing a call to %s: ABI %s signs a standard address only", dst, c.version)
		}
		toHash, err = cell.BeginCell().StoreAddress(dst).StoreSlice(unsigned.BeginParse()).EndCell()
		if err != nil {
			return nil, fmt.Errorf("building the data to sign: %w", err)
		}
	}
	hash := toHash.Hash()
	sig, err := signer.Sign(nil, hash[:], crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("signing the message: %w", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("signing the message: signature of %d bytes, want %d", len(sig), ed25519.SignatureSize)
	}
	body, err := cell.BeginCell().StoreBool(true).StoreBytes(sig).StoreSlice(unsigned.BeginParse()).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building the signed body: %w", err)
	}
	return body, nil
}

// stateInit is the usual StateInit: no split depth, not special, code and
// data, no libraries.
func stateInit(code, data *cell.Cell) *cell.Cell {
	c, err := cell.BeginCell().StoreUInt(0b00110, 5).StoreRef(code).StoreRef(data).EndCell()
	if err != nil {
		panic("contract: a StateInit of 5 bits and 2 refs cannot fail: " + err.Error())
	}
	return c
}

// addressOf is the workchain-0 address of a StateInit.
func addressOf(init *cell.Cell) *cell.Address {
	return cell.NewStdAddress(0, init.Hash())
}

// externalMessage wraps a body (and an optional StateInit) in an inbound
// external message to dst, placing each inline or in a ref as ever-block
// does: everything inline when it fits, else the StateInit inline and the
// body in a ref, else the body inline and the StateInit in a ref, else both
// in refs.
func externalMessage(dst *cell.Address, init, body *cell.Cell) (*cell.Cell, error) {
	head := cell.BeginCell().StoreUInt(0b10, 2).StoreUInt(0b00, 2).StoreAddress(dst).StoreCoinsUint64(0)
	if err := head.Err(); err != nil {
		return nil, fmt.Errorf("building message header: %w", err)
	}
	headBits := head.BitsUsed() + 2
	initBits, initRefs := 0, 0
	if init != nil {
		headBits++
		initBits, initRefs = init.BitsSize(), init.RefsNum()
	}
	bodyBits, bodyRefs := body.BitsSize(), body.RefsNum()
	initInline, bodyInline := false, false
	switch {
	case headBits+initBits+bodyBits <= cell.MaxBits && initRefs+bodyRefs <= cell.MaxRefs:
		initInline, bodyInline = true, true
	case headBits+initBits <= cell.MaxBits && initRefs+1 <= cell.MaxRefs:
		initInline = true
	case init != nil && headBits+bodyBits <= cell.MaxBits && bodyRefs+1 <= cell.MaxRefs:
		bodyInline = true
	}
	b := head
	if init == nil {
		b.StoreBool(false)
	} else {
		b.StoreBool(true)
		if initInline {
			b.StoreBool(false).StoreSlice(init.BeginParse())
		} else {
			b.StoreBool(true).StoreRef(init)
		}
	}
	if bodyInline {
		b.StoreBool(false).StoreSlice(body.BeginParse())
	} else {
		b.StoreBool(true).StoreRef(body)
	}
	msg, err := b.EndCell()
	if err != nil {
		return nil, fmt.Errorf("building external message: %w", err)
	}
	return msg, nil
}
