package contracts

import (
	"crypto/ed25519"
	"fmt"
	"math/big"
	"sync"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
)

// Method ids of EverWallet (broxus/ever-wallet-contract, Wallet.fc).
const (
	everSendTransaction    = 0x4cee646c
	everSendTransactionRaw = 0x169e3e11
)

// Exit codes of EverWallet's time header and of the highload wallet.
const (
	everTimeTooFar = 1800 // seconds ahead of now a time header may be

	exitHighloadSeen     = 32 // the query id is among the recent ones
	exitHighloadWalletID = 34 // another subwallet id
	exitHighloadQuery    = 35 // expired query id, or a bad signature
)

// realKindOf is the real wallet whose code has hash h, if it is one of the
// two the emulator runs check for check.
func realKindOf(h [32]byte) (contract.WalletKind, bool) {
	k, ok := realKinds()[h]
	return k, ok
}

var realKinds = sync.OnceValue(func() map[[32]byte]contract.WalletKind {
	m := map[[32]byte]contract.WalletKind{}
	for _, k := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
		h, err := k.CodeHash()
		if err != nil {
			panic(fmt.Sprintf("contracts: %s has no code hash: %v", k, err))
		}
		m[h] = k
	}
	return m
})

// runEverWallet is recv_external of EverWallet's Wallet.fc, check for
// check: signature flag (58), signature, data (key, last time), pubkey
// header (100), time, expire and method id, CHKSIGNU over the wallet's
// address and the body after the signature (40), expiry (57), time after
// the last and at most 1800 s ahead (52), the arguments, ACCEPT; then the
// transfers, and the data with the new time.
func runEverWallet(addr *cell.Address, data *cell.Cell, body *cell.Slice, now uint32) (*accepted, *ExitError) {
	b, sig, ex := readSignature(body)
	if ex != nil {
		return nil, ex
	}
	d := newReader(data.BeginParse(), "persistent data")
	owner := d.bits(256)
	last := d.uint(64)
	if d.err != nil {
		return nil, d.err
	}
	signed := b.s.Copy()
	if b.uint(1) == 1 {
		if pk := b.bits(256); b.err == nil && string(pk) != string(owner) {
			return nil, exitf(exitPubkeyHeader, "the pubkey header %x is not the owner's %x", pk, owner)
		}
	}
	ms := b.uint(64)
	expire := uint32(b.uint(32))
	fid := b.uint(32)
	if b.err != nil {
		return nil, b.err
	}
	if ex := checkOwnerSignature(owner, addr, signed, sig); ex != nil {
		return nil, ex
	}
	if expire <= now {
		return nil, exitf(exitExpired, "the call expired at %d, chain time %d", expire, now)
	}
	if last >= ms || ms > (uint64(now)+everTimeTooFar)*1000 {
		return nil, exitf(exitReplay, "the call's time %d ms is not after the last call's %d ms, or more than %d s after chain time %d", ms, last, everTimeTooFar, now)
	}
	nd, err := cell.BeginCell().StoreBytes(owner).StoreUInt(ms, 64).EndCell()
	if err != nil {
		return nil, exitf(exitCellUnderflow, "writing the data: %v", err)
	}
	switch fid {
	case everSendTransaction:
		t, ex := everWalletArgs(b)
		if ex != nil {
			return nil, ex
		}
		if t.value.Cmp(maxGrams) >= 0 {
			// STVARUINT16 after ACCEPT: a range check error.
			return &accepted{aborted: exitf(exitRangeCheck, "value %s does not fit VarUInteger 16", t.value)}, nil
		}
		return &accepted{sends: []*transfer{t}, data: nd}, nil
	case everSendTransactionRaw:
		var ts []*transfer
		for b.s.RefsLeft() > 0 {
			mode := b.uint(8)
			m := b.ref()
			if b.err != nil {
				return &accepted{aborted: b.err}, nil
			}
			ts = append(ts, rawTransfer(m, uint8(mode)))
		}
		if b.s.BitsLeft() > 0 {
			return &accepted{aborted: exitf(exitCellUnderflow, "%d bits follow the messages", b.s.BitsLeft())}, nil
		}
		return &accepted{sends: ts, data: nd}, nil
	}
	return nil, exitf(exitFunctionID, "function id %#08x is neither sendTransaction nor sendTransactionRaw", fid)
}

