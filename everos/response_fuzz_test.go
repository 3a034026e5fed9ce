package everos

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// cannedServer answers every GraphQL request with the same status and body
// and every websocket upgrade with the same frames: what a fuzz input makes
// a server say.
type cannedServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status int
	body   []byte
	frames [][]byte
}

func newCannedServer() *cannedServer {
	s := &cannedServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		status, body, frames := s.status, s.body, s.frames
		s.mu.Unlock()
		if websocket.IsWebSocketUpgrade(r) {
			up := websocket.Upgrader{Subprotocols: []string{wsProtocol}}
			conn, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer conn.Close()
			for _, f := range frames {
				if conn.WriteMessage(websocket.TextMessage, f) != nil {
					return
				}
			}
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	return s
}

func (s *cannedServer) set(status int, body []byte, frames [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body, s.frames = status, body, frames
}

func (s *cannedServer) client(tb testing.TB) *Client {
	c, err := New(Config{
		Endpoints:      []string{s.srv.URL + "/graphql"},
		MaxRetries:     -1,
		RequestTimeout: 2 * time.Second,
		WaitTimeout:    time.Millisecond,
	})
	if err != nil {
		tb.Fatal(err)
	}
	// Every input gets a client of its own; its connections must not
	// outlive it.
	tb.Cleanup(c.http.CloseIdleConnections)
	return c
}

const (
	fuzzAddrA = "0:00000000000000000000000000000000000000000000000000000000000000aa"
	fuzzAddrB = "0:00000000000000000000000000000000000000000000000000000000000000bb"
)

// FuzzClientResponses feeds one server answer to every reader of the
// client: single and batched accounts, the transaction of a message, the
// server's info and a posted message. None may panic, and what they return
// must be about what was asked: an account for each address asked, in
// order, and transactions with an id.
func FuzzClientResponses(f *testing.F) {
	acc := func(addr, typ string) string {
		return `{"id":"` + addr + `","acc_type":` + typ + `,"balance":"1000","code_hash":"ab","boc":"te6c","last_trans_lt":"7","last_paid":5}`
	}
	f.Add(200, []byte(`{"data":{"accounts":[`+acc(fuzzAddrA, "1")+`,`+acc(fuzzAddrB, "0")+`]}}`))
	f.Add(200, []byte(`{"data":{"accounts":[`+acc("0:"+strings.Repeat("C", 64), "3")+`]}}`))
	f.Add(200, []byte(`{"data":{"accounts":[{"id":"`+fuzzAddrA+`","acc_type":"1"}]}}`))
	f.Add(200, []byte(`{"data":{"transactions":[{"id":"ab","in_msg":"cd","lt":"0x1","aborted":false,"compute":{"compute_type":1,"exit_code":0}}]}}`))
	f.Add(200, []byte(`{"data":{"transactions":[{"lt":"-1"}]}}`))
	f.Add(200, []byte(`{"data":{"info":{"version":"0.67","time":1700000000000,"latency":3}}}`))
	f.Add(200, []byte(`{"data":{"postRequests":["x"]}}`))
	f.Add(200, []byte(`{"data":null,"errors":[{"message":"bad","extensions":{"code":"X"}}]}`))
	f.Add(429, []byte(`{"errors":[]}`))
	f.Add(200, []byte(`{"data":{"accounts":[`))
	f.Add(200, []byte(strings.Repeat("[", 100<<10)))
	f.Add(200, []byte(`{"data":{"accounts":[`+strings.Repeat(`{"id":[`, 40)))
	srv := newCannedServer()
	defer srv.srv.Close()
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			// Outside 2xx-5xx net/http itself is the reader (1xx
			// switches protocols and holds the connection open).
			status = 200
		}
		srv.set(status, body, nil)
		c := srv.client(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()

		asked := []string{fuzzAddrA, fuzzAddrB, fuzzAddrA}
		if accs, err := c.Accounts(ctx, asked); err == nil {
			if len(accs) != len(asked) {
				t.Fatalf("%d accounts for %d addresses", len(accs), len(asked))
			}
			for i, a := range accs {
				if a == nil || a.Address != asked[i] || a.Balance == nil {
					t.Fatalf("account %d is %+v, asked for %s", i, a, asked[i])
				}
			}
		}
		if a, err := c.Account(ctx, fuzzAddrB); err == nil && (a == nil || a.Address != fuzzAddrB || a.Balance == nil) {
			t.Fatalf("account %+v, asked for %s", a, fuzzAddrB)
		}
		if tx, err := c.findTransaction(ctx, strings.Repeat("cd", 32), 0); err == nil && tx != nil && tx.ID == "" {
			t.Fatalf("transaction without an id: %+v", tx)
		}
		if info, err := c.Info(ctx); err == nil && info.Time.IsZero() {
			t.Fatalf("info without a time: %+v", info)
		}
		_ = c.SendMessage(ctx, Message{BOC: []byte{1}, Hash: [32]byte{1}})
	})
}

