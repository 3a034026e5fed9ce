package devnet

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// The transaction cell (TL-B, block.tlb):
//
//	transaction$0111 account_addr:bits256 lt:uint64
//	  prev_trans_hash:bits256 prev_trans_lt:uint64 now:uint32
//	  outmsg_cnt:uint15 orig_status:AccountStatus end_status:AccountStatus
//	  ^[ in_msg:(Maybe ^(Message Any)) out_msgs:(HashmapE 15 ^(Message Any)) ]
//	  total_fees:CurrencyCollection state_update:^(HASH_UPDATE Account)
//	  description:^TransactionDescr = Transaction;
//
// The fixed part up to now is what the ledger reads and rewrites: the
// collator, not the executor, links a transaction to the account's
// previous one.
const (
	txTag      = 0b0111
	txPrevHash = 4 + 256 + 64 // bit offset of prev_trans_hash
	txNow      = txPrevHash + 256 + 64
)

// ErrBadTransaction wraps every reason a transaction BOC cannot be read.
var ErrBadTransaction = errors.New("bad transaction")

// accountStatusBits is the TL-B AccountStatus of a status.
var accountStatusBits = map[account.Status]uint64{
	account.Uninit: 0b00, account.Frozen: 0b01, account.Active: 0b10, account.NonExist: 0b11,
}

// txHeader is the fixed part of a transaction cell.
type txHeader struct {
	lt       uint64
	prevHash [32]byte
	prevLt   uint64
}

// readTxHeader reads the fixed part of a transaction's root cell.
func readTxHeader(root *cell.Cell) (txHeader, error) {
	s := root.BeginParse()
	tag, err := s.LoadUInt(4)
	if err != nil || tag != txTag {
		return txHeader{}, fmt.Errorf("%w: the root is not a transaction$0111", ErrBadTransaction)
	}
	var h txHeader
	if err := s.Skip(256); err != nil {
		return h, fmt.Errorf("%w: %w", ErrBadTransaction, err)
	}
	if h.lt, err = s.LoadUInt(64); err != nil {
		return h, fmt.Errorf("%w: lt: %w", ErrBadTransaction, err)
	}
	prev, err := s.LoadBytes(32)
	if err != nil {
		return h, fmt.Errorf("%w: prev_trans_hash: %w", ErrBadTransaction, err)
	}
	copy(h.prevHash[:], prev)
	if h.prevLt, err = s.LoadUInt(64); err != nil {
		return h, fmt.Errorf("%w: prev_trans_lt: %w", ErrBadTransaction, err)
	}
	return h, nil
}

// linkTransaction returns the transaction cell root with prev_trans_hash
// and prev_trans_lt replaced, everything else as it was.
func linkTransaction(root *cell.Cell, prevHash [32]byte, prevLt uint64) (*cell.Cell, error) {
	s := root.BeginParse()
	head, err := s.LoadSlice(txPrevHash)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTransaction, err)
	}
	if err := s.Skip(256 + 64); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTransaction, err)
	}
	c, err := cell.BeginCell().StoreSlice(head).StoreBytes(prevHash[:]).StoreUInt(prevLt, 64).StoreSlice(s).EndCell()
	if err != nil {
		return nil, fmt.Errorf("linking transaction: %w", err)
	}
	return c, nil
}

// txCell is what the ledger knows of a transaction an executor did not
// serialize itself.
type txCell struct {
	tx               *Transaction
	in               *cell.Cell
	outs             []*cell.Cell
	credit           *big.Int // the inbound value credited; nil for external messages
	bounce           bool     // a bounceable internal message (credit comes after compute)
	oldHash, newHash [32]byte
	prevHash         [32]byte
	prevLt           uint64
}

// buildTransaction serializes a transaction as the blockchain does
// (transaction$0111 with an ordinary description, trans_ord$0000). The Go
// executors report fees as one total, so the phases carry it where it is
// spent: the bounce phase's message fee for a bounce, else the compute
// phase's gas fees; storage fees are zero.
func buildTransaction(t txCell) (*cell.Cell, error) {
	tx := t.tx
	addr, err := cell.ParseAddress(tx.Account)
	if err != nil {
		return nil, fmt.Errorf("transaction account: %w", err)
	}
	id, _ := addr.Account()
	var entries []cell.DictEntry
	for i, m := range t.outs {
		entries = append(entries, cell.DictEntry{
			Key: []byte{byte(i >> 7), byte(i << 1)}, Value: cell.BeginCell().StoreRef(m)})
	}
	outs, err := cell.BuildDict(15, entries)
	if err != nil {
		return nil, fmt.Errorf("transaction out messages: %w", err)
	}
	msgs, err := cell.BeginCell().StoreMaybeRef(t.in).StoreMaybeRef(outs).EndCell()
	if err != nil {
		return nil, fmt.Errorf("transaction messages: %w", err)
	}
	update, err := cell.BeginCell().StoreUInt(0x72, 8).StoreBytes(t.oldHash[:]).StoreBytes(t.newHash[:]).EndCell()
	if err != nil {
		return nil, fmt.Errorf("transaction state update: %w", err)
	}
	descr, err := ordinaryDescription(t)
	if err != nil {
		return nil, err
	}
	root, err := cell.BeginCell().StoreUInt(txTag, 4).StoreBytes(id[:]).StoreUInt(tx.Lt, 64).
		StoreBytes(t.prevHash[:]).StoreUInt(t.prevLt, 64).StoreUInt(uint64(tx.Now), 32).
		StoreUInt(uint64(len(t.outs)), 15).
		StoreUInt(accountStatusBits[tx.OrigStatus], 2).StoreUInt(accountStatusBits[tx.EndStatus], 2).
		StoreRef(msgs).StoreCoins(fees(tx)).StoreBool(false).
		StoreRef(update).StoreRef(descr).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building transaction cell: %w", err)
	}
	return root, nil
}

