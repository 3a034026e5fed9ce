package contracts

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"sync"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
)

// Executor is a devnet.Executor that knows the proof contract, the
// local giver and the wallet stand-ins (see the package comment). Its zero
// value charges no fees; New charges DefaultFees.
type Executor struct {
	Fees Fees
	// Fallback runs messages to code the executor does not know;
	// devnet.DefaultExecutor when nil.
	Fallback devnet.Executor
}

// New returns an executor with DefaultFees.
func New() *Executor { return &Executor{Fees: DefaultFees} }

var _ devnet.Executor = (*Executor)(nil)

// program is a contract the executor can run.
type program struct {
	proof   bool
	giver   bool
	standIn *standIn
	// real is EverWallet or HighloadWalletV2, run check for check.
	real contract.WalletKind
}

func (p program) known() bool {
	return p.proof || p.giver || p.standIn != nil || p.real != contract.WalletUnknown
}

// standInByHash is built on first use: programs that link the emulator
// without running it do not pay for it at init.
var standInByHash = sync.OnceValue(func() map[[32]byte]*standIn {
	m := map[[32]byte]*standIn{}
	for k, s := range standIns() {
		m[StandInCode(k).Hash()] = s
	}
	return m
})

func programOf(code *cell.Cell) program {
	if code == nil {
		return program{}
	}
	switch h := code.Hash(); h {
	case contract.ProofCodeHash():
		return program{proof: true}
	case contract.GiverCodeHash():
		return program{giver: true}
	default:
		if k, ok := realKindOf(h); ok {
			return program{real: k}
		}
		return program{standIn: standInByHash()[h]}
	}
}

func (e *Executor) fallback() devnet.Executor {
	if e.Fallback != nil {
		return e.Fallback
	}
	return devnet.DefaultExecutor{}
}

// Execute implements devnet.Executor.
func (e *Executor) Execute(env devnet.Env, in devnet.Inbound, st devnet.State) (*devnet.Result, error) {
	switch in.Kind {
	case devnet.ExternalIn:
		return e.external(env, in, st)
	case devnet.Internal:
		return e.internal(env, in, st)
	}
	return nil, fmt.Errorf("%w: a %v message cannot be executed", devnet.ErrRejected, in.Kind)
}

// loaded is an account with its code and data decoded.
type loaded struct {
	devnet.Account
	code, data *cell.Cell
	addr       *cell.Address
}

func load(in devnet.Inbound, st devnet.State) (*loaded, error) {
	dst := in.Dst
	acc, ok := st.Account(dst)
	if !ok {
		acc = devnet.Account{Address: dst, Type: account.NonExist}
	}
	l := &loaded{Account: acc}
	if acc.Balance == nil {
		l.Balance = new(big.Int)
	} else {
		l.Balance = new(big.Int).Set(acc.Balance)
	}
	var err error
	if l.addr, err = cell.ParseAddress(dst); err != nil {
		return nil, fmt.Errorf("%w: destination %q: %v", devnet.ErrBadMessage, dst, err)
	}
	if acc.Type == account.Active {
		if l.code, err = decodeCell(acc.Code); err != nil {
			return nil, fmt.Errorf("account %s: code: %w", dst, err)
		}
		if l.data, err = decodeCell(acc.Data); err != nil {
			return nil, fmt.Errorf("account %s: data: %w", dst, err)
		}
	}
	return l, nil
}

func decodeCell(boc []byte) (*cell.Cell, error) {
	if len(boc) == 0 {
		return nil, nil
	}
	return cell.FromBOC(boc)
}

// initFits reports whether the message's StateInit is the destination's.
func initFits(in devnet.Inbound) bool {
	return in.Init != nil && in.CheckInit() == nil
}

func (l *loaded) result(tx devnet.Transaction, out ...[]byte) *devnet.Result {
	tx.EndStatus = l.Type
	return &devnet.Result{Accounts: []devnet.Account{l.Account}, Transactions: []devnet.Transaction{tx}, OutMessages: out}
}

