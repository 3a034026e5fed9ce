package chainproof

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// AccountStatus is TL-B AccountStatus.
type AccountStatus uint8

// Account statuses, as a transaction records them.
const (
	StatusUninit   AccountStatus = 0b00
	StatusFrozen   AccountStatus = 0b01
	StatusActive   AccountStatus = 0b10
	StatusNonExist AccountStatus = 0b11
)

func (s AccountStatus) String() string {
	return [...]string{"uninit", "frozen", "active", "non-existent"}[s&3]
}

// Transaction is what a check of a transaction reads of its cell:
//
//	transaction$0111 account_addr:bits256 lt:uint64
//	  prev_trans_hash:bits256 prev_trans_lt:uint64 now:uint32
//	  outmsg_cnt:uint15 orig_status:AccountStatus end_status:AccountStatus
//	  ^[ in_msg:(Maybe ^(Message Any)) out_msgs:(HashmapE 15 ^(Message Any)) ]
//	  total_fees:CurrencyCollection state_update:^(HASH_UPDATE Account)
//	  description:^TransactionDescr = Transaction;
//
// Reading a transaction says nothing of whether it happened: that is
// Block.CheckTransaction's.
type Transaction struct {
	Account    [32]byte
	LT         uint64
	Now        uint32
	OrigStatus AccountStatus
	EndStatus  AccountStatus
	// InMsg is the inbound message, nil when there is none.
	InMsg *cell.Cell
	// Ordinary is set for an ordinary transaction (trans_ord); the
	// phases below are read only for one.
	Ordinary       bool
	ComputeSkipped bool
	ComputeSuccess bool
	Aborted        bool
}

// ReadTransaction reads a transaction cell and, for an ordinary one, its
// description's compute phase and aborted flag.
func ReadTransaction(root *cell.Cell) (*Transaction, error) {
	s, err := open(root, "transaction")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	if tag := r.uint(4); r.err == nil && tag != 0b0111 {
		return nil, fmt.Errorf("transaction tag %#x: %w", tag, ErrUnknownTag)
	}
	tx := &Transaction{Account: r.hash(), LT: r.uint(64)}
	r.skip(256 + 64) // prev_trans_hash, prev_trans_lt
	tx.Now = r.u32()
	r.skip(15)
	tx.OrigStatus = AccountStatus(r.uint(2))
	tx.EndStatus = AccountStatus(r.uint(2))
	msgs := r.ref()
	r.currencies()
	r.ref() // state_update
	descr := r.ref()
	if r.err != nil {
		return nil, fmt.Errorf("transaction: %w", r.err)
	}
	ms, err := open(msgs, "transaction messages")
	if err != nil {
		return nil, err
	}
	if tx.InMsg, err = ms.LoadMaybeRef(); err != nil {
		return nil, fmt.Errorf("transaction messages: %w", err)
	}
	if err := tx.readDescription(descr); err != nil {
		return nil, fmt.Errorf("transaction description: %w", err)
	}
	return tx, nil
}

// readDescription reads `trans_ord$0000 credit_first:Bool
// storage_ph:(Maybe TrStoragePhase) credit_ph:(Maybe TrCreditPhase)
// compute_ph:TrComputePhase action:(Maybe ^TrActionPhase) aborted:Bool ...`;
// other kinds of transaction are left with Ordinary unset.
func (tx *Transaction) readDescription(c *cell.Cell) error {
	s, err := open(c, "transaction description")
	if err != nil {
		return err
	}
	r := &reader{s: s}
	if kind := r.uint(4); r.err != nil || kind != 0 {
		return r.err
	}
	tx.Ordinary = true
	r.skip(1) // credit_first
	if r.bool() {
		// tr_phase_storage$_ storage_fees_collected:Grams
		// storage_fees_due:(Maybe Grams) status_change:AccStatusChange
		r.grams()
		if r.bool() {
			r.grams()
		}
		if r.bool() { // acst_frozen$10 or acst_deleted$11
			r.skip(1)
		}
	}
	if r.bool() {
		// tr_phase_credit$_ due_fees_collected:(Maybe Grams)
		// credit:CurrencyCollection
		if r.bool() {
			r.grams()
		}
		r.currencies()
	}
	if r.bool() {
		// tr_phase_compute_vm$1 success:Bool msg_state_used:Bool
		// account_activated:Bool gas_fees:Grams ^[...]
		tx.ComputeSuccess = r.bool()
		r.skip(2)
		r.grams()
		r.ref()
	} else {
		tx.ComputeSkipped = true
		r.skip(2) // reason
	}
	r.maybeRef() // action
	tx.Aborted = r.bool()
	return r.err
}

// grams skips a Grams.
func (r *reader) grams() {
	if r.err == nil {
		_, r.err = r.s.LoadCoins()
	}
}
