package abi

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Signature is the string a function id is hashed from:
// name(inputs)(outputs)v2.
func (f *Function) Signature() string {
	var sb strings.Builder
	sb.WriteString(f.Name)
	writeTypeList(&sb, f.Inputs)
	writeTypeList(&sb, f.Outputs)
	sb.WriteString("v2")
	return sb.String()
}

// Signature is the string an event id is hashed from: name(inputs)v2.
func (e *Event) Signature() string {
	var sb strings.Builder
	sb.WriteString(e.Name)
	writeTypeList(&sb, e.Inputs)
	sb.WriteString("v2")
	return sb.String()
}

func writeTypeList(sb *strings.Builder, ps []Param) {
	sb.WriteByte('(')
	for i := range ps {
		if i > 0 {
			sb.WriteByte(',')
		}
		ps[i].parsed.signature(sb)
	}
	sb.WriteByte(')')
}

// DefaultExpireTimeout is how long after its time an external call expires
// when the caller gives no expire header value (ever-sdk's default
// message_expiration_timeout).
const DefaultExpireTimeout = 40 * time.Second

// ExternalCall is what an external (signed or unsigned) call carries.
type ExternalCall struct {
	// Args are the function's input values.
	Args map[string]any
	// PubKey is the 32-byte public key for the `pubkey` header; nil leaves
	// it absent (Sign fills in the signing key instead).
	PubKey []byte
	// Time is the `time` header in Unix milliseconds; 0 means now.
	Time uint64
	// Expire is the `expire` header in Unix seconds; 0 means Time plus
	// DefaultExpireTimeout.
	Expire uint32
	// Dst is the destination contract, needed from ABI 2.3 on for calls to
	// be signed, as the signed hash covers it.
	Dst *cell.Address
	// Unsigned lays the body out for a message that will not be signed.
	// It matters only for ABI 2.0 and 2.1, which split cells by actual
	// sizes and then reserve 1 bit rather than 513 at the front.
	Unsigned bool
	// Now replaces time.Now for the defaults.
	Now func() time.Time
}

// UnsignedBody is an external call body before its signature flag: U of
// the ABI spec (header values, function id and arguments, laid out with
// room reserved for the signature).
type UnsignedBody struct {
	Function *Function
	Body     *cell.Cell
	// Hash is what the signature covers: the hash of Body for ABI 2.0 to
	// 2.2, the hash of the destination address followed by Body from 2.3
	// (zero for an unsigned 2.3+ call without a destination).
	Hash [32]byte
	// Header values as encoded (zero when the ABI has no such header).
	PubKey []byte
	Time   uint64
	Expire uint32

	hashed bool // Hash is known (not so for 2.3+ without Dst)
}