// everWalletArgs reads sendTransaction's arguments from the reference
// after the method id, as Wallet.fc does before ACCEPT: PLDREF (the body
// may go on), then address, value, bounce, flags and the payload's
// reference, whatever follows them.
func everWalletArgs(b *reader) (*transfer, *ExitError) {
	if b.s.RefsLeft() < 1 {
		return nil, exitf(exitCellUnderflow, "the call has no arguments' reference")
	}
	argsCell, _ := b.s.PreloadRef()
	a := newReader(argsCell.BeginParse(), "arguments")
	dest, value, bounce := loadTransferArgs(a)
	mode := a.uint(8)
	if a.err != nil {
		return nil, a.err
	}
	if a.s.RefsLeft() < 1 {
		return nil, exitf(exitCellUnderflow, "the arguments have no payload reference")
	}
	payload, _ := a.s.PreloadRef()
	t := &transfer{dest: dest, value: value, bounce: bounce, mode: uint8(mode)}
	if payload.BitsSize() > 0 || payload.RefsNum() > 0 {
		t.body = payload
	}
	return t, nil
}

// rawTransfer is a message handed whole to SENDRAWMSG: the action phase
// reads its destination, value, bounce flag, StateInit and body. A cell
// that is not an internal message makes a transfer to no address, which
// fails the action as the executor fails it.
func rawTransfer(m *cell.Cell, mode uint8) *transfer {
	msg, err := abi.ParseMessage(m)
	if err != nil || msg.Kind != abi.InternalMessage || msg.Dst == nil {
		return &transfer{dest: &cell.Address{Type: cell.AddrNone}, value: new(big.Int), mode: mode}
	}
	v := msg.Value
	if v == nil {
		v = new(big.Int)
	}
	return &transfer{dest: msg.Dst, value: v, bounce: msg.Bounce, mode: mode, body: msg.Body, init: msg.Init}
}

