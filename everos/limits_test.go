package everos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestCheckDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"empty", ``, false},
		{"a GraphQL answer", `{"data":{"accounts":[{"id":"0:1","boc":"te6c"}]}}`, false},
		{"at the limit", nest(MaxResponseDepth), false},
		{"one past the limit", nest(MaxResponseDepth + 1), true},
		{"unclosed openers", strings.Repeat("[", 8<<10), true},
		{"objects", strings.Repeat(`{"a":`, MaxResponseDepth+1), true},
		{"brackets inside a string", `["` + strings.Repeat("[", 1000) + `"]`, false},
		{"escaped quote keeps the string open", `["\"` + strings.Repeat("[", 1000) + `"]`, false},
		{"escaped backslash closes the string", `["\\"` + strings.Repeat("[", MaxResponseDepth) + `]`, true},
		{"unterminated string", `["` + strings.Repeat("[", 1000), false},
		{"closers do not hide openers", strings.Repeat("]", 1000) + strings.Repeat("[", MaxResponseDepth+1), true},
		{"siblings do not add up", strings.Repeat(nest(MaxResponseDepth), 100), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDepth([]byte(tt.in), MaxResponseDepth)
			if (err != nil) != tt.wantErr {
				t.Fatalf("checkDepth = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrResponseLimit) {
				t.Fatalf("checkDepth = %v, want ErrResponseLimit", err)
			}
		})
	}
}

