package contracts

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// chainTime is the Unix time the differential tests run at.
const chainTime = 1750000000

// worlds runs every message twice: on Everscale's executor (nekoton-wasm,
// the real compiled code, Everscale's main config) and on Executor, each
// with its own accounts, and compares what the two make of it.
type worlds struct {
	t  testing.TB
	nk *nekoton.Bridge
	ex *Executor
	// nkAcc holds nekoton's account BOCs (base64), goAcc the emulator's
	// accounts, by "0:hex" address.
	nkAcc map[string]string
	goAcc map[string]devnet.Account
	// verdicts counts the compared executions, by verdict.
	verdicts map[string]int
}

func newWorlds(t testing.TB) *worlds {
	return &worlds{t: t, nk: nekotontest.Start(t), ex: New(), nkAcc: map[string]string{},
		goAcc: map[string]devnet.Account{}, verdicts: map[string]int{}}
}

// Account implements devnet.State over the emulator's accounts.
func (w *worlds) Account(addr string) (devnet.Account, bool) {
	a, ok := w.goAcc[addr]
	return a, ok
}

// sent is an outgoing message as both sides report it.
type sent struct {
	dst             string
	value           *big.Int
	bounce, bounced bool
	boc             []byte
}

// outcome is one side's view of one message.
type outcome struct {
	rejected   bool
	exit       int // exit code of a rejection; -1 when there is none
	reason     string
	aborted    bool
	resultCode int
	status     account.Status
	balance    *big.Int // after
	delta      *big.Int // balance after less before
	data       [32]byte // hash of the data after (zero when none)
	out        []sent
}

func (o outcome) String() string {
	if o.rejected {
		return fmt.Sprintf("rejected (exit %d: %s)", o.exit, o.reason)
	}
	return fmt.Sprintf("aborted=%v result=%d status=%s balance %s (%+d) data %x, %d messages", o.aborted, o.resultCode, o.status, o.balance, o.delta, o.data[:4], len(o.out))
}

