package devnet_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
)

func addr(i int) string { return fmt.Sprintf("0:%064x", i) }

func active(i int, balance int64) devnet.Account {
	code, _ := cell.BeginCell().StoreUInt(uint64(i), 32).EndCell()
	data, _ := cell.BeginCell().StoreUInt(uint64(i)+1, 32).EndCell()
	return devnet.Account{Address: addr(i), Type: account.Active, Balance: big.NewInt(balance), Code: code.ToBOC(), Data: data.ToBOC()}
}

func client(t *testing.T, cfg everos.Config, urls ...string) *everos.Client {
	t.Helper()
	cfg.Endpoints = urls
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay, cfg.RetryMaxDelay = time.Millisecond, 5*time.Millisecond
	}
	if cfg.ExpiryGrace == 0 {
		cfg.ExpiryGrace = 50 * time.Millisecond
	}
	c, err := everos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var nonce atomic.Uint64

// message builds a distinct external message to dst expiring after ttl.
func message(t testing.TB, dst string, ttl time.Duration) everos.Message {
	t.Helper()
	body, _ := cell.BeginCell().StoreUInt(nonce.Add(1), 64).EndCell()
	boc, hash, err := devnet.ExtMessage(dst, nil, body)
	if err != nil {
		t.Fatal(err)
	}
	m := everos.Message{BOC: boc, Hash: hash}
	if ttl != 0 {
		m.ExpireAt = time.Now().Add(ttl)
	}
	return m
}

func TestClientAccounts(t *testing.T) {
	var accs []devnet.Account
	for i := 1; i <= 7; i++ {
		accs = append(accs, active(i, int64(i)*1e9))
	}
	accs = append(accs, devnet.Account{Address: addr(8), Type: account.Uninit, Balance: big.NewInt(3)},
		devnet.Account{Address: addr(9), Type: account.Frozen, Balance: new(big.Int)})
	for _, missing := range []bool{true, false} {
		opts := []devnet.Option{devnet.WithAccounts(accs...), devnet.WithMaxLimit(3)}
		if !missing {
			opts = append(opts, devnet.WithoutMissingAccounts())
		}
		srv := devnet.NewServer(opts...)
		defer srv.Close()
		c := client(t, everos.Config{AccountsPerRequest: 3}, srv.URL)
		var ask []string
		for i := 0; i <= 12; i++ {
			ask = append(ask, addr(i))
		}
		got, err := c.Accounts(ctxT(t), ask)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range got {
			want, ok := srv.Account(addr(i))
			if !ok {
				if a.Type != account.NonExist || a.Balance.Sign() != 0 || a.BOC != nil {
					t.Errorf("%s: %+v, want non-existent", addr(i), a)
				}
				continue
			}
			if a.Type != want.Type || a.Balance.Cmp(want.Balance) != 0 || string(a.Code) != string(want.Code) ||
				string(a.Data) != string(want.Data) || string(a.BOC) != string(want.BOC) || len(a.BOC) == 0 {
				t.Errorf("%s: %+v\nwant %+v", addr(i), a, want)
			}
			if want.Type == account.Active {
				code, _ := cell.FromBOC(want.Code)
				h := code.Hash()
				if string(a.CodeHash) != string(h[:]) {
					t.Errorf("%s: code hash %x, want %x", addr(i), a.CodeHash, h)
				}
			}
		}
		one, err := c.Account(ctxT(t), addr(3))
		if err != nil || one.Type != account.Active || one.Balance.Int64() != 3e9 {
			t.Errorf("Account: %+v %v", one, err)
		}
		none, err := c.Account(ctxT(t), addr(99))
		if err != nil || none.Exists() {
			t.Errorf("missing Account: %+v %v", none, err)
		}
	}
}

// A server that caps results below the client's chunk size and does not
// name missing accounts must not make existing accounts look missing.
func TestAccountsBeyondServerCap(t *testing.T) {
	var accs []devnet.Account
	var ask []string
	for i := range 40 {
		if i%4 != 0 {
			accs = append(accs, active(i, int64(i)))
		}
		ask = append(ask, addr(i))
	}
	srv := devnet.NewServer(devnet.WithAccounts(accs...), devnet.WithMaxLimit(7), devnet.WithoutMissingAccounts())
	defer srv.Close()
	got, err := client(t, everos.Config{AccountsPerRequest: 25}, srv.URL).Accounts(ctxT(t), ask)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range got {
		if a.Exists() != (i%4 != 0) {
			t.Errorf("%s: %v", a.Address, a.Type)
		}
	}
}