func (e *Executor) external(env devnet.Env, in devnet.Inbound, st devnet.State) (*devnet.Result, error) {
	l, err := load(in, st)
	if err != nil {
		return nil, err
	}
	if l.Balance.Sign() <= 0 {
		return nil, fmt.Errorf("%w (%s is %v with no balance)", ErrCannotPay, l.Address, l.Type)
	}
	code, data := l.code, l.data
	switch l.Type {
	case account.Active:
	case account.Uninit:
		if !initFits(in) || in.Init.Code == nil {
			return nil, fmt.Errorf("%w: %s is uninit and the message carries no StateInit for it", devnet.ErrRejected, l.Address)
		}
		code, data = in.Init.Code, in.Init.Data
	default:
		return nil, fmt.Errorf("%w: %s is %v", devnet.ErrRejected, l.Address, l.Type)
	}
	prog := programOf(code)
	if !prog.known() {
		return e.fallback().Execute(env, in, st)
	}
	if data == nil {
		data = cell.EmptyCell
	}
	now := uint32(env.Now.Unix())
	tx := devnet.Transaction{Account: l.Address, InMsg: hex.EncodeToString(in.Hash[:]), OrigStatus: l.Type}
	before := new(big.Int).Set(l.Balance)
	if prog.proof {
		nd, ex := runProof(l.addr, data, in.Body(), now)
		if ex != nil {
			return nil, ex
		}
		if l.Balance.Cmp(nano(e.Fees.ProofDeploy)) < 0 {
			return nil, fmt.Errorf("%w (balance %s, the deployment costs %d)", ErrCannotPay, l.Balance, e.Fees.ProofDeploy)
		}
		tx.TotalFees = charge(l.Balance, e.Fees.ProofDeploy)
		l.setState(code, nd)
		tx.BalanceDelta = new(big.Int).Sub(l.Balance, before)
		l.LastPaid = now
		return l.result(tx), nil
	}

	var acc *accepted
	var ex *ExitError
	switch {
	case prog.giver:
		acc, ex = runGiver(l.addr, data, in.Body(), now)
	case prog.real == contract.EverWallet:
		acc, ex = runEverWallet(l.addr, data, in.Body(), now)
	case prog.real == contract.HighloadWalletV2:
		acc, ex = runHighload(data, in.Body(), now)
	default:
		acc, ex = runStandIn(prog.standIn, l.addr, data, in.Body(), now)
	}
	if ex != nil {
		return nil, ex
	}
	if l.Balance.Cmp(nano(e.Fees.WalletTransfer)) < 0 {
		return nil, fmt.Errorf("%w (balance %s, a transfer costs %d)", ErrCannotPay, l.Balance, e.Fees.WalletTransfer)
	}
	tx.TotalFees = charge(l.Balance, e.Fees.WalletTransfer)
	l.LastPaid = now
	if l.Type != account.Active { // a wallet deployed by this call
		l.setState(code, data)
	}
	var out [][]byte
	switch {
	case acc.aborted != nil:
		tx.Aborted, tx.ExitCode = true, acc.aborted.Code
	default:
		msgs, fwd, result, err := e.sendAll(l, acc.sends)
		if err != nil {
			return nil, err
		}
		if result != 0 {
			// The action phase failed: the data is not written.
			tx.Aborted, tx.ResultCode = true, result
			break
		}
		l.setState(code, acc.data)
		tx.TotalFees.Add(tx.TotalFees, fwd)
		out = msgs
	}
	tx.BalanceDelta = new(big.Int).Sub(l.Balance, before)
	return l.result(tx, out...), nil
}

func (l *loaded) setState(code, data *cell.Cell) {
	if l.Type != account.Active || l.code == nil || l.code.Hash() != code.Hash() {
		// New code reports its own hash, or a stand-in's published one.
		l.CodeHash = reportedCodeHash(code)
	}
	l.Type = account.Active
	l.code, l.data = code, data
	l.Code, l.Data = code.ToBOC(), data.ToBOC()
	l.BOC = nil
}

// maxActions is how many actions one transaction may make: a longer
// action list fails the action phase with resultTooManyActions.
const maxActions = 255

// sendAll is the action phase of a wallet call: the transfers in order.
// One that fails without mode 2 fails the phase: no message leaves and the
// balance is as before it.
func (e *Executor) sendAll(l *loaded, ts []*transfer) (out [][]byte, fwd *big.Int, result int, err error) {
	if len(ts) > maxActions {
		return nil, nil, resultTooManyActions, nil
	}
	start := new(big.Int).Set(l.Balance)
	fwd = new(big.Int)
	for _, t := range ts {
		msg, f, r, err := e.send(l, t)
		if err != nil {
			return nil, nil, 0, err
		}
		if r != 0 {
			l.Balance.Set(start)
			return nil, nil, r, nil
		}
		fwd.Add(fwd, f)
		if msg != nil {
			out = append(out, msg)
		}
	}
	return out, fwd, 0, nil
}