func (o outcome) verdict() string {
	switch {
	case o.rejected && o.exit >= 0:
		return fmt.Sprintf("rejected, exit %d", o.exit)
	case o.rejected:
		return "rejected by the node"
	case o.aborted:
		return "aborted"
	}
	return "accepted"
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nkAccount decodes a nekoton account BOC.
func nkAccount(t testing.TB, boc string) *contract.Account {
	t.Helper()
	a, err := contract.DecodeAccount(mustB64(t, boc))
	if err != nil {
		t.Fatalf("decoding nekoton's account: %v", err)
	}
	return a
}

func (w *worlds) nkAccountOf(addr string) string {
	if a, ok := w.nkAcc[addr]; ok {
		return a
	}
	var none string
	if err := w.nk.CallInto(&none, "makeFullAccountBoc", nil); err != nil {
		w.t.Fatal(err)
	}
	return none
}

func balanceOf(a *contract.Account) *big.Int {
	if a == nil || a.Balance == nil {
		return new(big.Int)
	}
	return a.Balance
}

// runNekoton executes msg (base64) on nekoton's account at addr.
func (w *worlds) runNekoton(addr, msg string, now uint32) outcome {
	w.t.Helper()
	acc := w.nkAccountOf(addr)
	before := balanceOf(nkAccount(w.t, acc))
	x, err := w.nk.Execute(acc, msg, now)
	if err != nil {
		return outcome{rejected: true, exit: -1, reason: err.Error()}
	}
	if x.Rejected {
		return outcome{rejected: true, exit: x.ExitCode, reason: "nekoton"}
	}
	w.nkAcc[addr] = x.Account
	a := nkAccount(w.t, x.Account)
	o := outcome{exit: -1, aborted: x.Transaction.Aborted, status: a.Status, balance: balanceOf(a)}
	if x.Transaction.ResultCode != nil {
		o.resultCode = *x.Transaction.ResultCode
	}
	o.delta = new(big.Int).Sub(o.balance, before)
	if a.Data != nil {
		o.data = a.Data.Hash()
	}
	for _, m := range x.Transaction.OutMessages {
		v, _ := new(big.Int).SetString(m.Value, 10)
		o.out = append(o.out, sent{dst: m.Dst, value: v, bounce: m.Bounce, bounced: m.Bounced, boc: mustB64(w.t, m.BOC)})
	}
	return o
}

// runGo executes msg on the emulator's account at addr.
func (w *worlds) runGo(addr string, msg []byte, now uint32) outcome {
	w.t.Helper()
	m, err := devnet.ParseMessage(msg)
	if err != nil {
		w.t.Fatalf("parsing the message: %v", err)
	}
	before := new(big.Int)
	if a, ok := w.goAcc[addr]; ok {
		before.Set(a.Balance)
	}
	res, err := w.ex.Execute(devnet.Env{Now: time.Unix(int64(now), 0), Lt: 1}, devnet.Inbound{Message: m}, w)
	if err != nil {
		if !errors.Is(err, devnet.ErrRejected) {
			w.t.Fatalf("executor failed (not a rejection): %v", err)
		}
		o := outcome{rejected: true, exit: -1, reason: err.Error()}
		var ee *ExitError
		if errors.As(err, &ee) {
			o.exit = ee.Code
		}
		return o
	}
	for _, a := range res.Accounts {
		if a.Balance.Sign() < 0 {
			w.t.Fatalf("account %s has a negative balance %s", a.Address, a.Balance)
		}
		w.goAcc[a.Address] = a
	}
	if len(res.Transactions) != 1 {
		w.t.Fatalf("%d transactions for one message", len(res.Transactions))
	}
	tx := res.Transactions[0]
	o := outcome{exit: -1, aborted: tx.Aborted, resultCode: tx.ResultCode, status: account.NonExist, balance: new(big.Int)}
	if a, ok := w.goAcc[addr]; ok {
		o.status = a.Type
		o.balance = new(big.Int).Set(a.Balance)
		if len(a.Data) > 0 && a.Type == account.Active {
			c, err := cell.FromBOC(a.Data)
			if err != nil {
				w.t.Fatal(err)
			}
			o.data = c.Hash()
		}
	}
	o.delta = new(big.Int).Sub(o.balance, before)
	if tx.BalanceDelta != nil && tx.BalanceDelta.Cmp(o.delta) != 0 {
		w.t.Fatalf("transaction says balance delta %s, the account moved by %s", tx.BalanceDelta, o.delta)
	}
	for _, b := range res.OutMessages {
		m, err := devnet.ParseMessage(b)
		if err != nil {
			w.t.Fatal(err)
		}
		o.out = append(o.out, sent{dst: m.Dst, value: m.Value, bounce: m.Bounce, bounced: m.Bounced, boc: b})
	}
	return o
}

// exec runs the same message on both sides and compares them; it returns
// both outcomes for further checks.
func (w *worlds) exec(name, addr string, msg []byte, now uint32) (nk, goo outcome) {
	w.t.Helper()
	nk = w.runNekoton(addr, base64.StdEncoding.EncodeToString(msg), now)
	goo = w.runGo(addr, msg, now)
	w.compare(name, nk, goo)
	return nk, goo
}

// compare checks that the emulator agrees with the executor: the verdict
// and exit code, the status, the data bit for bit, the direction of the
// balance, and the messages sent (destination, flags and, except for
// bounces, whose value is what is left after fees, the value).
func (w *worlds) compare(name string, nk, goo outcome) {
	w.t.Helper()
	w.verdicts[nk.verdict()]++
	if nk.verdict() != goo.verdict() {
		w.t.Errorf("%s: executor %s, emulator %s", name, nk, goo)
		return
	}
	if nk.rejected {
		return
	}
	if nk.status != goo.status || nk.data != goo.data || direction(nk.delta) != direction(goo.delta) || nk.resultCode != goo.resultCode {
		w.t.Errorf("%s:\n executor %s\n emulator %s", name, nk, goo)
	}
	if len(nk.out) != len(goo.out) {
		w.t.Errorf("%s: executor sent %d messages, emulator %d", name, len(nk.out), len(goo.out))
		return
	}
	for i := range nk.out {
		a, b := nk.out[i], goo.out[i]
		if a.dst != b.dst || a.bounce != b.bounce || a.bounced != b.bounced {
			w.t.Errorf("%s: message %d: executor to %s bounce=%v bounced=%v, emulator to %s bounce=%v bounced=%v", name, i, a.dst, a.bounce, a.bounced, b.dst, b.bounce, b.bounced)
		}
		if !a.bounced && a.value.Cmp(b.value) != 0 {
			w.t.Errorf("%s: message %d: executor sent %s, emulator %s", name, i, a.value, b.value)
		}
		if a.bounced && (b.value.Sign() <= 0 || a.value.Sign() <= 0) {
			w.t.Errorf("%s: bounce of %s (executor) and %s (emulator)", name, a.value, b.value)
		}
	}
}

// storageNoise is the largest balance change that direction ignores: the
// storage rent of the seconds between the test's transactions, which the
// fee model leaves out.
const storageNoise = 10_000

// direction is the sign of a balance change, ignoring storage rent.
func direction(d *big.Int) int {
	if new(big.Int).Abs(d).Cmp(big.NewInt(storageNoise)) <= 0 {
		return 0
	}
	return d.Sign()
}

// deliver runs the messages two executions sent, pairwise, and whatever
// those send in turn.
func (w *worlds) deliver(name string, nk, goo outcome, now uint32) {
	w.t.Helper()
	if len(nk.out) != len(goo.out) {
		return // reported by compare
	}
	for i := range nk.out {
		n2 := w.runNekoton(nk.out[i].dst, base64.StdEncoding.EncodeToString(nk.out[i].boc), now)
		g2 := w.runGo(goo.out[i].dst, goo.out[i].boc, now)
		sub := fmt.Sprintf("%s, message %d to %s", name, i, nk.out[i].dst)
		w.compare(sub, n2, g2)
		w.deliver(sub, n2, g2, now)
	}
}

// expect is exec, checking the executor's verdict too, so that every case
// of the matrix tests what it says it tests.
func (w *worlds) expect(name, addr string, msg []byte, now uint32, want string) (nk, goo outcome) {
	w.t.Helper()
	nk, goo = w.exec(name, addr, msg, now)
	if nk.verdict() != want {
		w.t.Errorf("%s: executor: %s, want %s", name, nk, want)
	}
	return nk, goo
}

// internalMessage is an internal message built by nekoton, from src (""
// for none) to dst.
func (w *worlds) internalMessage(src, dst string, value uint64, bounce bool, init *cell.Cell) []byte {
	w.t.Helper()
	var s, si any
	if src != "" {
		s = src
	}
	if init != nil {
		si = init.ToBase64()
	}
	var msg string
	if err := w.nk.CallInto(&msg, "encodeInternalMessage", s, dst, bounce, si, nil, fmt.Sprint(value)); err != nil {
		w.t.Fatal(err)
	}
	return mustB64(w.t, msg)
}

// randKey is a key from r.
func randKey(r *rand.Rand) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(r.UintN(256))
	}
	return ed25519.NewKeyFromSeed(seed)
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// randContent is 1 to MaxContentLen bytes of UTF-8, a digest one time in
// three.
func randContent(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		const hexd = "0123456789abcdef"
		var b strings.Builder
		b.WriteString("sha256:")
		for range 64 {
			b.WriteByte(hexd[r.IntN(16)])
		}
		return b.String()
	}
	n := 1 + r.IntN(contract.MaxContentLen)
	var b strings.Builder
	for b.Len() < n {
		if r.IntN(10) == 0 && b.Len()+2 <= n {
			b.WriteString("é")
			continue
		}
		b.WriteByte(byte('a' + r.IntN(26)))
	}
	return b.String()
}

func mustCell(t testing.TB, b *cell.Builder) *cell.Cell {
	t.Helper()
	c, err := b.EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
