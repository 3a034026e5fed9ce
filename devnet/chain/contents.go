package chain

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Tx is a transaction of workchain 0 that goes into a shard block.
type Tx struct {
	// Account is the account's address in workchain 0.
	Account [32]byte
	Lt      uint64
	// Cell is the transaction's root cell, the Transaction the block holds.
	Cell *cell.Cell
	Fees *big.Int
	// OldHash and NewHash are the hashes of the account's state before
	// and after, for the account block's state update.
	OldHash, NewHash [32]byte
	// In is the message the transaction took; nil for none.
	In *InMsg
}

// InMsg is how a transaction's inbound message entered the block.
type InMsg struct {
	Msg *cell.Cell
	// External is set for an inbound external message.
	External bool
	// Immediate is set for an internal message sent by a transaction of
	// the same block (msg_import_imm); others were sent before
	// (msg_import_fin).
	Immediate bool
}

// accountBlocks builds ShardAccountBlocks, `HashmapAugE 256 AccountBlock
// CurrencyCollection`: per account, `acc_trans#5 account_addr:bits256
// transactions:(HashmapAug 64 ^Transaction CurrencyCollection)
// state_update:^(HASH_UPDATE Account)`, the fees added up.
func accountBlocks(txs []Tx) (*cell.Cell, error) {
	byAccount := map[[32]byte][]Tx{}
	var order [][32]byte
	for _, t := range txs {
		if _, ok := byAccount[t.Account]; !ok {
			order = append(order, t.Account)
		}
		byAccount[t.Account] = append(byAccount[t.Account], t)
	}
	var entries []cell.AugEntry[*big.Int]
	for _, acc := range order {
		list := byAccount[acc]
		slices.SortFunc(list, func(a, b Tx) int { return cmp.Compare(a.Lt, b.Lt) })
		var txEntries []cell.AugEntry[*big.Int]
		for _, t := range list {
			fees := t.Fees
			if fees == nil {
				fees = new(big.Int)
			}
			txEntries = append(txEntries, cell.AugEntry[*big.Int]{
				Key: binary.BigEndian.AppendUint64(nil, t.Lt), Extra: fees, Value: cell.BeginCell().StoreRef(t.Cell)})
		}
		dict, fees, err := cell.BuildAugDictInline(64, txEntries, feesAug)
		if err != nil {
			return nil, fmt.Errorf("transactions of account %x: %w", acc, err)
		}
		upd, err := hashUpdate(list[0].OldHash, list[len(list)-1].NewHash)
		if err != nil {
			return nil, fmt.Errorf("state update of account %x: %w", acc, err)
		}
		v := cell.BeginCell().StoreUInt(tagAccTrans, 4).StoreBytes(acc[:]).StoreBuilder(dict).StoreRef(upd)
		entries = append(entries, cell.AugEntry[*big.Int]{Key: acc[:], Extra: fees, Value: v})
	}
	root, total, err := cell.BuildAugDict(256, entries, feesAug)
	if err != nil {
		return nil, fmt.Errorf("account blocks: %w", err)
	}
	if total == nil {
		total = new(big.Int)
	}
	return end("account blocks", storeCurrencies(cell.BeginCell().StoreMaybeRef(root), total))
}

// inMsgDescr builds InMsgDescr, `HashmapAugE 256 InMsg ImportFees`, keyed
// by message hash: each message a transaction of the block took, with
// that transaction.
func inMsgDescr(txs []Tx) (*cell.Cell, error) {
	var entries []cell.AugEntry[struct{}]
	seen := map[[32]byte]bool{}
	for _, t := range txs {
		if t.In == nil {
			continue
		}
		h := t.In.Msg.Hash()
		if seen[h] {
			continue
		}
		seen[h] = true
		v := cell.BeginCell()
		if t.In.External {
			v.StoreUInt(inMsgExternal, 3).StoreRef(t.In.Msg).StoreRef(t.Cell)
		} else {
			kind := uint64(inMsgFinal)
			if t.In.Immediate {
				kind = inMsgImmediate
			}
			env, err := cell.BeginCell().StoreUInt(tagMsgEnvelope, 4).
				StoreUInt(0, 1).StoreUInt(96, 7).StoreUInt(0, 1).StoreUInt(96, 7). // cur_addr, next_addr: at the destination
				StoreCoinsUint64(0).StoreRef(t.In.Msg).EndCell()
			if err != nil {
				return nil, fmt.Errorf("envelope of message %x: %w", h, err)
			}
			v.StoreUInt(kind, 3).StoreRef(env).StoreRef(t.Cell).StoreCoinsUint64(0)
		}
		entries = append(entries, cell.AugEntry[struct{}]{Key: h[:], Value: v})
	}
	root, _, err := cell.BuildAugDict(256, entries, importFeesAug)
	if err != nil {
		return nil, fmt.Errorf("in_msg_descr: %w", err)
	}
	return end("in_msg_descr", importFeesAug.Store(cell.BeginCell().StoreMaybeRef(root), struct{}{}))
}
