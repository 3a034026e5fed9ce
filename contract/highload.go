package contract

import (
	"crypto"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// HighloadMaxTransfers is how many messages one highload wallet v2 call
// carries: a transaction has at most 255 actions, and the wallet is
// documented to send up to 254 messages at once.
const HighloadMaxTransfers = 254

// HighloadWalletID is the subwallet id of the highload wallets the EVER
// Wallet extension deploys; the wallet refuses a call for another one
// (exit code 34).
const HighloadWalletID = 0

// highloadMessage is the highload wallet v2's external message:
// signature(512) wallet_id:uint32 query_id:uint64 messages:(HashmapE 16
// (mode:uint8 ^Message)), signed over everything after the signature. The
// query id is expire<<32 | the low 32 bits of the messages' hash, as the
// EVER Wallet extension builds it: the wallet refuses a query id below
// now<<32 (expired, exit 35) and one it has seen (exit 32), which it
// remembers until 64 s past its expiry; so the same transfers with the same
// expiry are one query, never paid twice.
func highloadMessage(wallet *cell.Address, ts []Transfer, signer crypto.Signer, expire uint32) (*cell.Cell, error) {
	if _, err := ed25519Public(signer); err != nil {
		return nil, err
	}
	if expire == 0 {
		return nil, fmt.Errorf("building HighloadWalletV2 transfers: the call needs its expiry")
	}
	entries := make([]cell.DictEntry, len(ts))
	for i, t := range ts {
		m, err := internalTransfer(t)
		if err != nil {
			return nil, fmt.Errorf("building HighloadWalletV2 transfers: %w", err)
		}
		entries[i] = cell.DictEntry{
			Key:   []byte{byte(i >> 8), byte(i)},
			Value: cell.BeginCell().StoreUInt(uint64(t.Flags), 8).StoreRef(m),
		}
	}
	dict, err := cell.BuildDict(16, entries)
	if err != nil {
		return nil, fmt.Errorf("building HighloadWalletV2 transfers: %w", err)
	}
	msgs, err := cell.BeginCell().StoreMaybeRef(dict).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building HighloadWalletV2 transfers: %w", err)
	}
	mh := msgs.Hash()
	queryID := uint64(expire)<<32 | uint64(mh[28])<<24 | uint64(mh[29])<<16 | uint64(mh[30])<<8 | uint64(mh[31])
	unsigned, err := cell.BeginCell().StoreUInt(HighloadWalletID, 32).StoreUInt(queryID, 64).StoreMaybeRef(dict).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building HighloadWalletV2 transfers: %w", err)
	}
	m, err := signedExternal(wallet, signer, unsigned, false, unsigned)
	if err != nil {
		return nil, fmt.Errorf("building HighloadWalletV2 transfers: %w", err)
	}
	return m, nil
}