// send is the action phase of one outgoing transfer: it takes the value
// and the forwarding fee from the balance and returns the message, or the
// action phase's result code when it fails. A failure under mode 2 (ignore
// errors) skips the message and succeeds.
func (e *Executor) send(l *loaded, t *transfer) (msg []byte, fwd *big.Int, result int, err error) {
	fwd = nano(e.Fees.Forward)
	need := new(big.Int).Set(t.value)
	value := new(big.Int).Set(t.value)
	if t.mode&1 != 0 {
		need.Add(need, fwd)
	} else {
		value.Sub(value, fwd)
	}
	dst, result := destination(t.dest)
	if result == 0 && (value.Sign() < 0 || need.Cmp(l.Balance) > 0) {
		result = resultNotEnoughValue
	}
	if result != 0 {
		if t.mode&2 != 0 {
			return nil, new(big.Int), 0, nil
		}
		return nil, nil, result, nil
	}
	msg, err = buildMessage(l.addr, dst, value, t)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sending from %s: %w", l.Address, err)
	}
	l.Balance.Sub(l.Balance, need)
	return msg, fwd, 0, nil
}

// buildMessage is the internal message the action phase sends for t, from
// src, with its StateInit when it carries one.
func buildMessage(src *cell.Address, dst string, value *big.Int, t *transfer) ([]byte, error) {
	if t.init == nil {
		return devnet.BuildInternalMessage(src.String(), dst, value, t.bounce, false, t.body)
	}
	d, err := cell.ParseAddress(dst)
	if err != nil {
		return nil, err
	}
	m := abi.NewInternalMessage(d, value, t.bounce, t.init, t.body)
	m.Src = src
	return m.ToBOC()
}

// destination is where the action phase delivers a message sent to a: an
// addr_std, or an addr_var that holds one (256 bits, a workchain that fits
// 8 bits). Anything else fails with the executor's result code.
func destination(a *cell.Address) (string, int) {
	if a.Anycast != nil && (a.Type == cell.AddrStd || a.Type == cell.AddrVar) {
		return "", resultAnycast
	}
	switch {
	case a.Type == cell.AddrStd:
		return a.String(), 0
	case a.Type == cell.AddrVar && a.Bits == 256 && a.Workchain >= -128 && a.Workchain <= 127:
		var id [32]byte
		copy(id[:], a.Data)
		return cell.NewStdAddress(int8(a.Workchain), id).String(), 0
	}
	return "", resultBadDestination
}

func (e *Executor) internal(env devnet.Env, in devnet.Inbound, st devnet.State) (*devnet.Result, error) {
	l, err := load(in, st)
	if err != nil {
		return nil, err
	}
	now := uint32(env.Now.Unix())
	deploy := initFits(in) && (l.Type == account.NonExist || l.Type == account.Uninit)
	tx := devnet.Transaction{Account: l.Address, InMsg: hex.EncodeToString(in.Hash[:]), OrigStatus: l.Type,
		TotalFees: new(big.Int), BalanceDelta: new(big.Int)}
	value := in.Value
	if value == nil {
		value = new(big.Int)
	}

	if l.Type != account.Active && !deploy {
		// No code runs: the compute phase is skipped for want of a state.
		tx.ComputeSkipped = true
		if in.Init != nil {
			tx.SkippedReason = 1 // bad state
		}
		back := new(big.Int).Sub(value, nano(e.Fees.Forward))
		if in.Bounce && !in.Bounced && back.Sign() > 0 && in.Src != "" {
			// The value goes back, less the forwarding fee; the account
			// stays as it was.
			msg, err := devnet.BuildInternalMessage(l.Address, in.Src, back, false, true, nil)
			if err != nil {
				return nil, fmt.Errorf("bouncing %x: %w", in.Hash, err)
			}
			tx.Aborted, tx.EndStatus = true, l.Type
			tx.TotalFees.Sub(value, back)
			return &devnet.Result{Transactions: []devnet.Transaction{tx}, OutMessages: [][]byte{msg}}, nil
		}
		// A bounce that cannot pay its own forwarding leaves the value here.
		// The value is credited, but a transaction whose compute phase
		// was skipped counts as aborted, as on chain.
		tx.Aborted = true
		if l.Type == account.NonExist {
			l.Type = account.Uninit
		}
		l.Balance.Add(l.Balance, value)
		tx.BalanceDelta.Set(value)
		l.LastPaid = now
		return l.result(tx), nil
	}

	code := l.code
	if deploy {
		code = in.Init.Code
	}
	if !programOf(code).known() {
		return e.fallback().Execute(env, in, st)
	}
	before := new(big.Int).Set(l.Balance)
	l.Balance.Add(l.Balance, value)
	if deploy {
		data := in.Init.Data
		if data == nil {
			data = cell.EmptyCell
		}
		l.setState(code, data)
	}
	// recv_internal of every known contract is empty: the value stays.
	tx.TotalFees = charge(l.Balance, e.Fees.Internal)
	tx.BalanceDelta.Sub(l.Balance, before)
	l.LastPaid = now
	return l.result(tx), nil
}
