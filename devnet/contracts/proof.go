package contracts

import (
	"bytes"
	"crypto/ed25519"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// proofConstructorID is the function id of constructor()()v2.
const proofConstructorID = 0x68B55F3F

// runProof is recv_external of contract/proof.fc: the constructor's checks
// in the contract's order, then the data it writes. addr is the proof's own
// address (MYADDR), data its persistent data before the call (nil is an
// empty cell), now the chain time.
func runProof(addr *cell.Address, data *cell.Cell, body *cell.Slice, now uint32) (*cell.Cell, *ExitError) {
	b := newReader(body, "message body")
	if b.uint(1) == 0 && b.err == nil {
		return nil, exitf(exitNoSignature, "the constructor call is not signed")
	}
	sig := b.bits(512)
	signed := b.s.Copy()
	hasKey := b.uint(1) == 1
	var headerKey []byte
	if hasKey {
		headerKey = b.bits(256)
	}
	signTime := b.uint(64)
	expire := b.uint(32)
	fid := b.uint(32)
	if b.err != nil {
		return nil, b.err
	}
	if fid != proofConstructorID {
		return nil, exitf(exitFunctionID, "function id %#08x is not the constructor's", fid)
	}
	if !b.empty() {
		return nil, exitf(exitTrailingData, "%d bits and %d references follow the function id", b.s.BitsLeft(), b.s.RefsLeft())
	}

	if data == nil {
		data = cell.EmptyCell
	}
	d := newReader(data.BeginParse(), "persistent data")
	pubkey := d.bits(256)
	d.uint(64)
	constructed := d.uint(1) == 1
	if d.err != nil {
		return nil, d.err
	}
	if constructed {
		return nil, exitf(exitConstructed, "the proof is constructed already")
	}
	content := d.ref()
	if d.err != nil {
		return nil, d.err
	}

	if uint64(expire) <= uint64(now) {
		return nil, exitf(exitExpired, "the call expired at %d, chain time %d", expire, now)
	}
	if hasKey && !bytes.Equal(headerKey, pubkey) {
		return nil, exitf(exitPubkeyHeader, "the pubkey header %x is not the proof's key %x", headerKey, pubkey)
	}
	if !onCurve(pubkey) {
		return nil, exitf(exitBadPublicKey, "the proof's key %x is not a public key", pubkey)
	}
	if !verify(pubkey, addr, signed, sig) {
		return nil, exitf(exitBadSignature, "the signature is not the proof key's over this address and call")
	}

	nd, err := cell.BeginCell().StoreBytes(pubkey).StoreUInt(signTime, 64).StoreBool(true).
		StoreRef(content).StoreUInt(uint64(now), 32).EndCell()
	if err != nil {
		// The old data held these fields in one cell, so they fit.
		return nil, exitf(exitCellUnderflow, "writing the data: %v", err)
	}
	return nd, nil
}

// verify is the contracts' CHKSIGNU over the ABI 2.3 hash: the
// representation hash of a cell holding the contract's address followed by
// signed (the bits and references of the body after the signature).
func verify(pubkey []byte, addr *cell.Address, signed *cell.Slice, sig []byte) bool {
	c, err := cell.BeginCell().StoreAddress(addr).StoreSlice(signed).EndCell()
	if err != nil {
		return false
	}
	h := c.Hash()
	return verifyHash(pubkey, h, sig)
}

func verifyHash(pubkey []byte, h [32]byte, sig []byte) bool {
	if len(pubkey) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(pubkey), h[:], sig)
}