func TestAccountBOCDecodes(t *testing.T) {
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 12345)))
	defer srv.Close()
	a, err := client(t, everos.Config{}, srv.URL).Account(ctxT(t), addr(1))
	if err != nil {
		t.Fatal(err)
	}
	root, err := cell.FromBOC(a.BOC)
	if err != nil {
		t.Fatal(err)
	}
	s := root.BeginParse()
	if tag, _ := s.LoadBool(); !tag {
		t.Fatal("account$1 tag missing")
	}
	ad, err := s.LoadAddress()
	if err != nil || ad.String() != addr(1) {
		t.Errorf("address %v %v", ad, err)
	}
}

func TestSendAndWait(t *testing.T) {
	for _, subs := range []bool{true, false} {
		t.Run(fmt.Sprintf("subscriptions=%v", subs), func(t *testing.T) {
			srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)))
			defer srv.Close()
			c := client(t, everos.Config{DisableSubscriptions: !subs, WaitTimeout: time.Second}, srv.URL)
			m := message(t, addr(1), time.Minute)
			tx, err := c.SendAndWait(ctxT(t), m)
			if err != nil {
				t.Fatal(err)
			}
			rec := srv.Transactions()
			if len(rec) != 1 || tx.ID != rec[0].ID || tx.InMsg != m.ID() || tx.Aborted || !tx.ComputeSuccess ||
				tx.Status != 3 || tx.Lt != rec[0].Lt || tx.EndStatus != account.Active || tx.Now.Unix() != int64(rec[0].Now) {
				t.Errorf("transaction %+v, recorded %+v", tx, rec)
			}
			// Waiting again finds the recorded transaction at once.
			again, err := c.WaitForTransaction(ctxT(t), m.Hash, m.ExpireAt)
			if err != nil || again.ID != tx.ID {
				t.Errorf("second wait: %+v %v", again, err)
			}
		})
	}
}

func TestTransactionVerdicts(t *testing.T) {
	// An executor that reports what the body asks for: exit code, aborted.
	exec := devnet.ExecutorFunc(func(env devnet.Env, in devnet.Inbound, st devnet.State) (*devnet.Result, error) {
		b := in.Body()
		if _, err := b.LoadUInt(64); err != nil {
			return nil, err
		}
		code, err := b.LoadUInt(16)
		if err != nil {
			return nil, fmt.Errorf("%w: no exit code in body", devnet.ErrRejected)
		}
		acc, _ := st.Account(in.Dst)
		return &devnet.Result{
			Accounts:     []devnet.Account{acc},
			Transactions: []devnet.Transaction{{Account: in.Dst, InMsg: fmt.Sprintf("%x", in.Hash), Aborted: code > 1, ExitCode: int(code), OrigStatus: acc.Type, EndStatus: acc.Type}},
		}, nil
	})
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)), devnet.WithExecutor(exec))
	defer srv.Close()
	c := client(t, everos.Config{}, srv.URL)
	for _, code := range []uint64{0, 1, 100, 65535} {
		body, _ := cell.BeginCell().StoreUInt(nonce.Add(1), 64).StoreUInt(code, 16).EndCell()
		boc, hash, _ := devnet.ExtMessage(addr(1), nil, body)
		tx, err := c.SendAndWait(ctxT(t), everos.Message{BOC: boc, Hash: hash, ExpireAt: time.Now().Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if tx.ExitCode != int(code) || tx.Aborted != (code > 1) || tx.ComputeSuccess != (code <= 1) {
			t.Errorf("code %d: %+v", code, tx)
		}
	}
	a, _ := srv.Account(addr(1))
	if txs := srv.Transactions(); a.LastTransLt != txs[len(txs)-1].Lt+1 {
		t.Errorf("last_trans_lt %d, last transaction lt %d", a.LastTransLt, txs[len(txs)-1].Lt)
	}
	// Rejected by the executor: no transaction, the message expires.
	m := message(t, addr(1), 300*time.Millisecond)
	if _, err := c.SendAndWait(ctxT(t), m); !errors.Is(err, everos.ErrMessageExpired) {
		t.Errorf("rejected message: %v, want ErrMessageExpired", err)
	}
}

func TestExpiryAndResend(t *testing.T) {
	for _, subs := range []bool{true, false} {
		t.Run(fmt.Sprintf("subscriptions=%v", subs), func(t *testing.T) {
			srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)))
			defer srv.Close()
			c := client(t, everos.Config{DisableSubscriptions: !subs, WaitTimeout: 100 * time.Millisecond}, srv.URL)
			srv.LoseMessages(1)
			lost := message(t, addr(1), 400*time.Millisecond)
			_, err := c.SendAndWait(ctxT(t), lost)
			if !errors.Is(err, everos.ErrMessageExpired) {
				t.Fatalf("lost message: %v, want ErrMessageExpired", err)
			}
			// The caller builds a new message and sends it again.
			tx, err := c.SendAndWait(ctxT(t), message(t, addr(1), time.Minute))
			if err != nil || tx.Aborted {
				t.Fatalf("resend: %+v %v", tx, err)
			}
			if n := len(srv.Transactions()); n != 1 {
				t.Errorf("%d transactions, want 1", n)
			}
		})
	}
}