// FuzzSubscription feeds websocket frames (one per line of the input) to a
// transaction subscription: the handshake and the reader may fail but not
// panic or hang, and a transaction they deliver has an id.
func FuzzSubscription(f *testing.F) {
	tx := `{"id":"ab","in_msg":"` + strings.Repeat("cd", 32) + `","lt":"5","compute":{"compute_type":1,"exit_code":0}}`
	f.Add([]byte(`{"type":"connection_ack"}` + "\n" + `{"type":"data","id":"1","payload":{"data":{"transactions":` + tx + `}}}`))
	f.Add([]byte(`{"type":"ka"}` + "\n" + `{"type":"connection_ack"}` + "\n" + `{"type":"ka"}` + "\n" + `{"type":"complete","id":"1"}`))
	f.Add([]byte(`{"type":"connection_ack"}` + "\n" + `{"type":"data","id":"1","payload":{"errors":[{"message":"no"}]}}`))
	f.Add([]byte(`{"type":"connection_error","payload":[{"message":"unauthorized"}]}`))
	f.Add([]byte(`{"type":"connection_ack"}` + "\n" + `{"type":"error","id":"1","payload":{"message":"x"}}`))
	f.Add([]byte(`{"type":"connection_ack"}` + "\n" + `{"type":"data","id":"1","payload":{"data":{"transactions":null}}}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(strings.Repeat("[", 100<<10)))
	f.Add([]byte(`{"type":"connection_ack"}` + "\n" + `{"type":"data","id":"1","payload":` + strings.Repeat(`{"data":[`, 40)))
	srv := newCannedServer()
	defer srv.srv.Close()
	f.Fuzz(func(t *testing.T, in []byte) {
		frames := bytes.Split(in, []byte("\n"))
		if len(frames) > 64 {
			frames = frames[:64]
		}
		srv.set(200, []byte(`{"data":{}}`), frames)
		c := srv.client(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sub, err := c.subscribe(ctx, strings.Repeat("cd", 32))
		if err != nil {
			return
		}
		defer sub.close()
		for range len(frames) + 1 {
			select {
			case ev := <-sub.events:
				if ev.err != nil {
					if !errors.Is(ev.err, errSubscription) {
						t.Fatalf("subscription error %v does not say the subscription failed", ev.err)
					}
					return
				}
				if ev.tx == nil || ev.tx.ID == "" {
					t.Fatalf("event without a transaction id: %+v", ev.tx)
				}
			case <-ctx.Done():
				t.Fatalf("the reader neither delivered nor failed on %q", in)
			}
		}
	})
}

// FuzzParseBigInt reads numbers as the API writes them: what it accepts
// reads back the same from its decimal and hexadecimal forms.
func FuzzParseBigInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "0x0", "0x1f", "-0x1F", "18446744073709551616", "00012", "0x", "-", "+1", "1_000", " 1", "0X10", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseBigInt(s)
		if err != nil {
			return
		}
		if len(s) > 1000 {
			return
		}
		for _, form := range []string{n.String(), hexForm(n)} {
			m, err := ParseBigInt(form)
			if err != nil || m.Cmp(n) != 0 {
				t.Fatalf("%q read as %s, but its form %q reads as %v (%v)", s, n, form, m, err)
			}
		}
	})
}

func hexForm(n *big.Int) string {
	if n.Sign() < 0 {
		return "-0x" + new(big.Int).Neg(n).Text(16)
	}
	return "0x" + n.Text(16)
}
