package devnet

import (
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/everos"
)

// Account is the state of one account.
type Account struct {
	Address string         `json:"address"` // "wc:hex", lower case
	Type    account.Status `json:"type"`
	Balance *big.Int       `json:"balance"`
	// Code and Data are bags of cells, nil when absent.
	Code []byte `json:"code,omitempty"`
	Data []byte `json:"data,omitempty"`
	// CodeHash, when set, is the code hash (64 hex digits) the API reports
	// instead of the hash of Code: the account plays a contract whose real
	// code the emulator does not have, and Code is a stand-in that an
	// Executor recognizes. Clients that tell contracts apart by code hash
	// then see the real contract. An account without Code reports no code
	// hash; executors clear CodeHash when they replace the code. The
	// account's BOC holds Code itself.
	CodeHash string `json:"code_hash,omitempty"`
	// BOC is the whole account; the ledger builds it from the other fields
	// when it is nil. An Executor that produces accounts as the blockchain
	// serializes them sets it (with the other fields read from it), and the
	// API then answers with it and the state directory keeps it.
	BOC         []byte `json:"boc,omitempty"`
	LastTransLt uint64 `json:"last_trans_lt"`
	LastPaid    uint32 `json:"last_paid"`
}

func (a Account) clone() Account {
	if a.Balance != nil {
		a.Balance = new(big.Int).Set(a.Balance)
	} else {
		a.Balance = new(big.Int)
	}
	return a
}

// Transaction is the outcome of one inbound message on one account.
type Transaction struct {
	// ID is the transaction's hash (hex). The ledger derives one from the
	// account, lt and inbound message when the executor leaves it empty.
	ID      string `json:"id"`
	Account string `json:"account"`
	InMsg   string `json:"in_msg"` // hex id of the inbound message
	// OrigStatus and EndStatus are the account's status before and after.
	OrigStatus account.Status `json:"orig_status"`
	EndStatus  account.Status `json:"end_status"`
	Aborted    bool           `json:"aborted"`
	// ComputeSkipped is set when no code ran; SkippedReason is then
	// 0 no state, 1 bad state, 2 no gas.
	ComputeSkipped bool `json:"compute_skipped"`
	SkippedReason  int  `json:"skipped_reason"`
	ExitCode       int  `json:"exit_code"`
	// ResultCode is the action phase's result code (0 when it succeeded).
	ResultCode   int      `json:"result_code"`
	TotalFees    *big.Int `json:"total_fees"`
	BalanceDelta *big.Int `json:"balance_delta"`
	// OutMsgs are the hex ids of the messages the transaction sent; the
	// ledger fills them from the executor's result.
	OutMsgs []string `json:"out_msgs,omitempty"`
	// Now (Unix seconds) and Lt are assigned by the ledger.
	Now uint32 `json:"now"`
	Lt  uint64 `json:"lt"`
	// BOC is the serialized transaction: the executor's, or else the
	// ledger's.
	BOC []byte `json:"boc,omitempty"`
	// BlockID is the root hash (hex) of the shard block that holds the
	// transaction, and MasterSeqNo the seq_no of the masterchain block
	// that names that block; the ledger sets them when it makes the block.
	BlockID     string `json:"block_id,omitempty"`
	MasterSeqNo uint32 `json:"master_seq_no,omitempty"`

	// inMessage and outMessages are the messages of InMsg and OutMsgs, as
	// the ledger holds them.
	inMessage   *Message
	outMessages []*Message
	seq         int // the position in the ledger's transactions
}

// ComputeSuccess is the compute phase's verdict: exit code 0 or 1.
func (t *Transaction) ComputeSuccess() bool {
	return !t.ComputeSkipped && (t.ExitCode == 0 || t.ExitCode == 1)
}

// State is a read-only view of the accounts, given to an Executor.
type State interface {
	// Account returns an account's state; false when it does not exist.
	Account(addr string) (Account, bool)
}

// stored is an account with what the API derives from it, and the hash
// of its BOC (what a transaction's state update names).
type stored struct {
	Account
	codeHash, dataHash string
	hash               [32]byte
}