// runHighload is recv_external of the highload wallet v2, check for check:
// signature, subwallet and query id, the query id not expired (35), the
// data, the query id not seen (32), the subwallet id (34), CHKSIGNU over
// the body after the signature (35), the message dictionary and nothing
// after it, ACCEPT; then the messages under keys 0 and up (idict_get_next
// from -1: negative keys are never sent), and the data with the query id
// remembered and the ids expired more than 64 s ago forgotten.
func runHighload(data *cell.Cell, body *cell.Slice, now uint32) (*accepted, *ExitError) {
	b := newReader(body, "message body")
	sig := b.bits(512)
	signed := b.s.Copy()
	subwallet := b.uint(32)
	query := b.uint(64)
	if b.err != nil {
		return nil, b.err
	}
	bound := uint64(now) << 32
	if query < bound {
		return nil, exitf(exitHighloadQuery, "query id %#x expired (chain time %d)", query, now)
	}
	d := newReader(data.BeginParse(), "persistent data")
	stored := d.uint(32)
	last := d.uint(64) // the last query id cleaned
	owner := d.bits(256)
	queries, ex := d.lastDict()
	if ex != nil {
		return nil, ex
	}
	old, err := cell.ParseDict(queries, 64)
	if err != nil {
		return nil, exitf(exitDict, "reading the recent queries: %v", err)
	}
	var key [8]byte
	for i := range key {
		key[i] = byte(query >> (56 - 8*i))
	}
	for _, it := range old {
		if string(it.Key) == string(key[:]) {
			return nil, exitf(exitHighloadSeen, "query id %#x was accepted before", query)
		}
	}
	if subwallet != stored {
		return nil, exitf(exitHighloadWalletID, "subwallet id %d, the wallet's is %d", subwallet, stored)
	}
	sc, err := signed.ToCell()
	if err != nil {
		return nil, exitf(exitCellUnderflow, "hashing the body: %v", err)
	}
	if !onCurve(owner) {
		return nil, exitf(exitBadPublicKey, "the owner's key %x is not a public key", owner)
	}
	if !verifyHash(owner, sc.Hash(), sig) {
		return nil, exitf(exitHighloadQuery, "the signature is not the owner's over the body")
	}
	dict, ex := b.lastDict()
	if ex != nil {
		return nil, ex
	}
	items, err := cell.ParseDict(dict, 16)
	if err != nil {
		return &accepted{aborted: exitf(exitDict, "reading the messages: %v", err)}, nil
	}
	var ts []*transfer
	for _, it := range items { // ascending unsigned keys: 0x0000..0x7fff come first
		if it.Key[0]&0x80 != 0 {
			break
		}
		v := newReader(it.Value.Copy(), "message entry")
		mode := v.uint(8)
		m := v.ref()
		if v.err != nil {
			return &accepted{aborted: v.err}, nil
		}
		ts = append(ts, rawTransfer(m, uint8(mode)))
	}

	// The new query id joins the recent ones, then the smallest are
	// deleted while they are below now-64 s: the new one never is.
	var entries []cell.DictEntry
	for _, it := range old { // ascending
		if k := beUint64(it.Key); now >= 64 && k < bound-64<<32 {
			last = k
			continue
		}
		entries = append(entries, cell.DictEntry{Key: it.Key, Value: it.Value.Copy().ToBuilder()})
	}
	entries = append(entries, cell.DictEntry{Key: key[:], Value: cell.BeginCell()})
	nq, err := cell.BuildDict(64, entries)
	if err != nil {
		return nil, exitf(exitDict, "writing the recent queries: %v", err)
	}
	nd, err := cell.BeginCell().StoreUInt(stored, 32).StoreUInt(last, 64).StoreBytes(owner).StoreMaybeRef(nq).EndCell()
	if err != nil {
		return nil, exitf(exitDict, "writing the data: %v", err)
	}
	return &accepted{sends: ts, data: nd}, nil
}

// lastDict reads a HashmapE (a bit, and a reference when it is set) and
// then the end of the slice, as LDDICT and ENDS do.
func (r *reader) lastDict() (*cell.Cell, *ExitError) {
	var dict *cell.Cell
	if r.uint(1) == 1 {
		dict = r.ref()
	}
	if r.err != nil {
		return nil, r.err
	}
	if !r.empty() {
		return nil, exitf(exitCellUnderflow, "%d bits and %d references follow the dictionary in the %s", r.s.BitsLeft(), r.s.RefsLeft(), r.what)
	}
	return dict, nil
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// RealWalletAccount is an active wallet of kind (EverWallet or
// HighloadWalletV2) running code (the real code, contract.WalletKind.
// WalletCode) owned by owner, holding balance nanotokens, at the address
// the EVER Wallet extension computes for that key.
func RealWalletAccount(kind contract.WalletKind, code *cell.Cell, owner ed25519.PublicKey, balance *big.Int) (devnet.Account, error) {
	if _, ok := realKindOf(codeHashOf(code)); !ok {
		return devnet.Account{}, fmt.Errorf("%w: %s's real code is needed", contract.ErrNoWalletCode, kind)
	}
	if balance == nil || balance.Sign() < 0 {
		return devnet.Account{}, fmt.Errorf("wallet balance must be zero or more, got %v", balance)
	}
	init, addr, err := kind.NewStateInit(code, owner)
	if err != nil {
		return devnet.Account{}, err
	}
	si, err := abi.ParseStateInit(init)
	if err != nil {
		return devnet.Account{}, fmt.Errorf("reading %s StateInit: %w", kind, err)
	}
	return devnet.Account{
		Address: addr.String(),
		Type:    account.Active,
		Balance: new(big.Int).Set(balance),
		Code:    si.Code.ToBOC(),
		Data:    si.Data.ToBOC(),
	}, nil
}

func codeHashOf(c *cell.Cell) [32]byte {
	if c == nil {
		return [32]byte{}
	}
	return c.Hash()
}