func TestServerDropsExpiredMessage(t *testing.T) {
	// The block comes after the message's expiry: the server drops it.
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)), devnet.WithBlockDelay(500*time.Millisecond))
	defer srv.Close()
	c := client(t, everos.Config{}, srv.URL)
	_, err := c.SendAndWait(ctxT(t), message(t, addr(1), 200*time.Millisecond))
	if !errors.Is(err, everos.ErrMessageExpired) {
		t.Fatalf("error %v, want ErrMessageExpired", err)
	}
	time.Sleep(400 * time.Millisecond)
	if n := len(srv.Transactions()); n != 0 {
		t.Errorf("expired message executed: %d transactions", n)
	}
}

func TestClockSkew(t *testing.T) {
	clk := devnet.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)), devnet.WithClock(clk))
	defer srv.Close()
	srv.SetClockSkew(time.Hour)
	c := client(t, everos.Config{}, srv.URL)
	st, err := c.ServerTime(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	want := clk.Now().Add(time.Hour)
	if d := st.Sub(want); d < -time.Second || d > time.Second {
		t.Errorf("ServerTime %v, want about %v", st, want)
	}
	// A message that expires by our clock but not by the server's: the
	// client computes expiry from server time and the message goes through.
	m := message(t, addr(1), 0)
	m.ExpireAt = st.Add(time.Minute)
	tx, err := c.SendAndWait(ctxT(t), m)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Now.Unix() != want.Unix() {
		t.Errorf("transaction time %v, want server time %v", tx.Now, want)
	}
	// Expiry judged by the local clock would wrongly pass; by the server's it has expired.
	m2 := message(t, addr(1), time.Minute) // local now + 1 min, long before server time
	if err := c.SendMessage(ctxT(t), m2); !errors.Is(err, everos.ErrMessageExpired) {
		t.Errorf("message expired by server time was sent: %v", err)
	}
}

func TestManualClockExpiry(t *testing.T) {
	clk := devnet.NewManualClock(time.Now())
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)), devnet.WithClock(clk))
	defer srv.Close()
	srv.LoseMessages(1)
	c := client(t, everos.Config{WaitTimeout: 50 * time.Millisecond}, srv.URL)
	done := make(chan error, 1)
	go func() {
		_, err := c.SendAndWait(ctxT(t), message(t, addr(1), 10*time.Second))
		done <- err
	}()
	// The server's clock stands still; only moving it expires the message.
	select {
	case err := <-done:
		t.Fatalf("wait ended before the server clock moved: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	clk.Advance(time.Minute)
	select {
	case err := <-done:
		if !errors.Is(err, everos.ErrMessageExpired) {
			t.Errorf("error %v, want ErrMessageExpired", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("wait did not end after the server clock passed the expiry")
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*devnet.Server)
		cfg    everos.Config
		check  func(t *testing.T, err error)
	}{
		{name: "500 three times", inject: func(s *devnet.Server) { s.FailRequests(3, 500) }},
		{name: "429 twice", inject: func(s *devnet.Server) { s.FailRequests(2, 429) }},
		{name: "503 forever", inject: func(s *devnet.Server) { s.FailRequests(-1, 503) }, cfg: everos.Config{MaxRetries: 2},
			check: func(t *testing.T, err error) {
				var he *everos.HTTPError
				if !errors.As(err, &he) || he.Status != 503 {
					t.Errorf("error %v, want HTTP 503", err)
				}
			}},
		{name: "malformed JSON", inject: func(s *devnet.Server) { s.MalformJSON(2) }},
		{name: "refused connections", inject: func(s *devnet.Server) { s.RefuseConnections(2) }},
		{name: "latency beyond the request timeout", inject: func(s *devnet.Server) { s.SetLatency(300 * time.Millisecond) },
			cfg: everos.Config{RequestTimeout: 100 * time.Millisecond, MaxRetries: 1},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "giving up") {
					t.Errorf("error %v, want timeouts", err)
				}
			}},
		{name: "latency within the timeout", inject: func(s *devnet.Server) { s.SetLatency(50 * time.Millisecond) }},
		{name: "websocket dropped", inject: func(s *devnet.Server) { s.DropWebsocketAfter(1) }},
		{name: "duplicate delivery", inject: func(s *devnet.Server) { s.DuplicateDelivery(true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)))
			defer srv.Close()
			cfg := tt.cfg
			cfg.WaitTimeout = 200 * time.Millisecond
			c := client(t, cfg, srv.URL)
			if _, err := c.Info(ctxT(t)); err != nil { // clock read before the fault
				t.Fatal(err)
			}
			tt.inject(srv)
			m := message(t, addr(1), time.Minute)
			tx, err := c.SendAndWait(ctxT(t), m)
			if tt.check != nil {
				tt.check(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tx.InMsg != m.ID() {
				t.Errorf("transaction of %s, want %s", tx.InMsg, m.ID())
			}
			if n := len(srv.Transactions()); n != 1 {
				t.Errorf("%d transactions", n)
			}
		})
	}
}

