// Package nekotonexec is a devnet.Executor that runs every transaction
// with Everscale's own executor: nekoton-wasm's executeLocal under Node.js
// (through internal/nekoton), with Everscale's main network config and
// signature checks on, on the accounts' real BOCs. The proof contract and the
// local giver run their real compiled code; the internal messages a
// transaction sends are the executor's own, which the emulator delivers in
// turn (a giver's transfer to a proof address, a bounce).
//
// What the emulator then answers (balances, code, data, code hashes, the
// transactions with their fees, exit codes and result codes) is what the
// executor produced. An external message that the executor refuses without
// a transaction (a contract that throws before ACCEPT, an account that
// cannot pay for the import) is an error wrapping devnet.ErrRejected: a
// *contracts.ExitError with the exit code when the contract refused it, as
// the Go executor of package contracts reports it.
//
// The accounts the executor produces are the blockchain's account BOCs,
// which the emulator keeps (devnet.Account.BOC) and answers with; the
// fields it reports (status, balance, code, data, last paid) are read from
// them. Accounts that the executor did not produce (set with
// Server.SetAccount or WithAccounts) run from the BOC the emulator builds of
// their fields. Transactions run at the emulator's logical time (see
// lt.go), and the emulator links each to the account's previous one, as a
// collator does.
//
// Only real code runs here: the proof contract, the local giver, EverWallet
// and the highload wallet (contracts.RealWalletAccount, whose code is read at
// run time), and any other compiled contract an account holds. The wallet stand-ins of package
// contracts (multisigs, GiverV2 and GiverV3) are marker cells, not programs,
// so a devnet or test that pays with them needs package contracts' executor.
//
// One transaction costs a round trip to the Node.js process and a few
// milliseconds of executor time (see BenchmarkExecute).
package nekotonexec

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

// Executor runs messages with Everscale's executor. It is safe for
// concurrent use, though the emulator calls it one message at a time.
type Executor struct {
	b     *nekoton.Bridge
	owned bool // Close ends b

	mu    sync.Mutex
	empty string // base64 BOC of an account that does not exist
}

var _ devnet.Executor = (*Executor)(nil)

// New returns an executor that runs on b. Closing the executor leaves b
// running.
func New(b *nekoton.Bridge) *Executor {
	return &Executor{b: b}
}

// Open starts a bridge process of the executor's own (nekoton.Open with
// opts); Close ends it. Without node or nekoton-wasm the error wraps
// nekoton.ErrUnavailable.
func Open(opts nekoton.Options) (*Executor, error) {
	b, err := nekoton.Open(opts)
	if err != nil {
		return nil, err
	}
	e := New(b)
	e.owned = true
	return e, nil
}

// Close ends the bridge process when Open started it.
func (e *Executor) Close() error {
	if e.owned {
		return e.b.Close()
	}
	return nil
}

// Execute implements devnet.Executor.
func (e *Executor) Execute(env devnet.Env, in devnet.Inbound, st devnet.State) (*devnet.Result, error) {
	msg, _, err := abi.ParseMessageBOC(in.BOC)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", devnet.ErrBadMessage, err)
	}
	if msg.Kind != abi.InternalMessage && msg.Kind != abi.ExternalInMessage {
		return nil, fmt.Errorf("%w: a %v message cannot be executed", devnet.ErrRejected, msg.Kind)
	}
	if msg.Dst == nil || msg.Dst.Type != cell.AddrStd {
		return nil, fmt.Errorf("%w: the destination is not a standard internal address", devnet.ErrRejected)
	}
	addr, err := everos.NormalizeAddress(msg.Dst.String())
	if err != nil {
		return nil, fmt.Errorf("%w: destination %s: %v", devnet.ErrBadMessage, msg.Dst, err)
	}
	before, ok := st.Account(addr)
	accBOC, kept, err := e.accountBOC(before, ok, env.Lt-1)
	if err != nil {
		return nil, err
	}
	utime := env.Now.Unix()
	if utime < 0 || utime > 0xffffffff {
		return nil, fmt.Errorf("executing %x: chain time %s is not a uint32 of seconds", in.Hash, env.Now)
	}
	out, err := e.b.ExecuteDecoded(accBOC, base64.StdEncoding.EncodeToString(in.BOC), uint32(utime))
	if err != nil {
		var ce *nekoton.CallError
		if errors.As(err, &ce) {
			// The executor refused the message before any transaction:
			// the node's checks of an inbound message (an account that
			// cannot pay for importing it, a StateInit that does not fit).
			return nil, fmt.Errorf("%w: %s", devnet.ErrRejected, ce.Message)
		}
		return nil, fmt.Errorf("executing %x on %s: %w", in.Hash, addr, err)
	}
	if out.Rejected {
		return nil, &contracts.ExitError{Code: out.ExitCode, Reason: "refused by the contract before ACCEPT (Everscale's executor)"}
	}
	after, err := accountOf(addr, out.Account)
	if err != nil {
		return nil, fmt.Errorf("executing %x on %s: the executor's account: %w", in.Hash, addr, err)
	}
	tx, err := transactionOf(addr, in, out, before.Balance, after.Balance)
	if err != nil {
		return nil, fmt.Errorf("executing %x on %s: %w", in.Hash, addr, err)
	}
	if kept != nil {
		old, err := cell.FromBOC(kept)
		if err != nil {
			return nil, fmt.Errorf("executing %x on %s: %w", in.Hash, addr, err)
		}
		if tx.BOC, err = withOldHash(tx.BOC, old.Hash()); err != nil {
			return nil, fmt.Errorf("executing %x on %s: %w", in.Hash, addr, err)
		}
	}
	res := &devnet.Result{Accounts: []devnet.Account{after}, Transactions: []devnet.Transaction{tx}}
	for i, m := range out.Transaction.OutMessages {
		b, err := base64.StdEncoding.DecodeString(m.BOC)
		if err != nil {
			return nil, fmt.Errorf("executing %x on %s: out message %d: %w", in.Hash, addr, i, err)
		}
		res.OutMessages = append(res.OutMessages, b)
	}
	return res, nil
}

