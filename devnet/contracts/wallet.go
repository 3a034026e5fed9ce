package contracts

import (
	"fmt"
	"math/big"
	"sync"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
)

// maxLifetime is how far ahead a giver call may expire (giver.fc).
const maxLifetime = 3600

// transfer is the message a wallet call asks for.
type transfer struct {
	dest   *cell.Address
	value  *big.Int
	bounce bool
	// mode is the send mode: 1 pays the forwarding fee apart from the
	// value, 2 ignores errors of the action.
	mode uint8
	body *cell.Cell // nil for none
	// init is the StateInit a raw message carries, nil for none.
	init *abi.StateInit
}

// accepted is what a wallet call does once its contract has accepted it:
// the transfers, in order, and the new data, or an exception after ACCEPT,
// which aborts the transaction.
type accepted struct {
	sends   []*transfer
	data    *cell.Cell
	aborted *ExitError
}

var (
	giverABI    = mustABI(contract.GiverABI)
	giverSendID = mustFunction(giverABI, "sendTransaction").InputID
	maxGrams    = new(big.Int).Lsh(big.NewInt(1), 120)
)

func mustABI(text string) *abi.ABI {
	a, err := abi.Parse([]byte(text))
	if err != nil {
		panic(fmt.Sprintf("contracts: parsing an embedded ABI: %v", err))
	}
	return a
}

func mustFunction(a *abi.ABI, name string) *abi.Function {
	f, err := a.Function(name)
	if err != nil {
		panic(fmt.Sprintf("contracts: embedded ABI: %v", err))
	}
	return f
}

// runGiver is recv_external of contract/giver.fc, check for check.
func runGiver(addr *cell.Address, data *cell.Cell, body *cell.Slice, now uint32) (*accepted, *ExitError) {
	b, sig, ex := readSignature(body)
	if ex != nil {
		return nil, ex
	}
	signed := b.s.Copy()
	b.uint(64)
	expire := uint32(b.uint(32))
	fid := b.uint(32)
	if b.err != nil {
		return nil, b.err
	}
	if fid != uint64(giverSendID) {
		return nil, exitf(exitFunctionID, "function id %#08x is not sendTransaction's", fid)
	}
	argsCell := b.ref()
	if b.err != nil {
		return nil, b.err
	}
	if !b.empty() {
		return nil, exitf(exitTrailingData, "%d bits and %d references follow the arguments' reference", b.s.BitsLeft(), b.s.RefsLeft())
	}
	a := newReader(argsCell.BeginParse(), "arguments")
	dest, value, bounce := loadTransferArgs(a)
	if a.err != nil {
		return nil, a.err
	}
	if !a.empty() {
		return nil, exitf(exitTrailingData, "%d bits and %d references follow the arguments", a.s.BitsLeft(), a.s.RefsLeft())
	}
	if value.Cmp(maxGrams) >= 0 {
		return nil, exitf(exitValue, "value %s is not a Grams amount", value)
	}
	if ex := checkExpiry(expire, now); ex != nil {
		return nil, ex
	}

	d := newReader(data.BeginParse(), "persistent data")
	owner := d.bits(256)
	var dict *cell.Cell
	if d.uint(1) == 1 {
		dict = d.ref()
	}
	if d.err != nil {
		return nil, d.err
	}
	if ex := checkOwnerSignature(owner, addr, signed, sig); ex != nil {
		return nil, ex
	}
	h, _ := hashOf(addr, signed)
	return afterSignature(&walletData{owner: owner}, dict, h, expire, now,
		&transfer{dest: dest, value: value, bounce: bounce, mode: 1})
}

// checkOwnerSignature is CHKSIGNU of the owner's key over the wallet's
// address and the body after the signature (the ABI 2.3 rule): exit code
// 12 for a key that is not a curve point, 40 for a signature that fails.
func checkOwnerSignature(owner []byte, addr *cell.Address, signed *cell.Slice, sig []byte) *ExitError {
	if !onCurve(owner) {
		return exitf(exitBadPublicKey, "the owner's key %x is not a public key", owner)
	}
	if !verify(owner, addr, signed, sig) {
		return exitf(exitBadSignature, "the signature is not the owner's over this address and call")
	}
	return nil
}

// readSignature reads an ABI body's signature: the flag that says it is
// there (exit code 58 when it is not) and its 512 bits.
func readSignature(body *cell.Slice) (*reader, []byte, *ExitError) {
	b := newReader(body, "message body")
	if b.uint(1) == 0 && b.err == nil {
		return nil, nil, exitf(exitNoSignature, "the call is not signed")
	}
	sig := b.bits(512)
	if b.err != nil {
		return nil, nil, b.err
	}
	return b, sig, nil
}

// checkExpiry is the giver's window: later than now, at most maxLifetime
// ahead.
func checkExpiry(expire, now uint32) *ExitError {
	if uint64(expire) <= uint64(now) {
		return exitf(exitExpired, "the call expired at %d, chain time %d", expire, now)
	}
	if uint64(expire) > uint64(now)+maxLifetime {
		return exitf(exitExpireTooFar, "the call expires at %d, more than %d s after chain time %d", expire, maxLifetime, now)
	}
	return nil
}

// afterSignature is the giver's replay check, ACCEPT and the new data.
func afterSignature(w *walletData, dict *cell.Cell, hash [32]byte, expire, now uint32, t *transfer) (*accepted, *ExitError) {
	items, err := cell.ParseDict(dict, 256)
	if err != nil {
		return nil, exitf(exitDict, "reading the recent calls: %v", err)
	}
	w.messages = items
	if w.seen(hash) {
		return nil, exitf(exitReplay, "the call %x was accepted before", hash)
	}
	nd, ex := w.accept(hash, expire, now)
	if ex != nil {
		return &accepted{aborted: ex}, nil
	}
	return &accepted{sends: []*transfer{t}, data: nd}, nil
}

