package contracts

import (
	"context"
	"crypto/ed25519"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
)

// chain is an everos.Client on an emulator running Executor, with a funded
// local giver.
type chain struct {
	t      *testing.T
	srv    *devnet.Server
	client *everos.Client
	owner  ed25519.PrivateKey
	giver  *cell.Address
}

func newChain(t *testing.T, cfg everos.Config) *chain {
	t.Helper()
	owner := randKey(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12)))
	g, err := GiverAccount(pubOf(owner), big.NewInt(1_000_000e9))
	if err != nil {
		t.Fatal(err)
	}
	srv := devnet.NewServer(ServerOptions(g)...)
	t.Cleanup(srv.Close)
	cfg.Endpoints = []string{srv.URL}
	cfg.RetryBaseDelay, cfg.RetryMaxDelay = time.Millisecond, 10*time.Millisecond
	if cfg.ExpiryGrace == 0 {
		cfg.ExpiryGrace = 100 * time.Millisecond
	}
	client, err := everos.New(cfg)
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

// send posts msg, expiring at expire, and waits for its transaction.
func (c *chain) send(msg *cell.Cell, expire uint32) (*everos.Transaction, error) {
	return c.client.SendAndWait(ctxFor(c.t), everos.Message{BOC: msg.ToBOC(), Hash: msg.Hash(), ExpireAt: time.Unix(int64(expire), 0)})
}

// now is the server's time.
func (c *chain) now() time.Time {
	tm, err := c.client.ServerTime(ctxFor(c.t))
	if err != nil {
		c.t.Fatal(err)
	}
	return tm
}

// waitBalance polls the account at addr until its balance is at least min.
func (c *chain) waitBalance(addr *cell.Address, min int64) *everos.Account {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := c.client.Account(ctxFor(c.t), addr.String())
		if err != nil {
			c.t.Fatal(err)
		}
		if a.Balance != nil && a.Balance.Cmp(big.NewInt(min)) >= 0 {
			return a
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still holds %v", addr, a.Balance)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEndToEnd makes a proof through the GraphQL API: the giver funds the
// proof's address, the signer deploys it, and the account read back is the
// proof; a second deployment is refused and, never executed, expires.
func TestEndToEnd(t *testing.T) {
	for _, subs := range []bool{true, false} {
		name := "subscription"
		if !subs {
			name = "polling"
		}
		t.Run(name, func(t *testing.T) {
			c := newChain(t, everos.Config{DisableSubscriptions: !subs})
			signer := randKey(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13)))
			p := newProof(t, signer, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

			// The giver funds the proof's address.
			now := c.now()
			fund, err := contract.LocalGiver.FundProofMessage(c.giver, p, contract.DefaultTopUp, c.owner, uint64(now.UnixMilli()), uint32(now.Unix())+60)
			if err != nil {
				t.Fatal(err)
			}
			tx, err := c.send(fund, uint32(now.Unix())+60)
			if err != nil {
				t.Fatalf("funding: %v", err)
			}
			if tx.Aborted || !tx.ComputeSuccess || !tx.ActionSuccess {
				t.Fatalf("funding transaction %+v", tx)
			}
			a := c.waitBalance(p.Address(), contract.DefaultTopUp)
			if a.Type != account.Uninit {
				t.Fatalf("the funded proof address is %v", a.Type)
			}

			// The signer deploys the proof.
			now = c.now()
			deploy, err := p.DeployMessage(signer, now, uint32(now.Unix())+60)
			if err != nil {
				t.Fatal(err)
			}
			tx, err = c.send(deploy, uint32(now.Unix())+60)
			if err != nil {
				t.Fatalf("deploying: %v", err)
			}
			if tx.Aborted || !tx.ComputeSuccess || tx.EndStatus != account.Active {
				t.Fatalf("deploy transaction %+v", tx)
			}

			// Read back and decoded by package contract, from the account
			// BOC and from the data alone.
			a, err = c.client.Account(ctxFor(t), p.Address().String())
			if err != nil {
				t.Fatal(err)
			}
			acc, err := contract.DecodeAccount(a.BOC)
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Check(acc)
			if err != nil {
				t.Fatalf("the deployed account is not the proof: %v", err)
			}
			if st.Timestamp != uint64(now.UnixMilli()) || st.DeployTime().Before(now.Add(-time.Second)) || st.DeployTime().After(c.now()) {
				t.Errorf("proof signed at %v deployed at %v, sent at %v", st.SignedAt(), st.DeployTime(), now)
			}
			if h := contract.ProofCodeHash(); string(a.CodeHash) != string(h[:]) {
				t.Errorf("code hash %x", a.CodeHash)
			}
			if d, err := contract.DecodeProofData(a.Data); err != nil || p.CheckState(d) != nil {
				t.Errorf("data: %+v, %v", d, err)
			}
			if want := contract.DefaultTopUp - int64(DefaultFees.ProofDeploy); a.Balance.Int64() != want {
				t.Errorf("the proof holds %s, want %d", a.Balance, want)
			}

			// A second deployment, fresh and validly signed, is refused by
			// the contract: never executed, it expires.
			now = c.now()
			again, err := p.DeployMessage(signer, now, uint32(now.Unix())+2)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.send(again, uint32(now.Unix())+2); !errors.Is(err, everos.ErrMessageExpired) {
				t.Fatalf("second deployment: %v, want ErrMessageExpired", err)
			}
			if b, err := c.client.Account(ctxFor(t), p.Address().String()); err != nil || string(b.Data) != string(a.Data) {
				t.Errorf("the refused deployment changed the proof (%v)", err)
			}
		})
	}
}

// TestEndToEndUnfunded: a deploy message to an address with no balance is
// refused by the node and expires; once the address is funded, the same
// message (still valid) deploys the proof.
func TestEndToEndUnfunded(t *testing.T) {
	c := newChain(t, everos.Config{})
	signer := randKey(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 14)))
	p := newProof(t, signer, "unfunded proof")
	now := c.now()
	expire := uint32(now.Unix()) + 30
	deploy, err := p.DeployMessage(signer, now, expire)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.client.SendAndWait(ctxFor(t), everos.Message{BOC: deploy.ToBOC(), Hash: deploy.Hash(), ExpireAt: now.Add(1500 * time.Millisecond)})
	if !errors.Is(err, everos.ErrMessageExpired) {
		t.Fatalf("unfunded deployment: %v, want ErrMessageExpired", err)
	}
	if a, err := c.client.Account(ctxFor(t), p.Address().String()); err != nil || a.Exists() {
		t.Fatalf("the unfunded address: %+v, %v", a, err)
	}
	fund, err := contract.LocalGiver.FundProofMessage(c.giver, p, contract.DefaultTopUp, c.owner, uint64(now.UnixMilli()), expire)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.send(fund, expire); err != nil {
		t.Fatal(err)
	}
	c.waitBalance(p.Address(), contract.DefaultTopUp)
	// The refused message was not remembered: posted again, it runs.
	tx, err := c.send(deploy, expire)
	if err != nil {
		t.Fatalf("deploying once funded: %v", err)
	}
	if tx.Aborted || !tx.ComputeSuccess || tx.EndStatus != account.Active {
		t.Fatalf("deploy transaction %+v", tx)
	}
	a, err := c.client.Account(ctxFor(t), p.Address().String())
	if err != nil {
		t.Fatal(err)
	}
	acc, err := contract.DecodeAccount(a.BOC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Check(acc); err != nil {
		t.Fatal(err)
	}
}