// EncodeExternal builds the body of an external call without its
// signature flag.
func (f *Function) EncodeExternal(c ExternalCall) (*UnsignedBody, error) {
	a := f.abi
	v := a.Version
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	u := &UnsignedBody{Function: f, PubKey: c.PubKey, Time: c.Time, Expire: c.Expire}
	if a.hasHeader(KindTime) && u.Time == 0 {
		u.Time = uint64(now().UnixMilli())
	}
	if a.hasHeader(KindExpire) && u.Expire == 0 {
		base := u.Time
		if base == 0 {
			base = uint64(now().UnixMilli())
		}
		u.Expire = uint32((base + uint64(DefaultExpireTimeout/time.Millisecond)) / 1000)
	}
	if !a.hasHeader(KindTime) {
		u.Time = 0
	}
	if !a.hasHeader(KindExpire) {
		u.Expire = 0
	}
	if !a.hasHeader(KindPubKey) {
		u.PubKey = nil
	}
	if u.PubKey != nil && len(u.PubKey) != 32 {
		return nil, invalid("public key of %d bytes", len(u.PubKey))
	}
	if v.AtLeast(V2_3) && c.Dst == nil && !c.Unsigned {
		return nil, fmt.Errorf("encoding external call of %q: %w: ABI %s signs the destination address, none given", f.Name, ErrInvalidValue, v)
	}

	e := encoder{v}
	chunks := make([]chunk, 0, 2+len(a.Header)+len(f.Inputs))
	reserved := v.signatureBits()
	if !v.maxSizeLayout() && c.Unsigned {
		reserved = 1
	}
	chunks = append(chunks, chunk{bits: reserved})
	for i := range a.Header {
		t := a.Header[i].parsed
		b := cell.BeginCell()
		switch t.Kind {
		case KindPubKey:
			if u.PubKey == nil {
				b.StoreBool(false)
			} else {
				b.StoreBool(true).StoreBytes(u.PubKey)
			}
		case KindTime:
			b.StoreUInt(u.Time, 64)
		case KindExpire:
			b.StoreUInt(uint64(u.Expire), 32)
		}
		chunks = append(chunks, e.chunkOf(t, b))
	}
	chunks = append(chunks, e.chunkOf(&Type{Kind: KindUint, Size: 32}, cell.BeginCell().StoreUInt(uint64(f.InputID), 32)))
	chunks, err := e.appendParams(chunks, f.Inputs, c.Args)
	if err != nil {
		return nil, fmt.Errorf("encoding external call of %q: %w", f.Name, err)
	}
	root, err := packChain(chunks)
	if err != nil {
		return nil, fmt.Errorf("encoding external call of %q: %w", f.Name, err)
	}
	if u.Body, err = root.EndCell(); err != nil {
		return nil, fmt.Errorf("encoding external call of %q: %w", f.Name, err)
	}
	if c.Dst != nil || !v.AtLeast(V2_3) {
		if u.Hash, err = signedHash(v, u.Body, c.Dst); err != nil {
			return nil, fmt.Errorf("encoding external call of %q: %w", f.Name, err)
		}
		u.hashed = true
	}
	return u, nil
}

// signedHash is the hash an external body's signature covers.
func signedHash(v Version, body *cell.Cell, dst *cell.Address) ([32]byte, error) {
	if !v.AtLeast(V2_3) {
		return body.Hash(), nil
	}
	if dst == nil {
		return [32]byte{}, fmt.Errorf("%w: ABI %s signs the destination address, none given", ErrInvalidValue, v)
	}
	b := cell.BeginCell().StoreAddress(dst).StoreSlice(body.BeginParse())
	c, err := b.EndCell()
	if err != nil {
		return [32]byte{}, fmt.Errorf("hashing destination and body: %w", err)
	}
	return c.Hash(), nil
}

// DataToSign is the bytes the Ed25519 signature is made over: the hash, or
// with a signature id (networks with CapSignatureWithId) the id as a 4-byte
// big-endian integer followed by the hash.
func DataToSign(hash [32]byte, signatureID *int32) []byte {
	if signatureID == nil {
		return hash[:]
	}
	out := make([]byte, 4, 36)
	binary.BigEndian.PutUint32(out, uint32(*signatureID))
	return append(out, hash[:]...)
}

// DataToSign is the bytes to sign for this body (see the function
// DataToSign), or nil for an ABI 2.3+ body encoded without a destination.
func (u *UnsignedBody) DataToSign(signatureID *int32) []byte {
	if !u.hashed {
		return nil
	}
	return DataToSign(u.Hash, signatureID)
}

// Sign signs the body with key and returns the signed body 1‖sig‖U.
func (u *UnsignedBody) Sign(key ed25519.PrivateKey, signatureID *int32) (*cell.Cell, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("signing call of %q: %w: private key of %d bytes", u.Function.Name, ErrInvalidValue, len(key))
	}
	if !u.hashed {
		return nil, fmt.Errorf("signing call of %q: %w: ABI %s signs the destination address, and the body was encoded without one", u.Function.Name, ErrInvalidValue, u.Function.abi.Version)
	}
	return u.WithSignature(ed25519.Sign(key, u.DataToSign(signatureID)))
}

