package everos_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
)

// countingDevnet serves a devnet through an httptest server that counts
// websocket upgrades and the websockets still open.
type countingDevnet struct {
	*devnet.Server
	url      string
	upgrades atomic.Int64
	open     atomic.Int64
	lookups  atomic.Int64 // queries for the transaction of a message
}

func newCountingDevnet(t *testing.T, opts ...devnet.Option) *countingDevnet {
	t.Helper()
	d := &countingDevnet{Server: devnet.NewServer(opts...)}
	t.Cleanup(d.Server.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocket.IsWebSocketUpgrade(r) {
			d.upgrades.Add(1)
			d.open.Add(1)
			defer d.open.Add(-1)
		} else if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			if bytes.Contains(body, []byte("query transactions(")) {
				d.lookups.Add(1)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		d.Server.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	d.url = srv.URL + "/graphql"
	return d
}

const dst = "0:0000000000000000000000000000000000000000000000000000000000000001"

func dstAccount() devnet.Account {
	code, _ := cell.BeginCell().StoreUInt(1, 32).EndCell()
	data, _ := cell.BeginCell().StoreUInt(2, 32).EndCell()
	return devnet.Account{Address: dst, Type: account.Active, Balance: big.NewInt(1e12), Code: code.ToBOC(), Data: data.ToBOC()}
}

func messages(t *testing.T, n int) []everos.Message {
	t.Helper()
	out := make([]everos.Message, n)
	for i := range out {
		body, _ := cell.BeginCell().StoreUInt(uint64(i+1), 64).EndCell()
		to, err := cell.ParseAddress(dst)
		if err != nil {
			t.Fatal(err)
		}
		m, err := abi.NewExternalInMessage(to, nil, body).Cell()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = everos.Message{BOC: m.ToBOC(), Hash: m.Hash(), ExpireAt: time.Now().Add(time.Minute)}
	}
	return out
}

// waitAll sends and waits for every message at once and checks that each
// gets its own transaction.
func waitAll(t *testing.T, c *everos.Client, msgs []everos.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := c.SendAndWait(ctx, m)
			if err == nil && !strings.EqualFold(tx.InMsg, m.ID()) {
				err = fmt.Errorf("transaction of message %s", tx.InMsg)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
}

// eventually fails t unless cond holds within 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %s", what)
		}
	}
}

// Many concurrent waits share one websocket, which closes once unused:
// the server sees it closed and no goroutine is left behind.
func TestManyWaitsOneWebsocket(t *testing.T) {
	d := newCountingDevnet(t, devnet.WithAccounts(dstAccount()))
	// HTTP keep-alive connections have goroutines of their own (on both
	// sides, the server being in this process): the count leaves them out.
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	c, err := everos.New(everos.Config{Endpoints: []string{d.url}, WaitTimeout: time.Second, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	everos.SetWebsocketIdle(c, 200*time.Millisecond)
	if _, err := c.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	hc.CloseIdleConnections()
	time.Sleep(50 * time.Millisecond)
	base := runtime.NumGoroutine()
	waitAll(t, c, messages(t, 200))
	if n := d.upgrades.Load(); n != 1 {
		t.Errorf("%d websocket upgrades for 200 waits, want 1", n)
	}
	if n := len(d.Transactions()); n != 200 {
		t.Errorf("%d transactions, want 200", n)
	}
	eventually(t, "the server still has the websocket open", func() bool { return d.open.Load() == 0 })
	eventually(t, "goroutines left behind", func() bool {
		hc.CloseIdleConnections()
		return runtime.NumGoroutine() <= base
	})
}

// A websocket cut while transactions are awaited makes every waiter poll,
// and each still finds its transaction; the next wait opens a new
// websocket.
func TestWebsocketCutMidWait(t *testing.T) {
	const n = 50
	d := newCountingDevnet(t, devnet.WithAccounts(dstAccount()))
	var fallbacks atomic.Int64
	c, err := everos.New(everos.Config{Endpoints: []string{d.url}, WaitTimeout: 200 * time.Millisecond,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond,
		Logf: func(format string, args ...any) {
			if strings.Contains(fmt.Sprintf(format, args...), "failed, polling instead") {
				fallbacks.Add(1)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	msgs := messages(t, n+1)
	var wg sync.WaitGroup
	for i, m := range msgs[:n] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := c.WaitForTransaction(ctx, m.Hash, m.ExpireAt)
			if err != nil {
				t.Errorf("message %d: %v", i, err)
			} else if !strings.EqualFold(tx.InMsg, m.ID()) {
				t.Errorf("message %d: transaction of message %s", i, tx.InMsg)
			}
		}()
	}
	// A waiter looks for its transaction once it has subscribed.
	eventually(t, "waiters not subscribed", func() bool { return d.lookups.Load() >= n })
	d.RefuseConnections(0)
	for _, m := range msgs[:n] {
		if err := c.SendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got := fallbacks.Load(); got != n {
		t.Errorf("%d waiters fell back to polling, want %d", got, n)
	}
	if got := d.upgrades.Load(); got != 1 {
		t.Errorf("%d websocket upgrades before the cut, want 1", got)
	}
	waitAll(t, c, msgs[n:])
	if got := d.upgrades.Load(); got != 2 {
		t.Errorf("%d websocket upgrades after the cut, want 2", got)
	}
}