// accountBOC is the BOC to run a message on: the one the emulator keeps
// (the executor's own, when it produced the account), else one built from
// the account's fields, with last_trans_lt set to lt (see lt.go). kept is
// the BOC as the emulator keeps it when the executor is given another,
// nil when not.
func (e *Executor) accountBOC(acc devnet.Account, exists bool, lt uint64) (run string, kept []byte, err error) {
	if !exists || acc.Type == account.NonExist {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.empty == "" {
			if err := e.b.CallInto(&e.empty, "makeFullAccountBoc", nil); err != nil {
				return "", nil, fmt.Errorf("building an empty account: %w", err)
			}
		}
		return e.empty, nil, nil
	}
	boc := acc.BOC
	if len(boc) == 0 {
		if boc, err = acc.MarshalBOC(); err != nil {
			return "", nil, fmt.Errorf("account %s: %w", acc.Address, err)
		}
	}
	patched, ok, err := withLastTransLt(boc, lt)
	if err != nil {
		return "", nil, fmt.Errorf("account %s: %w", acc.Address, err)
	}
	if ok {
		kept = boc
	}
	return base64.StdEncoding.EncodeToString(patched), kept, nil
}

// accountOf reads the executor's account BOC into the emulator's account.
func accountOf(addr, boc string) (devnet.Account, error) {
	raw, err := base64.StdEncoding.DecodeString(boc)
	if err != nil {
		return devnet.Account{}, err
	}
	a, err := contract.DecodeAccount(raw)
	if err != nil {
		return devnet.Account{}, err
	}
	acc := devnet.Account{Address: addr, Balance: new(big.Int), LastPaid: a.LastPaid, LastTransLt: a.LastTransLT}
	if a.Balance != nil {
		acc.Balance.Set(a.Balance)
	}
	switch a.Status {
	case account.NonExist:
		return devnet.Account{Address: addr, Type: account.NonExist, Balance: new(big.Int)}, nil
	case account.Uninit, account.Frozen:
	case account.Active:
		acc.Code, acc.Data = bocOf(a.Code), bocOf(a.Data)
	default:
		return devnet.Account{}, fmt.Errorf("account status %v", a.Status)
	}
	acc.Type, acc.BOC = a.Status, raw
	return acc, nil
}

func bocOf(c *cell.Cell) []byte {
	if c == nil {
		return nil
	}
	return c.ToBOC()
}

var statusByName = map[string]account.Status{
	"uninit": account.Uninit, "active": account.Active, "frozen": account.Frozen, "nonexist": account.NonExist,
}

var skipReasons = map[string]int{"noState": 0, "badState": 1, "noGas": 2}

// transactionOf is the emulator's record of the executor's transaction.
func transactionOf(addr string, in devnet.Inbound, out nekoton.Outcome, before, after *big.Int) (devnet.Transaction, error) {
	t, info := out.Transaction, out.Info
	tx := devnet.Transaction{
		Account:      addr,
		InMsg:        hex.EncodeToString(in.Hash[:]),
		Aborted:      t.Aborted,
		ExitCode:     info.ExitCode,
		ResultCode:   info.ActionResultCode,
		TotalFees:    new(big.Int),
		BalanceDelta: new(big.Int),
	}
	var ok bool
	if tx.OrigStatus, ok = statusByName[t.OrigStatus]; !ok {
		return tx, fmt.Errorf("transaction: unknown original status %q", t.OrigStatus)
	}
	if tx.EndStatus, ok = statusByName[t.EndStatus]; !ok {
		return tx, fmt.Errorf("transaction: unknown end status %q", t.EndStatus)
	}
	if info.ComputeSkipped != nil {
		tx.ComputeSkipped = true
		if tx.SkippedReason, ok = skipReasons[*info.ComputeSkipped]; !ok {
			return tx, fmt.Errorf("transaction: compute phase skipped for %q", *info.ComputeSkipped)
		}
	}
	if _, ok := tx.TotalFees.SetString(t.TotalFees, 10); !ok {
		return tx, fmt.Errorf("transaction: total fees %q", t.TotalFees)
	}
	if before == nil {
		before = new(big.Int)
	}
	tx.BalanceDelta.Sub(after, before)
	id := strings.ToLower(t.ID.Hash)
	if h, err := hex.DecodeString(id); err != nil || len(h) != 32 {
		return tx, fmt.Errorf("transaction: id %q is not a hash", t.ID.Hash)
	}
	tx.ID = id
	var err error
	if tx.BOC, err = base64.StdEncoding.DecodeString(t.BOC); err != nil {
		return tx, fmt.Errorf("transaction BOC: %w", err)
	}
	return tx, nil
}
