package devnet

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// Executor decides what an inbound message does. The Ledger calls it for
// every external message it accepts and for every internal message that an
// earlier execution sent, one at a time, in order.
//
// It returns the new states of the accounts it changed, the transactions
// it made, and the messages they sent, serialized; the ledger delivers the
// internal ones to their destinations. A transaction without a BOC is
// numbered by the ledger (Env.Lt), its out messages stamped with their
// creation lt and time, its account's LastTransLt set to the lt after
// them, and it is serialized with its ID the hash of the BOC. A
// transaction with a BOC (an executor that serializes the blockchain's
// forms) keeps the lt the BOC gives, which should be Env.Lt, and its
// account the LastTransLt its own BOC gives; the ledger only links it to
// the account's previous transaction, which changes its hash and so its
// ID. An error
// means the message is rejected without a transaction, as the network does
// with an external message that no contract accepts; wrap ErrRejected for
// that, anything else is logged as a failure of the executor.
//
// Execute runs under the Ledger's lock: it must not call the Ledger's (or
// the Server's) methods, and st is valid only during the call.
type Executor interface {
	Execute(env Env, in Inbound, st State) (*Result, error)
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(env Env, in Inbound, st State) (*Result, error)

// Execute calls f.
func (f ExecutorFunc) Execute(env Env, in Inbound, st State) (*Result, error) { return f(env, in, st) }

// Env is the block context of an execution.
type Env struct {
	Now time.Time // the ledger's clock
	Lt  uint64    // logical time of the transaction this execution makes
}

// Inbound is a message to execute.
type Inbound struct {
	*Message
	// ExpireAt is the expiry the sender gave with postRequests (zero when
	// none, and for internal messages). The ledger drops expired messages
	// before calling the executor.
	ExpireAt time.Time
}

// Result is what an execution changed.
type Result struct {
	Accounts     []Account
	Transactions []Transaction
	OutMessages  [][]byte
}

// ErrRejected is returned by an Executor that refuses a message.
var ErrRejected = errors.New("message rejected")

// DefaultExecutor knows no contract. It applies only what the blockchain
// does before any code runs:
//
//   - an external message to an active account makes a successful
//     transaction that changes nothing; to any other account it is rejected,
//     unless it carries a StateInit for an uninitialized account that has a
//     balance, which then becomes active with that code and data;
//   - an internal message credits its value to the destination, creating
//     it (uninitialized) if needed, and deploys the StateInit it carries;
//   - on an account that then has no code (it does not exist, is
//     uninitialized or frozen) no code runs: the compute phase is skipped
//     for want of a state, which makes the transaction aborted, and a
//     bounceable message that carries value and has a sender bounces it
//     back, leaving the account as it was.
//
// It charges no fees.
type DefaultExecutor struct{}

// Execute implements Executor.
func (DefaultExecutor) Execute(env Env, in Inbound, st State) (*Result, error) {
	dst := in.Dst
	acc, exists := st.Account(dst)
	if !exists {
		acc = Account{Address: dst, Type: account.NonExist, Balance: new(big.Int)}
	}
	acc = acc.clone()
	tx := Transaction{Account: dst, InMsg: hexID(in.Hash), OrigStatus: acc.Type,
		TotalFees: new(big.Int), BalanceDelta: new(big.Int)}
	deploy := func() bool {
		if in.Init == nil || acc.Type == account.Active || acc.Type == account.Frozen {
			return false
		}
		acc.Type = account.Active
		acc.Code, acc.Data = bocOf(in.Init.Code), bocOf(in.Init.Data)
		acc.CodeHash, acc.BOC = "", nil
		return true
	}
	switch in.Kind {
	case ExternalIn:
		if acc.Type != account.Active && !(acc.Type == account.Uninit && acc.Balance.Sign() > 0 && deploy()) {
			return nil, fmt.Errorf("%w: account %s is %v and has no code to accept it", ErrRejected, dst, acc.Type)
		}
	case Internal:
		if deployed := deploy(); !deployed && acc.Type != account.Active {
			// No code runs: the compute phase is skipped for want of a
			// state, which makes the transaction aborted.
			tx.Aborted, tx.ComputeSkipped = true, true
			if in.Init != nil {
				tx.SkippedReason = 1 // bad state
			}
			if in.Bounce && !in.Bounced && in.Value.Sign() > 0 && in.Src != "" {
				// The value goes back; the account stays as it was.
				back, err := BuildInternalMessage(dst, in.Src, in.Value, false, true, nil)
				if err != nil {
					return nil, fmt.Errorf("bouncing %x: %w", in.Hash, err)
				}
				tx.EndStatus = acc.Type
				return &Result{Transactions: []Transaction{tx}, OutMessages: [][]byte{back}}, nil
			}
		}
		if acc.Type == account.NonExist {
			acc.Type = account.Uninit
		}
		acc.Balance.Add(acc.Balance, in.Value)
		tx.BalanceDelta.Set(in.Value)
		acc.BOC = nil
	default:
		return nil, fmt.Errorf("%w: a %v message cannot be executed", ErrRejected, in.Kind)
	}
	tx.EndStatus = acc.Type
	acc.LastPaid = uint32(env.Now.Unix())
	return &Result{Accounts: []Account{acc}, Transactions: []Transaction{tx}}, nil
}

func bocOf(c *cell.Cell) []byte {
	if c == nil {
		return nil
	}
	return c.ToBOC()
}
