package contract

import (
	"crypto"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// everWalletABI describes EverWallet's sendTransaction by its signature,
// sendTransaction(address,uint128,bool,uint8,cell)()v2 under ABI 2.3 with
// the header (pubkey, time, expire): what the contract's method id
// 0x4cee646c and header parsing take.
const everWalletABI = `{
	"ABI version": 2,
	"version": "2.3",
	"header": ["pubkey", "time", "expire"],
	"functions": [
		{
			"name": "sendTransaction",
			"inputs": [
				{"name": "dest", "type": "address"},
				{"name": "value", "type": "uint128"},
				{"name": "bounce", "type": "bool"},
				{"name": "flags", "type": "uint8"},
				{"name": "payload", "type": "cell"}
			],
			"outputs": []
		}
	],
	"data": [],
	"events": []
}`

// everWalletRawID is the id of sendTransactionRaw(uint8,cell)()v2. The
// contract reads its body as (mode:uint8, message:^Cell) pairs for as long
// as references are left, so one call sends as many messages as the body's
// root cell has references after the headers: four.
const everWalletRawID = 0x169e3e11

// EverWalletMaxTransfers is how many messages one sendTransactionRaw call
// carries: a cell's four references.
const EverWalletMaxTransfers = cell.MaxRefs

func everWalletSpec() walletSpec {
	s := newWalletSpec("EverWallet", everWalletABI, false)
	s.flags = true
	s.maxTransfers = EverWalletMaxTransfers
	return s
}

// everWalletRawMessage calls sendTransactionRaw with one (flags, message)
// pair per transfer. The body is laid out by hand, as the contract reads
// it: ABI 2.3 headers, the method id, then the pairs in the root cell; the
// signature covers the wallet's address and everything after it (the ABI
// 2.3 rule the contract checks with HASHCU).
func everWalletRawMessage(wallet *cell.Address, ts []Transfer, signer crypto.Signer, timeMs uint64, expire uint32) (*cell.Cell, error) {
	pub, err := ed25519Public(signer)
	if err != nil {
		return nil, err
	}
	if uint64(expire) <= timeMs/1000 {
		return nil, fmt.Errorf("building EverWallet transfers: a call made at %d ms that expires at %d s is expired already", timeMs, expire)
	}
	u := cell.BeginCell().StoreBool(true).StoreBytes(pub).StoreUInt(timeMs, 64).StoreUInt(uint64(expire), 32).StoreUInt(everWalletRawID, 32)
	for _, t := range ts {
		m, err := internalTransfer(t)
		if err != nil {
			return nil, fmt.Errorf("building EverWallet transfers: %w", err)
		}
		u.StoreUInt(uint64(t.Flags), 8).StoreRef(m)
	}
	unsigned, err := u.EndCell()
	if err != nil {
		return nil, fmt.Errorf("building EverWallet transfers: %w", err)
	}
	toSign, err := cell.BeginCell().StoreAddress(wallet).StoreSlice(unsigned.BeginParse()).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building EverWallet transfers: %w", err)
	}
	m, err := signedExternal(wallet, signer, toSign, true, unsigned)
	if err != nil {
		return nil, fmt.Errorf("building EverWallet transfers: %w", err)
	}
	return m, nil
}

// internalTransfer is the internal message a wallet hands to SENDRAWMSG
// for t, as Everscale's SDK encodes one (fees, lt and time zero: the
// network fills them in).
func internalTransfer(t Transfer) (*cell.Cell, error) {
	m, err := abi.NewInternalMessage(t.Dest, new(big.Int).SetUint64(t.Value), t.Bounce, nil, t.Payload).Cell()
	if err != nil {
		return nil, fmt.Errorf("building the message to %s: %w", t.Dest, err)
	}
	return m, nil
}