func TestReadLimited(t *testing.T) {
	tests := []struct {
		size, limit int64
		wantErr     bool
	}{
		{0, 10, false},
		{10, 10, false},
		{11, 10, true},
		{1 << 20, 10, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.size, tt.limit), func(t *testing.T) {
			r := &countingReader{r: io.LimitReader(zeros{}, tt.size)}
			raw, err := readLimited(r, tt.limit)
			if (err != nil) != tt.wantErr {
				t.Fatalf("readLimited = %d bytes, %v; want error %v", len(raw), err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrResponseLimit) {
				t.Fatalf("readLimited: %v, want ErrResponseLimit", err)
			}
			if err == nil && int64(len(raw)) != tt.size {
				t.Fatalf("read %d bytes, want %d", len(raw), tt.size)
			}
			if r.n.Load() > tt.limit+1 {
				t.Fatalf("consumed %d bytes with a limit of %d", r.n.Load(), tt.limit)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// countingTransport counts the response body bytes its client reads.
type countingTransport struct{ read atomic.Int64 }

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.read}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// hostile is an httptest server that writes what write writes and counts
// the requests it got.
func hostile(t *testing.T, write func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	var reqs atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		write(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

// endless writes chunk until the client goes away.
func endless(chunk []byte) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// TestHostileAnswers: answers built to exhaust the client end in one
// ErrResponseLimit error line, after one request and a bounded read.
func TestHostileAnswers(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name  string
		write func(w http.ResponseWriter, r *http.Request)
		// readNone: the client refuses the body from its header alone.
		readNone bool
	}{
		{"deep nesting", func(w http.ResponseWriter, _ *http.Request) {
			w.Write(bytes.Repeat([]byte("["), 512<<10))
		}, false},
		{"deep objects in data", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"data":`+strings.Repeat(`{"a":`, 10000))
		}, false},
		{"huge body", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"data":{"info":{"version":"`+strings.Repeat("x", 4*limit)+`"}}}`)
		}, false},
		{"announced huge body", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "1099511627776")
			w.WriteHeader(http.StatusOK)
			w.Write(bytes.Repeat([]byte(" "), 64<<10))
		}, true},
		{"endless body", endless(bytes.Repeat([]byte(" "), 64<<10)), false},
		{"endless nesting", endless(bytes.Repeat([]byte("["), 64<<10)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, reqs := hostile(t, tt.write)
			tr := &countingTransport{}
			c := testClient(t, Config{MaxResponseSize: limit, HTTPClient: &http.Client{Transport: tr}}, srv.URL+"/graphql")
			_, err := c.Info(t.Context())
			if !errors.Is(err, ErrResponseLimit) {
				t.Fatalf("Info: %v, want ErrResponseLimit", err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || len(msg) > 300 {
				t.Fatalf("error is not one short line: %q", msg)
			}
			if n := reqs.Load(); n != 1 {
				t.Fatalf("%d requests, want 1 (an answer over the limits is not retried)", n)
			}
			if n := tr.read.Load(); n > limit+1 || (tt.readNone && n > 0) {
				t.Fatalf("read %d bytes of the body with a limit of %d", n, limit)
			}
		})
	}
}

// TestSlowDrip: a body that trickles forever ends with the caller's context.
func TestSlowDrip(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":`)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
		}
	})
	c := testClient(t, Config{}, srv.URL+"/graphql")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Info(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Info: %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Info returned %v after its context ended", d)
	}
}

// TestLargeLegitimateAnswer: one answer of a thousand accounts with their
// BOCs fits the default limit.
func TestLargeLegitimateAnswer(t *testing.T) {
	const n = 1000
	boc := strings.Repeat("te6c", 4<<10) // 16 KiB of base64
	addrs := make([]string, n)
	var body strings.Builder
	body.WriteString(`{"data":{"accounts":[`)
	for i := range addrs {
		addrs[i] = addr(i + 1)
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"id":%q,"acc_type":1,"balance":"1","boc":%q,"code":%q,"data":"BAUG","last_trans_lt":"1"}`, addrs[i], boc, boc)
	}
	body.WriteString(`]}}`)
	if body.Len() < 30<<20 || body.Len() > DefaultMaxResponseSize {
		t.Fatalf("answer of %d bytes; the test wants one just under the default limit", body.Len())
	}
	srv, reqs := hostile(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body.String()) })
	c := testClient(t, Config{AccountsPerRequest: n}, srv.URL+"/graphql")
	accs, err := c.Accounts(t.Context(), addrs)
	if err != nil {
		t.Fatal(err)
	}
	if len(accs) != n || reqs.Load() != 1 || accs[n-1].Type != Active {
		t.Fatalf("%d accounts in %d requests, last %+v", len(accs), reqs.Load(), accs[n-1])
	}
}

// TestHostileFrames: websocket frames over the limits end the subscription
// (or its handshake) with ErrResponseLimit, which waiting turns into polling.
func TestHostileFrames(t *testing.T) {
	const limit = 64 << 10
	ack := []byte(`{"type":"connection_ack"}`)
	deep := bytes.Repeat([]byte("["), 1<<20)
	huge := []byte(`{"type":"ka","payload":"` + strings.Repeat("x", 2*limit) + `"}`)
	tests := []struct {
		name          string
		frames        [][]byte
		wantHandshake bool // the handshake itself fails
	}{
		{"deep frame before the ack", [][]byte{deep}, true},
		{"huge frame before the ack", [][]byte{huge}, true},
		{"deep frame after the ack", [][]byte{ack, deep}, false},
		{"deep payload after the ack", [][]byte{ack, []byte(`{"type":"data","id":"1","payload":` + strings.Repeat(`{"a":`, 100) + `}`)}, false},
		{"huge frame after the ack", [][]byte{ack, huge}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				up := websocket.Upgrader{Subprotocols: []string{wsProtocol}}
				conn, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
				conn.ReadMessage() // connection_init
				for _, f := range tt.frames {
					if conn.WriteMessage(websocket.TextMessage, f) != nil {
						return
					}
				}
				conn.ReadMessage() // until the client goes away
			}))
			defer srv.Close()
			c := testClient(t, Config{MaxResponseSize: limit}, srv.URL+"/graphql")
			sub, err := c.subscribe(t.Context(), strings.Repeat("cd", 32))
			if tt.wantHandshake {
				if !errors.Is(err, ErrResponseLimit) {
					t.Fatalf("subscribe: %v, want ErrResponseLimit", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer sub.close()
			select {
			case ev := <-sub.events:
				if !errors.Is(ev.err, ErrResponseLimit) || !errors.Is(ev.err, errSubscription) {
					t.Fatalf("event %+v, want a failed subscription with ErrResponseLimit", ev)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no event")
			}
		})
	}
}