func fees(tx *Transaction) *big.Int {
	if tx.TotalFees == nil {
		return new(big.Int)
	}
	return tx.TotalFees
}

// ordinaryDescription is trans_ord$0000 credit_first storage_ph credit_ph
// compute_ph action aborted bounce destroyed.
func ordinaryDescription(t txCell) (*cell.Cell, error) {
	tx := t.tx
	zero := new(big.Int)
	// credit_first: an internal message that cannot bounce is credited
	// before the storage phase; an external one carries no credit.
	b := cell.BeginCell().StoreUInt(0, 4).StoreBool(t.credit != nil && !t.bounce)
	// Storage phase: nothing collected, nothing due, status unchanged.
	b.StoreBool(true).StoreCoins(zero).StoreBool(false).StoreBool(false)
	if t.credit != nil {
		// Credit phase: no due fees collected, the value credited.
		b.StoreBool(true).StoreBool(false).StoreCoins(t.credit).StoreBool(false)
	} else {
		b.StoreBool(false)
	}
	bounced := tx.ComputeSkipped && len(t.outs) > 0
	gas := fees(tx)
	if bounced {
		gas = zero
	}
	if tx.ComputeSkipped {
		b.StoreBool(false).StoreUInt(uint64(tx.SkippedReason), 2)
	} else {
		vm, err := cell.BeginCell().StoreVarUInt(zero, 3).StoreVarUInt(zero, 3).StoreBool(false).
			StoreInt(0, 8).StoreInt(int64(tx.ExitCode), 32).StoreBool(false).StoreUInt(0, 32).
			StoreBytes(make([]byte, 32)).StoreBytes(make([]byte, 32)).EndCell()
		if err != nil {
			return nil, fmt.Errorf("transaction compute phase: %w", err)
		}
		activated := tx.OrigStatus != account.Active && tx.EndStatus == account.Active
		b.StoreBool(true).StoreBool(tx.ComputeSuccess()).StoreBool(activated).StoreBool(activated).
			StoreCoins(gas).StoreRef(vm)
	}
	if tx.ComputeSuccess() {
		ac, err := actionPhase(tx, len(t.outs))
		if err != nil {
			return nil, err
		}
		b.StoreMaybeRef(ac)
	} else {
		b.StoreBool(false)
	}
	b.StoreBool(tx.Aborted)
	if bounced {
		// tr_phase_bounce_ok$1 msg_size:StorageUsedShort msg_fees fwd_fees:
		// the fee is collected here (msg_fees, part of total_fees), none
		// is left for forwarding.
		b.StoreBool(true).StoreBool(true).StoreVarUInt(zero, 3).StoreVarUInt(zero, 3).
			StoreCoins(fees(tx)).StoreCoins(zero)
	} else {
		b.StoreBool(false)
	}
	d, err := b.StoreBool(false).EndCell()
	if err != nil {
		return nil, fmt.Errorf("transaction description: %w", err)
	}
	return d, nil
}

// actionPhase is trans_action$_ for a phase that sent n messages.
func actionPhase(tx *Transaction, n int) (*cell.Cell, error) {
	zero := new(big.Int)
	c, err := cell.BeginCell().StoreBool(tx.ResultCode == 0).StoreBool(true).StoreBool(false).
		StoreBool(false).StoreBool(false).StoreBool(false).
		StoreInt(int64(tx.ResultCode), 32).StoreBool(false).
		StoreUInt(uint64(n), 16).StoreUInt(0, 16).StoreUInt(0, 16).StoreUInt(uint64(n), 16).
		StoreBytes(make([]byte, 32)).StoreVarUInt(zero, 3).StoreVarUInt(zero, 3).EndCell()
	if err != nil {
		return nil, fmt.Errorf("transaction action phase: %w", err)
	}
	return c, nil
}

// noneHash is the hash of account_none$0, the account that does not
// exist, as HASH_UPDATE Account names it.
var noneHash = func() [32]byte {
	c, err := cell.BeginCell().StoreBool(false).EndCell()
	if err != nil {
		panic(fmt.Sprintf("devnet: account_none: %v", err))
	}
	return c.Hash()
}()

// txHash is the hash a transaction's ID holds.
func txHash(id string) [32]byte {
	var h [32]byte
	if b, err := hex.DecodeString(id); err == nil && len(b) == 32 {
		copy(h[:], b)
	}
	return h
}