func hashOf(addr *cell.Address, signed *cell.Slice) ([32]byte, error) {
	c, err := cell.BeginCell().StoreAddress(addr).StoreSlice(signed).EndCell()
	if err != nil {
		return [32]byte{}, err
	}
	return c.Hash(), nil
}

// loadTransferArgs reads (address dest, uint128 value, bool bounce), the
// arguments a giver's and EverWallet's sendTransaction start with; a
// failure is left in a.err.
func loadTransferArgs(a *reader) (*cell.Address, *big.Int, bool) {
	dest, _ := loadAddress(a)
	value := new(big.Int).SetBytes(a.bits(128))
	bounce := a.uint(1) == 1
	return dest, value, bounce
}

// loadAddress is LDMSGADDR: any MsgAddress that parses (giver.fc's
// REWRITESTDADDR has no effect: the compiler drops a call whose results are
// unused). Whether it can receive a message is the action phase's business.
func loadAddress(r *reader) (*cell.Address, *ExitError) {
	if r.err != nil {
		return nil, r.err
	}
	a, err := r.s.LoadAddress()
	if err != nil {
		r.err = exitf(exitCellUnderflow, "reading the destination: %v", err)
		return nil, r.err
	}
	return a, nil
}

// standIn is what a wallet stand-in needs of its kind.
type standIn struct {
	kind      contract.WalletKind
	abi       *abi.ABI
	send      *abi.Function
	hasPubkey bool
}

var standIns = sync.OnceValue(func() map[contract.WalletKind]*standIn {
	m := map[contract.WalletKind]*standIn{}
	for k := contract.SafeMultisig; k <= contract.GiverV3; k++ {
		a := mustABI(k.ABI())
		s := &standIn{kind: k, abi: a, send: mustFunction(a, "sendTransaction")}
		for _, h := range a.Header {
			if h.Name == "pubkey" {
				s.hasPubkey = true
			}
		}
		m[k] = s
	}
	return m
})

// runStandIn runs a call on the stand-in of a wallet kind: decoded with the
// kind's ABI, checked as the local giver checks its calls.
func runStandIn(s *standIn, addr *cell.Address, data *cell.Cell, body *cell.Slice, now uint32) (*accepted, *ExitError) {
	b := newReader(body.Copy(), "message body")
	if b.uint(1) == 0 && b.err == nil {
		return nil, exitf(exitNoSignature, "the call is not signed")
	}
	b.bits(512)
	for _, h := range s.abi.Header {
		switch h.Name {
		case "pubkey":
			if b.uint(1) == 1 {
				b.bits(256)
			}
		case "time":
			b.uint(64)
		case "expire":
			b.uint(32)
		}
	}
	fid := b.uint(32)
	if b.err != nil {
		return nil, b.err
	}
	if fid != uint64(s.send.InputID) {
		return nil, exitf(exitFunctionID, "function id %#08x is not %s's sendTransaction", fid, s.kind)
	}
	bc, err := body.ToCell()
	if err != nil {
		return nil, exitf(exitCellUnderflow, "reading the body: %v", err)
	}
	call, err := s.abi.DecodeExternalCall(bc)
	if err != nil {
		return nil, exitf(exitCellUnderflow, "decoding the %s call: %v", s.kind, err)
	}
	dest, _ := call.Args["dest"].(*cell.Address)
	if dest == nil {
		return nil, exitf(exitCellUnderflow, "the call has no destination")
	}
	value, _ := call.Args["value"].(*big.Int)
	bounce, _ := call.Args["bounce"].(bool)
	if value == nil {
		return nil, exitf(exitCellUnderflow, "the call has no value")
	}
	t := &transfer{dest: dest, value: value, bounce: bounce, mode: 1}
	if f, ok := call.Args["flags"].(*big.Int); ok {
		t.mode = uint8(f.Uint64())
	}
	if p, ok := call.Args["payload"].(*cell.Cell); ok && (p.BitsSize() > 0 || p.RefsNum() > 0) {
		t.body = p
	}
	if value.Cmp(maxGrams) >= 0 {
		return nil, exitf(exitValue, "value %s is not a Grams amount", value)
	}
	if ex := checkExpiry(call.Expire, now); ex != nil {
		return nil, ex
	}

	d := newReader(data.BeginParse(), "persistent data")
	owner := d.bits(256)
	var dict *cell.Cell
	if d.uint(1) == 1 {
		dict = d.ref()
	}
	if d.err != nil {
		return nil, d.err
	}
	if call.PubKey != nil && string(call.PubKey) != string(owner) {
		return nil, exitf(exitPubkeyHeader, "the pubkey header %x is not the owner's %x", call.PubKey, owner)
	}
	h, err := call.SignedHash(addr)
	if err != nil {
		return nil, exitf(exitBadSignature, "hashing the call: %v", err)
	}
	if !onCurve(owner) {
		return nil, exitf(exitBadPublicKey, "the owner's key %x is not a public key", owner)
	}
	if !verifyHash(owner, h, call.Signature) {
		return nil, exitf(exitBadSignature, "the signature is not the owner's by the ABI %s rule", s.abi.Version)
	}
	return afterSignature(&walletData{owner: owner}, dict, h, call.Expire, now, t)
}
