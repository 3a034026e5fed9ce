package nekotonexec

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// chain is an everos.Client on an emulator running Everscale's executor,
// with a funded local giver.
type chain struct {
	t      *testing.T
	srv    *devnet.Server
	client *everos.Client
	owner  ed25519.PrivateKey
	giver  *cell.Address
}

func newChain(t *testing.T) *chain {
	t.Helper()
	ex := New(nekotontest.Start(t))
	_, owner, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	g, err := contracts.GiverAccount(owner.Public().(ed25519.PublicKey), big.NewInt(1_000_000e9))
	if err != nil {
		t.Fatal(err)
	}
	srv := devnet.NewServer(devnet.WithExecutor(ex), devnet.WithAccounts(g))
	t.Cleanup(srv.Close)
	client, err := everos.New(everos.Config{Endpoints: []string{srv.URL},
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 10 * time.Millisecond, ExpiryGrace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, srv: srv, client: client, owner: owner, giver: cell.MustParseAddress(g.Address)}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (c *chain) send(msg *cell.Cell, expire time.Time) (*everos.Transaction, error) {
	return c.client.SendAndWait(ctxFor(c.t), everos.Message{BOC: msg.ToBOC(), Hash: msg.Hash(), ExpireAt: expire})
}

func (c *chain) account(addr *cell.Address) *everos.Account {
	c.t.Helper()
	a, err := c.client.Account(ctxFor(c.t), addr.String())
	if err != nil {
		c.t.Fatal(err)
	}
	return a
}

// waitBalance polls the account at addr until its balance is at least min.
func (c *chain) waitBalance(addr *cell.Address, min int64) *everos.Account {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := c.account(addr)
		if a.Balance != nil && a.Balance.Cmp(big.NewInt(min)) >= 0 {
			return a
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still holds %v", addr, a.Balance)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestProofThroughTheAPI makes a proof on Everscale's executor through the
// GraphQL API: the giver's transfer is a real internal message that funds
// the proof's address, the deployment runs the compiled constructor, and
// what the API answers is what the executor produced.
func TestProofThroughTheAPI(t *testing.T) {
	c := newChain(t)
	_, signer, _ := ed25519.GenerateKey(rand.Reader)
	p, err := contract.NewProof(signer.Public().(ed25519.PublicKey), "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}

	// A deployment before the address is funded is refused by the node.
	now := c.srv.Now()
	deploy, err := p.DeployMessage(signer, now, uint32(now.Unix())+60)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.srv.Deliver(deploy.ToBOC(), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if a, ok := c.srv.Account(p.Address().String()); ok {
		t.Fatalf("an unfunded deployment made the account %+v", a)
	}

	// The giver funds the proof's address with a real internal message.
	giverBefore := c.account(c.giver).Balance
	fund, err := contract.LocalGiver.FundProofMessage(c.giver, p, contract.DefaultTopUp, c.owner, uint64(now.UnixMilli()), uint32(now.Unix())+60)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := c.send(fund, now.Add(time.Minute))
	if err != nil {
		t.Fatalf("funding: %v", err)
	}
	if tx.Aborted || !tx.ComputeSuccess || !tx.ActionSuccess {
		t.Fatalf("funding transaction %+v", tx)
	}
	if rec := c.record(tx.ID); rec.TotalFees.Sign() <= 0 || len(rec.OutMsgs) != 1 || len(rec.BOC) == 0 {
		t.Fatalf("the funding transaction as recorded: %+v", rec)
	}
	a := c.waitBalance(p.Address(), contract.DefaultTopUp)
	if a.Type != account.Uninit {
		t.Fatalf("the funded proof address is %v", a.Type)
	}
	spent := new(big.Int).Sub(giverBefore, c.account(c.giver).Balance)
	if min := big.NewInt(contract.DefaultTopUp); spent.Cmp(min) <= 0 {
		t.Fatalf("the giver spent %s for a transfer of %s and its fees", spent, min)
	}

	// The signer deploys the proof; the constructor pays for itself.
	tx, err = c.send(deploy, now.Add(time.Minute))
	if err != nil {
		t.Fatalf("deploying: %v", err)
	}
	if tx.Aborted || !tx.ComputeSuccess || tx.EndStatus != account.Active || tx.ExitCode != 0 {
		t.Fatalf("deploy transaction %+v", tx)
	}
	a = c.account(p.Address())
	acc, err := contract.DecodeAccount(a.BOC)
	if err != nil {
		t.Fatal(err)
	}
	st, err := acc.ProofState()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Constructed || st.Content != p.Content() || int64(st.DeployedAt) < now.Unix() || int64(st.DeployedAt) > c.srv.Now().Unix() {
		t.Fatalf("proof %+v", st)
	}
	if _, err := p.Check(acc); err != nil {
		t.Fatalf("Check: %v", err)
	}
	// The API's account BOC is the executor's: its last_trans_lt is the end
	// of the executor's deploying transaction (its lt and one), not the
	// emulator's lt.
	info, err := nekotontest.Start(t).TransactionInfo(base64.StdEncoding.EncodeToString(c.record(tx.ID).BOC))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(acc.LastTransLT-1) != info.LT || acc.LastTransLT == c.record(tx.ID).Lt {
		t.Fatalf("the account BOC says lt %d, the executor's transaction %s, the emulator's %d", acc.LastTransLT, info.LT, c.record(tx.ID).Lt)
	}
	if a.Balance.Cmp(big.NewInt(contract.DefaultTopUp)) >= 0 {
		t.Fatalf("the deployment charged nothing: balance %s", a.Balance)
	}

	// A second deployment is refused with the contract's exit code 51 and
	// makes no transaction.
	again, err := p.DeployMessage(signer, now.Add(time.Second), uint32(now.Unix())+60)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(nekotontest.Start(t)).Execute(devnet.Env{Now: c.srv.Now()}, inbound(t, again), c.srv)
	var ee *contracts.ExitError
	if !errors.As(err, &ee) || ee.Code != 51 || !errors.Is(err, devnet.ErrRejected) {
		t.Fatalf("second deployment: %v, %v; want exit code 51", res, err)
	}
}

// record is the emulator's record of a transaction.
func (c *chain) record(id string) devnet.Transaction {
	c.t.Helper()
	for _, tx := range c.srv.Transactions() {
		if tx.ID == id {
			return tx
		}
	}
	c.t.Fatalf("no transaction %s", id)
	return devnet.Transaction{}
}

func inbound(t *testing.T, msg *cell.Cell) devnet.Inbound {
	t.Helper()
	m, err := devnet.ParseMessage(msg.ToBOC())
	if err != nil {
		t.Fatal(err)
	}
	return devnet.Inbound{Message: m}
}