// WithSignature attaches a signature made elsewhere: 1‖sig‖U.
func (u *UnsignedBody) WithSignature(sig []byte) (*cell.Cell, error) {
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("attaching signature to call of %q: %w: signature of %d bytes", u.Function.Name, ErrInvalidValue, len(sig))
	}
	c, err := cell.BeginCell().StoreBool(true).StoreBytes(sig).StoreSlice(u.Body.BeginParse()).EndCell()
	if err != nil {
		return nil, fmt.Errorf("attaching signature to call of %q: %w", u.Function.Name, err)
	}
	return c, nil
}

// Unsigned returns the body with no signature: 0‖U.
func (u *UnsignedBody) Unsigned() (*cell.Cell, error) {
	c, err := cell.BeginCell().StoreBool(false).StoreSlice(u.Body.BeginParse()).EndCell()
	if err != nil {
		return nil, fmt.Errorf("encoding unsigned call of %q: %w", u.Function.Name, err)
	}
	return c, nil
}

// SignExternal encodes and signs an external call in one step. When the
// ABI has a `pubkey` header and c.PubKey is nil, the signing key's public
// key goes there, as ever-sdk does.
func (f *Function) SignExternal(c ExternalCall, key ed25519.PrivateKey, signatureID *int32) (*cell.Cell, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("signing call of %q: %w: private key of %d bytes", f.Name, ErrInvalidValue, len(key))
	}
	if c.PubKey == nil && f.abi.hasHeader(KindPubKey) {
		c.PubKey = key[32:]
	}
	c.Unsigned = false
	u, err := f.EncodeExternal(c)
	if err != nil {
		return nil, err
	}
	return u.Sign(key, signatureID)
}

// EncodeInternal builds the body of an internal call: id ‖ arguments.
func (f *Function) EncodeInternal(args map[string]any) (*cell.Cell, error) {
	c, err := encodeWithID(f.abi.Version, f.InputID, f.Inputs, args)
	if err != nil {
		return nil, fmt.Errorf("encoding internal call of %q: %w", f.Name, err)
	}
	return c, nil
}

// EncodeOutput builds the body of the function's answer: output id ‖
// outputs.
func (f *Function) EncodeOutput(values map[string]any) (*cell.Cell, error) {
	c, err := encodeWithID(f.abi.Version, f.OutputID, f.Outputs, values)
	if err != nil {
		return nil, fmt.Errorf("encoding output of %q: %w", f.Name, err)
	}
	return c, nil
}

func encodeWithID(v Version, id uint32, params []Param, values map[string]any) (*cell.Cell, error) {
	e := encoder{v}
	chunks := []chunk{e.chunkOf(&Type{Kind: KindUint, Size: 32}, cell.BeginCell().StoreUInt(uint64(id), 32))}
	chunks, err := e.appendParams(chunks, params, values)
	if err != nil {
		return nil, err
	}
	root, err := packChain(chunks)
	if err != nil {
		return nil, err
	}
	return root.EndCell()
}

// DecodedCall is a call body read back.
type DecodedCall struct {
	Function *Function
	// Signature is the 64-byte signature of a signed external body, nil
	// otherwise.
	Signature []byte
	// Unsigned is U, the body after the signature flag and signature
	// (external bodies only): what SignedHash hashes.
	Unsigned *cell.Cell
	// Header values present in the ABI (external bodies only).
	PubKey []byte
	Time   uint64
	Expire uint32
	Args   map[string]any
}

// SignedHash is the hash a signature over this external body covers; dst
// is the contract it was sent to (used from ABI 2.3 on).
func (d *DecodedCall) SignedHash(dst *cell.Address) ([32]byte, error) {
	if d.Unsigned == nil {
		return [32]byte{}, fmt.Errorf("%w: not an external call body", ErrInvalidValue)
	}
	return signedHash(d.Function.abi.Version, d.Unsigned, dst)
}

// DecodeExternalCall reads an external call body: signature flag and
// signature, header values, function id and arguments.
func (a *ABI) DecodeExternalCall(body *cell.Cell) (*DecodedCall, error) {
	d, err := a.decodeExternal(body)
	if err != nil {
		return nil, fmt.Errorf("decoding external call body: %w", err)
	}
	return d, nil
}

