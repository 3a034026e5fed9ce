package devnet_test

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
)

// The network executes an external message once, however often it is
// posted, but remembers only the messages it executed or still holds: one
// that no contract accepted may be posted again and run when it can.
func TestRepost(t *testing.T) {
	code, _ := cell.BeginCell().StoreUInt(0xC0DE, 16).EndCell()
	data, _ := cell.BeginCell().StoreUInt(42, 64).EndCell()
	init := &abi.StateInit{Code: code, Data: data}
	h, err := init.Hash()
	if err != nil {
		t.Fatal(err)
	}
	deployAddr := cell.NewStdAddress(0, h).String()
	deployBOC, deployHash, err := devnet.ExtMessage(deployAddr, init, nil)
	if err != nil {
		t.Fatal(err)
	}
	deploy := func(ttl time.Duration) everos.Message {
		return everos.Message{BOC: deployBOC, Hash: deployHash, ExpireAt: time.Now().Add(ttl)}
	}
	tests := []struct {
		name string
		opts []devnet.Option
		// run sends and returns the transactions it expects the server
		// to have made.
		run func(t *testing.T, srv *devnet.Server, c *everos.Client) int
	}{
		{name: "refused, then accepted once funded", run: func(t *testing.T, srv *devnet.Server, c *everos.Client) int {
			if _, err := c.SendAndWait(ctxT(t), deploy(500*time.Millisecond)); !errors.Is(err, everos.ErrMessageExpired) {
				t.Fatalf("unfunded deployment: %v, want ErrMessageExpired", err)
			}
			if err := srv.SetAccount(devnet.Account{Address: deployAddr, Type: account.Uninit, Balance: big.NewInt(10)}); err != nil {
				t.Fatal(err)
			}
			tx, err := c.SendAndWait(ctxT(t), deploy(time.Minute))
			if err != nil || tx.EndStatus != account.Active {
				t.Fatalf("deployment once funded: %+v, %v", tx, err)
			}
			return 1
		}},
		{name: "refused twice, then accepted", run: func(t *testing.T, srv *devnet.Server, c *everos.Client) int {
			for range 2 {
				if _, err := c.SendAndWait(ctxT(t), deploy(300*time.Millisecond)); !errors.Is(err, everos.ErrMessageExpired) {
					t.Fatalf("unfunded deployment: %v, want ErrMessageExpired", err)
				}
			}
			srv.SetAccount(devnet.Account{Address: deployAddr, Type: account.Uninit, Balance: big.NewInt(10)})
			if _, err := c.SendAndWait(ctxT(t), deploy(time.Minute)); err != nil {
				t.Fatal(err)
			}
			return 1
		}},
		{name: "executed, posted again", run: func(t *testing.T, srv *devnet.Server, c *everos.Client) int {
			m := message(t, addr(1), time.Minute)
			if _, err := c.SendAndWait(ctxT(t), m); err != nil {
				t.Fatal(err)
			}
			if err := c.SendMessage(ctxT(t), m); err != nil {
				t.Fatal(err)
			}
			return 1
		}},
		{name: "delivered, posted again", run: func(t *testing.T, srv *devnet.Server, c *everos.Client) int {
			m := message(t, addr(1), time.Minute)
			if err := srv.Deliver(m.BOC, m.ExpireAt); err != nil {
				t.Fatal(err)
			}
			if err := c.SendMessage(ctxT(t), m); err != nil {
				t.Fatal(err)
			}
			return 1
		}},
		{name: "pending, posted again", opts: []devnet.Option{devnet.WithBlockDelay(100 * time.Millisecond)},
			run: func(t *testing.T, srv *devnet.Server, c *everos.Client) int {
				m := message(t, addr(1), time.Minute)
				for range 3 {
					if err := c.SendMessage(ctxT(t), m); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := c.WaitForTransaction(ctxT(t), m.Hash, m.ExpireAt); err != nil {
					t.Fatal(err)
				}
				return 1
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := devnet.NewServer(append([]devnet.Option{devnet.WithAccounts(active(1, 1e9))}, tt.opts...)...)
			defer srv.Close()
			c := client(t, everos.Config{WaitTimeout: 100 * time.Millisecond}, srv.URL)
			want := tt.run(t, srv, c)
			// Messages run in the order they were posted: once a later one
			// has run, any copy posted before it has run too.
			if _, err := c.SendAndWait(ctxT(t), message(t, addr(1), time.Minute)); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Transactions()) - 1; n != want {
				t.Errorf("%d transactions, want %d: %+v", n, want, srv.Transactions())
			}
		})
	}
}