func newStored(a Account) (*stored, error) {
	a = a.clone()
	addr, err := everos.NormalizeAddress(a.Address)
	if err != nil {
		return nil, err
	}
	a.Address = addr
	s := &stored{Account: a}
	var code, data *cell.Cell
	for _, f := range []struct {
		boc  []byte
		c    **cell.Cell
		hash *string
	}{{a.Code, &code, &s.codeHash}, {a.Data, &data, &s.dataHash}} {
		if len(f.boc) == 0 {
			continue
		}
		c, err := cell.FromBOC(f.boc)
		if err != nil {
			return nil, fmt.Errorf("account %s: decoding code or data: %w", addr, err)
		}
		*f.c, *f.hash = c, c.HashHex()
	}
	if a.CodeHash != "" {
		h, err := hex.DecodeString(a.CodeHash)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("account %s: code hash %q is not 64 hex digits", addr, a.CodeHash)
		}
		s.CodeHash = hex.EncodeToString(h)
		if len(a.Code) > 0 {
			s.codeHash = s.CodeHash
		}
	}
	var root *cell.Cell
	switch {
	case s.Type == account.NonExist:
		return s, nil
	case s.BOC == nil:
		if root, err = s.Account.cell(code, data); err != nil {
			return nil, fmt.Errorf("account %s: %w", addr, err)
		}
		s.BOC = root.ToBOC()
	default:
		if root, err = cell.FromBOC(s.BOC); err != nil {
			return nil, fmt.Errorf("account %s: BOC: %w", addr, err)
		}
	}
	s.hash = root.Hash()
	return s, nil
}

// MarshalBOC serializes the account (its BOC field aside) as the TL-B
// Account of the blockchain, the form the API returns in boc and
// Everscale's executor takes:
//
//	account$1 addr:MsgAddressInt storage_stat:StorageInfo storage:AccountStorage
//
// The storage statistics count the distinct cells and bits of the code and
// data. A NonExist account has no such form.
func (a Account) MarshalBOC() ([]byte, error) {
	si := &abi.StateInit{}
	var err error
	if len(a.Code) > 0 {
		if si.Code, err = cell.FromBOC(a.Code); err != nil {
			return nil, fmt.Errorf("account code: %w", err)
		}
	}
	if len(a.Data) > 0 {
		if si.Data, err = cell.FromBOC(a.Data); err != nil {
			return nil, fmt.Errorf("account data: %w", err)
		}
	}
	root, err := a.cell(si.Code, si.Data)
	if err != nil {
		return nil, err
	}
	return root.ToBOC(), nil
}

// cell is the account's root cell, with its code and data decoded.
func (a Account) cell(code, data *cell.Cell) (*cell.Cell, error) {
	addr, err := cell.ParseAddress(a.Address)
	if err != nil {
		return nil, fmt.Errorf("account address: %w", err)
	}
	balance := a.Balance
	if balance == nil {
		balance = new(big.Int)
	}
	si := &abi.StateInit{Code: code, Data: data}
	state, err := si.Cell()
	if err != nil {
		return nil, fmt.Errorf("account state: %w", err)
	}
	cells, bits := storageUsed(si.Code, si.Data)
	b := cell.BeginCell().StoreBool(true).StoreAddress(addr).
		StoreVarUInt(big.NewInt(cells), 3).StoreVarUInt(big.NewInt(bits), 3).StoreVarUInt(new(big.Int), 3).
		StoreUInt(uint64(a.LastPaid), 32).StoreBool(false).
		StoreUInt(a.LastTransLt, 64).StoreCoins(balance).StoreBool(false)
	switch a.Type {
	case account.Uninit:
		b.StoreUInt(0, 2) // account_uninit$00
	case account.Active:
		b.StoreBool(true).StoreSlice(state.BeginParse()) // account_active$1 StateInit
	case account.Frozen:
		h := state.Hash()
		b.StoreUInt(1, 2).StoreBytes(h[:]) // account_frozen$01 state_hash
	default:
		return nil, fmt.Errorf("no account BOC for status %v", a.Type)
	}
	root, err := b.EndCell()
	if err != nil {
		return nil, fmt.Errorf("building account cell: %w", err)
	}
	return root, nil
}

// storageUsed counts the distinct cells and their bits under the roots.
func storageUsed(roots ...*cell.Cell) (cells, bits int64) {
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