func (a *ABI) decodeExternal(body *cell.Cell) (*DecodedCall, error) {
	if body == nil {
		return nil, decodeErr("no body")
	}
	s := body.BeginParse()
	signed, err := s.LoadBool()
	if err != nil {
		return nil, wrapDecode(err)
	}
	out := &DecodedCall{}
	if signed {
		if out.Signature, err = s.LoadBytes(64); err != nil {
			return nil, wrapDecode(err)
		}
	}
	if out.Unsigned, err = s.Copy().ToCell(); err != nil {
		return nil, wrapDecode(err)
	}
	v := a.Version
	dec := decoder{v}
	prefix := []size{{v.signatureBits(), 0}}
	if !v.maxSizeLayout() {
		prefix = nil
	}
	for i := range a.Header {
		t := a.Header[i].parsed
		prefix = append(prefix, size{t.MaxBits(v), 0})
		x, err := dec.load(s, t)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", t, err)
		}
		switch t.Kind {
		case KindPubKey:
			if x != nil {
				out.PubKey = x.([]byte)
			}
		case KindTime:
			out.Time = x.(*big.Int).Uint64()
		case KindExpire:
			out.Expire = uint32(x.(*big.Int).Uint64())
		}
	}
	id, err := s.LoadUInt(32)
	if err != nil {
		return nil, fmt.Errorf("function id: %w", wrapDecode(err))
	}
	prefix = append(prefix, size{32, 0})
	if out.Function, err = a.FunctionByInputID(uint32(id)); err != nil {
		return nil, err
	}
	if !v.maxSizeLayout() {
		prefix = nil
	}
	if out.Args, err = readRest(dec, s, prefix, out.Function.Inputs); err != nil {
		return nil, fmt.Errorf("function %q: %w", out.Function.Name, err)
	}
	return out, nil
}

// readRest decodes params from s, the rest of a chain's first cell after
// values of the given layout sizes (nil before ABI 2.2), and checks that
// nothing follows.
func readRest(dec decoder, s *cell.Slice, prefix []size, params []Param) (map[string]any, error) {
	r := dec.newChainReader(s, prefix, flatTypes(params))
	vals, err := r.readParams(params, len(prefix))
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return vals, nil
}

// DecodeInternalCall reads an internal call body: function id and
// arguments.
func (a *ABI) DecodeInternalCall(body *cell.Cell) (*DecodedCall, error) {
	f, vals, err := a.decodeWithID(body, a.FunctionByInputID, func(f *Function) []Param { return f.Inputs })
	if err != nil {
		return nil, fmt.Errorf("decoding internal call body: %w", err)
	}
	return &DecodedCall{Function: f, Args: vals}, nil
}

// DecodeOutput reads a function's answer body: output id and outputs.
func (a *ABI) DecodeOutput(body *cell.Cell) (*Function, map[string]any, error) {
	f, vals, err := a.decodeWithID(body, a.FunctionByOutputID, func(f *Function) []Param { return f.Outputs })
	if err != nil {
		return nil, nil, fmt.Errorf("decoding function output: %w", err)
	}
	return f, vals, nil
}

func (a *ABI) decodeWithID(body *cell.Cell, find func(uint32) (*Function, error), params func(*Function) []Param) (*Function, map[string]any, error) {
	if body == nil {
		return nil, nil, decodeErr("no body")
	}
	s := body.BeginParse()
	id, err := s.LoadUInt(32)
	if err != nil {
		return nil, nil, fmt.Errorf("function id: %w", wrapDecode(err))
	}
	f, err := find(uint32(id))
	if err != nil {
		return nil, nil, err
	}
	dec := decoder{a.Version}
	var prefix []size
	if a.Version.maxSizeLayout() {
		prefix = []size{{32, 0}}
	}
	vals, err := readRest(dec, s, prefix, params(f))
	if err != nil {
		return nil, nil, fmt.Errorf("function %q: %w", f.Name, err)
	}
	return f, vals, nil
}
