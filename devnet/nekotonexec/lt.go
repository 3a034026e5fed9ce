package nekotonexec

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Everscale's executor numbers a transaction from the block's logical time,
// which executeLocal takes from the account itself: the transaction's lt
// is one past the account's last_trans_lt (or past its inbound message's
// created_lt). To run at the emulator's lt (devnet.Env.Lt), the executor
// gets the account with last_trans_lt set to the lt before it, and the
// transaction's state update is given back the hash of the account as the
// emulator keeps it, the state the transaction really started from.

// withLastTransLt returns the account BOC with last_trans_lt replaced, and
// false for account_none, which has none.
//
//	account$1 addr:MsgAddressInt storage_stat:StorageInfo storage:AccountStorage
//	storage_info$_ used:StorageUsed last_paid:uint32 due_payment:(Maybe Grams)
//	account_storage$_ last_trans_lt:uint64 balance:CurrencyCollection state:AccountState
func withLastTransLt(boc []byte, lt uint64) ([]byte, bool, error) {
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, false, fmt.Errorf("account BOC: %w", err)
	}
	s := root.BeginParse()
	if ok, err := s.LoadBool(); err != nil || !ok {
		return boc, false, err
	}
	if _, err := s.LoadAddress(); err != nil {
		return nil, false, fmt.Errorf("account address: %w", err)
	}
	for range 3 { // cells, bits, public_cells
		if _, err := s.LoadVarUInt(3); err != nil {
			return nil, false, fmt.Errorf("account storage used: %w", err)
		}
	}
	if _, err := s.LoadUInt(32); err != nil {
		return nil, false, fmt.Errorf("account last_paid: %w", err)
	}
	if due, err := s.LoadBool(); err != nil {
		return nil, false, fmt.Errorf("account due_payment: %w", err)
	} else if due {
		if _, err := s.LoadCoins(); err != nil {
			return nil, false, fmt.Errorf("account due_payment: %w", err)
		}
	}
	head, err := root.BeginParse().LoadSlice(root.BitsSize() - s.BitsLeft())
	if err != nil {
		return nil, false, err
	}
	if err := s.Skip(64); err != nil {
		return nil, false, fmt.Errorf("account last_trans_lt: %w", err)
	}
	c, err := cell.BeginCell().StoreSlice(head).StoreUInt(lt, 64).StoreSlice(s).EndCell()
	if err != nil {
		return nil, false, fmt.Errorf("account with lt %d: %w", lt, err)
	}
	return c.ToBOC(), true, nil
}

// withOldHash returns the transaction BOC with its state update's old
// hash replaced (the transaction's second reference: HASH_UPDATE Account,
// update_hashes#72 old_hash:bits256 new_hash:bits256).
func withOldHash(tx []byte, old [32]byte) ([]byte, error) {
	root, err := cell.FromBOC(tx)
	if err != nil {
		return nil, fmt.Errorf("transaction BOC: %w", err)
	}
	if root.RefsNum() != 3 {
		return nil, fmt.Errorf("transaction cell has %d references, want 3", root.RefsNum())
	}
	us := root.Ref(1).BeginParse()
	if tag, err := us.LoadUInt(8); err != nil || tag != 0x72 {
		return nil, fmt.Errorf("transaction state update is not update_hashes#72")
	}
	if err := us.Skip(256); err != nil {
		return nil, fmt.Errorf("transaction state update: %w", err)
	}
	update, err := cell.BeginCell().StoreUInt(0x72, 8).StoreBytes(old[:]).StoreSlice(us).EndCell()
	if err != nil {
		return nil, fmt.Errorf("transaction state update: %w", err)
	}
	s := root.BeginParse()
	head, err := s.LoadSlice(s.BitsLeft())
	if err != nil {
		return nil, err
	}
	c, err := cell.BeginCell().StoreSlice(head).StoreRef(root.Ref(0)).StoreRef(update).StoreRef(root.Ref(2)).EndCell()
	if err != nil {
		return nil, fmt.Errorf("transaction with its state update: %w", err)
	}
	return c.ToBOC(), nil
}
