package contracts

import (
	"bytes"
	"math/big"
	"slices"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// walletData is the local giver's persistent data, which the wallet
// stand-ins share: the owner's key and, for every accepted call until it
// expires, the hash that was signed and its expiry.
//
//	_pubkey uint256 | _messages map(uint256, uint32)
type walletData struct {
	owner    []byte
	messages []cell.DictItem // in key order
}

// seen reports whether hash is among the recent calls.
func (w *walletData) seen(hash [32]byte) bool {
	for _, it := range w.messages {
		if bytes.Equal(it.Key, hash[:]) {
			return true
		}
	}
	return false
}

// accept forgets the calls that expired by now and records hash, as
// giver.fc does after ACCEPT, and returns the new data cell. A recorded
// entry shorter than 32 bits is a cell underflow, as in the contract.
func (w *walletData) accept(hash [32]byte, expire, now uint32) (*cell.Cell, *ExitError) {
	var entries []cell.DictEntry
	for _, it := range w.messages {
		v := it.Value.Copy()
		if v.BitsLeft() < 32 {
			return nil, exitf(exitCellUnderflow, "a recorded call holds %d bits, not an expiry", v.BitsLeft())
		}
		exp, _ := v.LoadUInt(32)
		if exp <= uint64(now) {
			continue
		}
		entries = append(entries, cell.DictEntry{Key: it.Key, Value: it.Value.Copy().ToBuilder()})
	}
	entries = append(entries, cell.DictEntry{Key: hash[:], Value: cell.BeginCell().StoreUInt(uint64(expire), 32)})
	sortEntries(entries)
	dict, err := cell.BuildDict(256, entries)
	if err != nil {
		return nil, exitf(exitDict, "writing the recent calls: %v", err)
	}
	c, err := cell.BeginCell().StoreBytes(w.owner).StoreMaybeRef(dict).EndCell()
	if err != nil {
		return nil, exitf(exitDict, "writing the data: %v", err)
	}
	return c, nil
}

func sortEntries(e []cell.DictEntry) {
	slices.SortFunc(e, func(a, b cell.DictEntry) int { return bytes.Compare(a.Key, b.Key) })
}

// newWalletData is the data of a wallet owned by owner with no recent
// calls.
func newWalletData(owner []byte) (*cell.Cell, error) {
	return cell.BeginCell().StoreBigUInt(new(big.Int).SetBytes(owner), 256).StoreBool(false).EndCell()
}