func TestFailoverBetweenEmulators(t *testing.T) {
	down := devnet.NewServer()
	downURL := down.URL
	down.Close()
	broken := devnet.NewServer()
	defer broken.Close()
	broken.FailRequests(-1, 502)
	good := devnet.NewServer(devnet.WithAccounts(active(1, 7)))
	defer good.Close()
	for _, sel := range []everos.Selection{everos.InOrder, everos.ByLatency} {
		c := client(t, everos.Config{Selection: sel}, downURL, broken.URL, good.URL)
		a, err := c.Account(ctxT(t), addr(1))
		if err != nil || a.Balance.Int64() != 7 {
			t.Errorf("selection %v: %+v %v", sel, a, err)
		}
		if c.Endpoints()[0] != good.URL {
			t.Errorf("selection %v: preferred %s", sel, c.Endpoints()[0])
		}
	}
}

func TestSecret(t *testing.T) {
	for _, secret := range []string{"project-secret", "header.payload.sig"} {
		srv := devnet.NewServer(devnet.WithSecret(secret), devnet.WithAccounts(active(1, 1)))
		defer srv.Close()
		if _, err := client(t, everos.Config{Secret: "wrong"}, srv.URL).Info(ctxT(t)); err == nil {
			t.Error("wrong secret accepted")
		}
		c := client(t, everos.Config{Secret: secret, WaitTimeout: 100 * time.Millisecond}, srv.URL)
		if _, err := c.SendAndWait(ctxT(t), message(t, addr(1), time.Minute)); err != nil {
			t.Errorf("secret %q: %v", secret, err)
		}
	}
}

func TestStateDirSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // created by the server
	srv := devnet.NewServer(devnet.WithStateDir(dir), devnet.WithAccounts(active(1, 1e9)))
	c := client(t, everos.Config{}, srv.URL)
	m := message(t, addr(1), time.Minute)
	tx, err := c.SendAndWait(ctxT(t), m)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := srv.Account(addr(1))
	srv.Close()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n != "everos-state.json" && n != "everos-journal.jsonl" && n != "validator.key" {
			t.Errorf("state directory holds %s, want only the state, its journal and the validator's key (no temporary files left)", n)
		}
	}
	// Restarted with other genesis accounts: the saved state wins.
	srv2 := devnet.NewServer(devnet.WithStateDir(dir), devnet.WithAccounts(active(2, 5)))
	defer srv2.Close()
	c2 := client(t, everos.Config{}, srv2.URL)
	after, err := c2.Account(ctxT(t), addr(1))
	if err != nil || after.LastTransLt != before.LastTransLt || after.Balance.Cmp(before.Balance) != 0 || string(after.BOC) != string(before.BOC) {
		t.Errorf("after restart %+v %v, before %+v", after, err, before)
	}
	if a2, _ := c2.Account(ctxT(t), addr(2)); a2.Exists() {
		t.Error("genesis accounts applied over a saved state")
	}
	again, err := c2.WaitForTransaction(ctxT(t), m.Hash, m.ExpireAt)
	if err != nil || again.ID != tx.ID {
		t.Errorf("transaction after restart: %+v %v", again, err)
	}
	// A new transaction continues the logical time.
	tx2, err := c2.SendAndWait(ctxT(t), message(t, addr(1), time.Minute))
	if err != nil || tx2.Lt <= tx.Lt {
		t.Errorf("lt after restart %v, before %d (%v)", tx2, tx.Lt, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "everos-state.json"), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := devnet.Start(devnet.WithStateDir(dir)); err == nil {
		t.Error("started from a corrupt state file")
	}
}

func TestStartErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := devnet.Start(devnet.WithAddr(ln.Addr().String())); err == nil {
		t.Error("started on a busy port")
	}
	if _, err := devnet.Start(devnet.WithAccounts(devnet.Account{Address: "bogus", Type: account.Active})); err == nil {
		t.Error("started with a bad account")
	}
}
