package contract

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ErrNotEd25519 is returned when a signer's public key is not Ed25519.
var ErrNotEd25519 = errors.New("signer is not an Ed25519 key")

func ed25519Public(signer crypto.Signer) (ed25519.PublicKey, error) {
	pub, ok := signer.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return nil, ErrNotEd25519
	}
	return pub, nil
}

// signedCall encodes an external call of f to dst and has signer sign it
// by the rule of f's ABI version. The pubkey header, where the ABI has one,
// carries the signer's key. Any crypto.Signer with an Ed25519 key works
// (an ed25519.PrivateKey, or a key kept elsewhere).
func signedCall(f *abi.Function, dst *cell.Address, args map[string]any, signer crypto.Signer, timeMs uint64, expire uint32) (*cell.Cell, error) {
	pub, err := ed25519Public(signer)
	if err != nil {
		return nil, err
	}
	if timeMs == 0 || expire == 0 {
		return nil, errors.New("a signed call needs its time and expire headers")
	}
	if uint64(expire) <= timeMs/1000 {
		return nil, fmt.Errorf("a call made at %d ms that expires at %d s is expired already", timeMs, expire)
	}
	u, err := f.EncodeExternal(abi.ExternalCall{Args: args, PubKey: pub, Time: timeMs, Expire: expire, Dst: dst})
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", f.Name, err)
	}
	sig, err := signer.Sign(nil, u.DataToSign(nil), crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", f.Name, err)
	}
	body, err := u.WithSignature(sig)
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", f.Name, err)
	}
	return body, nil
}

// signedExternal is the external message to dst whose body is the
// signature of signed's hash (after a 1 bit that says it is there, when
// flagged, as ABI headers have it) followed by unsigned's bits and refs:
// the layout of wallets that check a signature by hand.
func signedExternal(dst *cell.Address, signer crypto.Signer, signed *cell.Cell, flagged bool, unsigned *cell.Cell) (*cell.Cell, error) {
	h := signed.Hash()
	sig, err := signer.Sign(nil, h[:], crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	b := cell.BeginCell()
	if flagged {
		b.StoreBool(true)
	}
	body, err := b.StoreBytes(sig).StoreSlice(unsigned.BeginParse()).EndCell()
	if err != nil {
		return nil, err
	}
	return externalMessage(dst, nil, body)
}

// externalMessage wraps body, and the StateInit init if not nil, in an
// inbound external message to dst.
func externalMessage(dst *cell.Address, init *cell.Cell, body *cell.Cell) (*cell.Cell, error) {
	var si *abi.StateInit
	if init != nil {
		var err error
		if si, err = abi.ParseStateInit(init); err != nil {
			return nil, fmt.Errorf("building external message: %w", err)
		}
	}
	c, err := abi.NewExternalInMessage(dst, si, body).Cell()
	if err != nil {
		return nil, fmt.Errorf("building external message: %w", err)
	}
	return c, nil
}

// newStateInit is the usual StateInit of code and data, and its address in
// workchain 0.
func newStateInit(code, data *cell.Cell) (*cell.Cell, *cell.Address, error) {
	si := &abi.StateInit{Code: code, Data: data}
	c, err := si.Cell()
	if err != nil {
		return nil, nil, fmt.Errorf("building StateInit: %w", err)
	}
	return c, abi.ContractAddress(0, c), nil
}

// WithStateInit is msg, an external message to a wallet, carrying init as
// well: the wallet's first message deploys it (the body's signature covers
// the body and the address, never the StateInit, so the message stays
// signed). An init that is not the StateInit of msg's destination is
// refused: the network would drop the message, and a wallet deployed from
// the wrong key or code could not be used again.
func WithStateInit(msg, init *cell.Cell) (*cell.Cell, error) {
	m, err := abi.ParseMessage(msg)
	if err != nil {
		return nil, fmt.Errorf("attaching a StateInit: %w", err)
	}
	if m.Kind != abi.ExternalInMessage || m.Dst == nil || m.Dst.Type != cell.AddrStd {
		return nil, fmt.Errorf("attaching a StateInit: a %s message is not an external call of a wallet", m.Kind)
	}
	if !abi.ContractAddress(int8(m.Dst.Workchain), init).Equal(m.Dst) {
		// The caller names the wallet the message is for.
		return nil, fmt.Errorf("attaching a StateInit: it deploys %s, not the message's destination", abi.ContractAddress(int8(m.Dst.Workchain), init))
	}
	return externalMessage(m.Dst, init, m.Body)
}
