package nekotonexec

import (
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/everos/everostest"
)

// buildAccount serializes an account that carries no BOC of its own, as the
// executor reads accounts (TL-B Account):
//
//	account$1 addr:MsgAddressInt storage_stat:StorageInfo storage:AccountStorage
//	storage_used$_ cells:(VarUInteger 7) bits:(VarUInteger 7) public_cells:(VarUInteger 7)
//	storage_info$_ used:StorageUsed last_paid:uint32 due_payment:(Maybe Grams)
//	account_storage$_ last_trans_lt:uint64 balance:CurrencyCollection state:AccountState
//
// The storage statistics count the state's distinct cells and bits; the
// executor recomputes them after every transaction anyway.
func buildAccount(a everostest.Account) ([]byte, error) {
	addr, err := cell.ParseAddress(a.Address)
	if err != nil {
		return nil, fmt.Errorf("account address: %w", err)
	}
	var code, data *cell.Cell
	if a.Type == everos.Active {
		if len(a.Code) > 0 {
			if code, err = cell.FromBOC(a.Code); err != nil {
				return nil, fmt.Errorf("account code: %w", err)
			}
		}
		if len(a.Data) > 0 {
			if data, err = cell.FromBOC(a.Data); err != nil {
				return nil, fmt.Errorf("account data: %w", err)
			}
		}
	}
	balance := a.Balance
	if balance == nil {
		balance = new(big.Int)
	}
	cells, bits := used(code, data)
	b := cell.BeginCell().StoreBool(true).StoreAddress(addr).
		StoreVarUInt(big.NewInt(cells), 3).StoreVarUInt(big.NewInt(bits), 3).StoreVarUInt(new(big.Int), 3).
		StoreUInt(uint64(a.LastPaid), 32).StoreBool(false).
		StoreUInt(a.LastTransLt, 64).StoreCoins(balance).StoreBool(false)
	switch a.Type {
	case everos.Uninit:
		b.StoreUInt(0b00, 2) // account_uninit$00
	case everos.Active:
		// account_active$1 StateInit: no split_depth, no special, code,
		// data, no library.
		b.StoreBool(true).StoreBool(false).StoreBool(false).StoreMaybeRef(code).StoreMaybeRef(data).StoreBool(false)
	default:
		return nil, fmt.Errorf("account %s is %v: no state to run", a.Address, a.Type)
	}
	root, err := b.EndCell()
	if err != nil {
		return nil, fmt.Errorf("building account %s: %w", a.Address, err)
	}
	return root.ToBOC(), nil
}

// used counts the distinct cells and bits of the state, and the account
// cell itself.
func used(roots ...*cell.Cell) (cells, bits int64) {
	seen := map[[32]byte]bool{}
	var walk func(c *cell.Cell)
	walk = func(c *cell.Cell) {
		if c == nil || seen[c.Hash()] {
			return
		}
		seen[c.Hash()] = true
		cells++
		bits += int64(c.BitsSize())
		for _, r := range c.Refs() {
			walk(r)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return cells + 1, bits
}
