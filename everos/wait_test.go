package everos

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tidwall/gjson"
)

var testHash = [32]byte{0xde, 0xad, 0xbe, 0xef, 31: 1}

const testHashHex = "deadbeef00000000000000000000000000000000000000000000000000000001"

func txJSON(aborted bool, exit int) string {
	return `{"id":"` + strings.Repeat("ab", 32) + `","in_msg":"` + testHashHex + `","aborted":` +
		map[bool]string{true: "true", false: "false"}[aborted] + `,"status":3,"now":1700000000,"lt":"4242","end_status":1,` +
		`"compute":{"compute_type":1,"skipped_reason":null,"success":` + map[bool]string{true: "false", false: "true"}[aborted] +
		`,"exit_code":` + itoa(int64(exit)) + `},"action":{"success":true,"result_code":0}}`
}

// chain is a scripted server: its clock, and after how many transaction
// queries the transaction shows up (-1: never).
type chain struct {
	offset   atomic.Int64 // server clock minus real clock, ms
	txAfter  atomic.Int64
	txCalls  atomic.Int64
	posted   atomic.Int64
	aborted  bool
	mu       sync.Mutex
	postVars []gjson.Result
}

func (ch *chain) handle(_ int, r fakeReq) (int, string) {
	switch r.Query {
	case queryInfo:
		return ok(infoAt(time.Now().UnixMilli() + ch.offset.Load()))
	case mutationPostRequests:
		ch.posted.Add(1)
		ch.mu.Lock()
		ch.postVars = append(ch.postVars, r.Vars)
		ch.mu.Unlock()
		return ok(`{"postRequests":[null]}`)
	case queryTransactionByInMsg:
		if r.Vars.Get("h").String() != testHashHex {
			return 200, `{"errors":[{"message":"unexpected hash"}]}`
		}
		n := ch.txCalls.Add(1)
		if a := ch.txAfter.Load(); a >= 0 && n > a {
			return ok(`{"transactions":[` + txJSON(ch.aborted, 0) + `]}`)
		}
		if w := r.Vars.Get("t").Int(); w > 0 {
			time.Sleep(time.Duration(min(w, 30)) * time.Millisecond)
		}
		return ok(`{"transactions":[]}`)
	}
	return 400, `{"errors":[{"message":"unknown query","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`
}

func TestSendMessage(t *testing.T) {
	ch := &chain{}
	f := newFake(t, ch.handle)
	c := testClient(t, Config{}, f.srv.URL)
	exp := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	boc := []byte{0xb5, 0xee, 0x9c, 0x72, 1, 2, 3}
	if err := c.SendMessage(t.Context(), Message{BOC: boc, Hash: testHash, ExpireAt: exp}); err != nil {
		t.Fatal(err)
	}
	r := ch.postVars[0].Get("requests.0")
	if r.Get("id").String() != base64.StdEncoding.EncodeToString(testHash[:]) ||
		r.Get("body").String() != base64.StdEncoding.EncodeToString(boc) ||
		r.Get("expireAt").Int() != exp.UnixMilli() {
		t.Errorf("postRequests variables %s", r.Raw)
	}
	// Without expiry no clock is needed and expireAt is left out.
	if err := c.SendMessage(t.Context(), Message{BOC: boc, Hash: testHash}); err != nil {
		t.Fatal(err)
	}
	if ch.postVars[1].Get("requests.0.expireAt").Exists() {
		t.Error("expireAt sent for a message without expiry")
	}
}

func TestSendMessageRefused(t *testing.T) {
	tests := []struct {
		name     string
		offset   time.Duration // server clock ahead of ours
		expire   time.Duration // from our clock
		boc      []byte
		wantErr  error
		wantText string
	}{
		{name: "already expired by server clock", offset: time.Hour, expire: time.Minute, boc: []byte{1}, wantErr: ErrMessageExpired},
		{name: "already expired", expire: -time.Second, boc: []byte{1}, wantErr: ErrMessageExpired},
		{name: "empty", expire: time.Minute, wantText: "empty BOC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &chain{}
			ch.offset.Store(tt.offset.Milliseconds())
			f := newFake(t, ch.handle)
			c := testClient(t, Config{}, f.srv.URL)
			err := c.SendMessage(t.Context(), Message{BOC: tt.boc, Hash: testHash, ExpireAt: time.Now().Add(tt.expire)})
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) || tt.wantText != "" && (err == nil || !strings.Contains(err.Error(), tt.wantText)) {
				t.Errorf("error %v", err)
			}
			if ch.posted.Load() != 0 {
				t.Error("message was posted")
			}
		})
	}
}

func TestSendMessageServerError(t *testing.T) {
	f := newFake(t, func(int, fakeReq) (int, string) {
		return 200, `{"data":{"postRequests":null},"errors":[{"message":"Kafka is down","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`
	})
	c := testClient(t, Config{}, f.srv.URL)
	err := c.SendMessage(t.Context(), Message{BOC: []byte{1}, Hash: testHash})
	var ge *GraphQLError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "Kafka is down") {
		t.Errorf("error %v", err)
	}
}

func TestWaitPolling(t *testing.T) {
	tests := []struct {
		name     string
		txAfter  int64
		offset   time.Duration
		expire   time.Duration // 0: no expiry
		aborted  bool
		wantErr  error
		minCalls int64
	}{
		{name: "found at once", txAfter: 0, expire: time.Minute, minCalls: 1},
		{name: "found after waits", txAfter: 3, expire: time.Minute, minCalls: 4},
		{name: "no expiry", txAfter: 2, minCalls: 3},
		{name: "aborted transaction", txAfter: 1, expire: time.Minute, aborted: true, minCalls: 2},
		{name: "expired", txAfter: -1, expire: 200 * time.Millisecond, wantErr: ErrMessageExpired, minCalls: 2},
		{name: "expired by server clock", txAfter: -1, offset: time.Hour, expire: time.Minute, wantErr: ErrMessageExpired, minCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &chain{aborted: tt.aborted}
			ch.txAfter.Store(tt.txAfter)
			ch.offset.Store(tt.offset.Milliseconds())
			f := newFake(t, ch.handle)
			c := testClient(t, Config{DisableSubscriptions: true, WaitTimeout: 20 * time.Millisecond, ExpiryGrace: 10 * time.Millisecond}, f.srv.URL)
			var exp time.Time
			if tt.expire != 0 {
				exp = time.Now().Add(tt.expire)
			}
			tx, err := c.WaitForTransaction(t.Context(), testHash, exp)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkTx(t, tx, tt.aborted)
			if n := ch.txCalls.Load(); n < tt.minCalls {
				t.Errorf("%d transaction queries, want at least %d", n, tt.minCalls)
			}
		})
	}
}

func checkTx(t *testing.T, tx *Transaction, aborted bool) {
	t.Helper()
	want := Transaction{ID: strings.Repeat("ab", 32), InMsg: testHashHex, Aborted: aborted, Status: 3,
		Now: time.Unix(1700000000, 0), Lt: 4242, EndStatus: Active, ComputeSuccess: !aborted, ActionSuccess: true}
	if tx == nil || *tx != want {
		t.Errorf("transaction %+v\nwant        %+v", tx, want)
	}
}

func TestWaitServerTimeoutPassed(t *testing.T) {
	ch := &chain{}
	ch.txAfter.Store(-1)
	var maxT atomic.Int64
	f := newFake(t, func(n int, r fakeReq) (int, string) {
		if r.Query == queryTransactionByInMsg {
			if v := r.Vars.Get("t").Int(); v > maxT.Load() {
				maxT.Store(v)
			}
		}
		return ch.handle(n, r)
	})
	c := testClient(t, Config{DisableSubscriptions: true, WaitTimeout: 40 * time.Second, ExpiryGrace: time.Millisecond}, f.srv.URL)
	_, err := c.WaitForTransaction(t.Context(), testHash, time.Now().Add(300*time.Millisecond))
	if !errors.Is(err, ErrMessageExpired) {
		t.Fatal(err)
	}
	// The server-side wait never reaches past the expiry.
	if m := maxT.Load(); m <= 0 || m > 400 {
		t.Errorf("largest server-side wait %d ms", m)
	}
}

// wsScript serves the graphql-ws protocol: it checks the handshake, then
// runs then(conn, startPayload).
func wsScript(t *testing.T, auth string, then func(*websocket.Conn, gjson.Result)) func(*websocket.Conn) {
	return func(conn *websocket.Conn) {
		var m wsMessage
		if err := conn.ReadJSON(&m); err != nil || m.Type != wsConnectionInit {
			t.Errorf("first message %+v, %v", m, err)
			return
		}
		if got := gjson.GetBytes(m.Payload, "Authorization").String(); got != auth {
			t.Errorf("connection_init Authorization %q, want %q", got, auth)
		}
		conn.WriteJSON(wsMessage{Type: wsKeepAlive})
		conn.WriteJSON(wsMessage{Type: wsConnectionAck})
		if err := conn.ReadJSON(&m); err != nil || m.Type != wsStart || m.ID != "1" {
			t.Errorf("start message %+v, %v", m, err)
			return
		}
		p := gjson.ParseBytes(m.Payload)
		if p.Get("query").String() != subscriptionTransactionByInMsg || p.Get("variables.h").String() != testHashHex {
			t.Errorf("start payload %s", m.Payload)
		}
		then(conn, p)
	}
}

func dataMsg(payload string) wsMessage {
	return wsMessage{ID: "1", Type: wsData, Payload: json.RawMessage(payload)}
}

func TestWaitSubscription(t *testing.T) {
	type script = func(*websocket.Conn, gjson.Result)
	stopSeen := make(chan string, 10)
	untilStop := func(conn *websocket.Conn) {
		for {
			var m wsMessage
			if conn.ReadJSON(&m) != nil {
				return
			}
			stopSeen <- m.Type
		}
	}
	tests := []struct {
		name      string
		script    script
		txAfter   int64 // for the polling fallback
		expire    time.Duration
		wantErr   error
		wantPolls bool // did it have to fall back to polling
		wantStop  bool
	}{
		{name: "data", txAfter: -1, expire: time.Minute, wantStop: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.WriteJSON(wsMessage{Type: wsKeepAlive})
			c.WriteJSON(dataMsg(`{"data":{"transactions":` + txJSON(false, 0) + `}}`))
			untilStop(c)
		}},
		{name: "data of other messages first", txAfter: -1, expire: time.Minute, wantStop: true, script: func(c *websocket.Conn, _ gjson.Result) {
			// An aborted transaction of another message, and one naming no
			// message, must not be taken for this message's (which succeeds).
			other := strings.Replace(txJSON(true, 7), testHashHex, strings.Repeat("0f", 32), 1)
			noMsg := strings.Replace(txJSON(true, 7), `"in_msg":"`+testHashHex+`",`, "", 1)
			c.WriteJSON(dataMsg(`{"data":{"transactions":` + other + `}}`))
			c.WriteJSON(dataMsg(`{"data":{"transactions":` + noMsg + `}}`))
			c.WriteJSON(dataMsg(`{"data":{"transactions":` + txJSON(false, 0) + `}}`))
			untilStop(c)
		}},
		{name: "duplicate data", txAfter: -1, expire: time.Minute, wantStop: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.WriteJSON(dataMsg(`{"data":{"transactions":` + txJSON(false, 0) + `}}`))
			c.WriteJSON(dataMsg(`{"data":{"transactions":` + txJSON(false, 0) + `}}`))
			untilStop(c)
		}},
		{name: "dropped", txAfter: 1, expire: time.Minute, wantPolls: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.Close()
		}},
		{name: "error payload", txAfter: 1, expire: time.Minute, wantPolls: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.WriteJSON(wsMessage{ID: "1", Type: wsError, Payload: json.RawMessage(`[{"message":"subscriptions disabled"}]`)})
			untilStop(c)
		}},
		{name: "errors in data", txAfter: 1, expire: time.Minute, wantPolls: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.WriteJSON(dataMsg(`{"errors":[{"message":"boom"}]}`))
			untilStop(c)
		}},
		{name: "complete", txAfter: 1, expire: time.Minute, wantPolls: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.WriteJSON(wsMessage{ID: "1", Type: wsComplete})
			untilStop(c)
		}},
		{name: "garbage data", txAfter: 1, expire: time.Minute, wantPolls: true, script: func(c *websocket.Conn, _ gjson.Result) {
			c.WriteJSON(dataMsg(`{"data":{"transactions":42}}`))
			untilStop(c)
		}},
		{name: "silent until expiry", txAfter: -1, expire: 300 * time.Millisecond, wantErr: ErrMessageExpired, wantStop: true, script: func(c *websocket.Conn, _ gjson.Result) {
			untilStop(c)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for len(stopSeen) > 0 {
				<-stopSeen
			}
			ch := &chain{}
			// The first query (before listening) finds nothing.
			ch.txAfter.Store(tt.txAfter)
			if tt.txAfter < 0 {
				ch.txAfter.Store(-1)
			}
			f := newFake(t, ch.handle)
			f.ws = wsScript(t, AuthHeader("k"), tt.script)
			c := testClient(t, Config{Secret: "k", WaitTimeout: 20 * time.Millisecond, ExpiryGrace: 10 * time.Millisecond}, f.srv.URL)
			tx, err := c.WaitForTransaction(t.Context(), testHash, time.Now().Add(tt.expire))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				checkTx(t, tx, false)
			}
			if polled := ch.txCalls.Load() > 1; polled != tt.wantPolls && tt.wantErr == nil {
				t.Errorf("polled %v (%d queries), want %v", polled, ch.txCalls.Load(), tt.wantPolls)
			}
			if tt.wantStop {
				// Other messages may come first: the previous case's
				// connection_terminate can arrive after the channel was
				// drained. What matters is that a stop comes.
				deadline := time.After(2 * time.Second)
				for stopped := false; !stopped; {
					select {
					case typ := <-stopSeen:
						stopped = typ == wsStop
					case <-deadline:
						t.Error("client did not send stop")
						stopped = true
					}
				}
			}
		})
	}
}

func TestWaitSubscriptionRefused(t *testing.T) {
	tests := []struct {
		name string
		ws   func(*websocket.Conn)
	}{
		{"no websocket", nil},
		{"connection_error", func(c *websocket.Conn) {
			var m wsMessage
			c.ReadJSON(&m)
			c.WriteJSON(wsMessage{Type: wsConnectionError, Payload: json.RawMessage(`{"message":"Unauthorized"}`)})
		}},
		{"unexpected first message", func(c *websocket.Conn) {
			var m wsMessage
			c.ReadJSON(&m)
			c.WriteJSON(wsMessage{Type: "next"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &chain{}
			ch.txAfter.Store(2)
			f := newFake(t, ch.handle)
			f.ws = tt.ws
			c := testClient(t, Config{WaitTimeout: 20 * time.Millisecond}, f.srv.URL)
			if _, err := c.subscribe(t.Context(), testHashHex); err == nil {
				t.Error("subscribe succeeded")
			}
			tx, err := c.WaitForTransaction(t.Context(), testHash, time.Now().Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			checkTx(t, tx, false)
		})
	}
}

func TestSendAndWait(t *testing.T) {
	ch := &chain{}
	ch.txAfter.Store(-1)
	started := make(chan struct{})
	var once sync.Once
	f := newFake(t, ch.handle)
	f.ws = wsScript(t, "", func(c *websocket.Conn, _ gjson.Result) {
		once.Do(func() { close(started) })
		// Deliver once the message is posted.
		for ch.posted.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		c.WriteJSON(dataMsg(`{"data":{"transactions":` + txJSON(false, 0) + `}}`))
		var m wsMessage
		c.ReadJSON(&m)
	})
	c := testClient(t, Config{}, f.srv.URL)
	tx, err := c.SendAndWait(t.Context(), Message{BOC: []byte{1, 2}, Hash: testHash, ExpireAt: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	checkTx(t, tx, false)
	select {
	case <-started:
	default:
		t.Error("message sent before the subscription started")
	}
	// Expired before sending: nothing is sent.
	_, err = c.SendAndWait(t.Context(), Message{BOC: []byte{1, 2}, Hash: testHash, ExpireAt: time.Now().Add(-time.Second)})
	if !errors.Is(err, ErrMessageExpired) || ch.posted.Load() != 1 {
		t.Errorf("error %v, posted %d", err, ch.posted.Load())
	}
}

func TestWaitContextCancelled(t *testing.T) {
	ch := &chain{}
	ch.txAfter.Store(-1)
	f := newFake(t, ch.handle)
	f.ws = wsScript(t, "", func(c *websocket.Conn, _ gjson.Result) {
		var m wsMessage
		c.ReadJSON(&m)
	})
	for _, disable := range []bool{false, true} {
		c := testClient(t, Config{DisableSubscriptions: disable, WaitTimeout: 20 * time.Millisecond}, f.srv.URL)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		_, err := c.WaitForTransaction(ctx, testHash, time.Time{})
		cancel()
		if err == nil || errors.Is(err, ErrMessageExpired) {
			t.Errorf("subscriptions disabled %v: error %v", disable, err)
		}
	}
}

func TestLogfReportsFallbacks(t *testing.T) {
	ch := &chain{}
	ch.txAfter.Store(2)
	f := newFake(t, failThen(0, 0, "", ""))
	f.handle = func(n int, r fakeReq) (int, string) {
		if n == 0 {
			return 503, "busy"
		}
		return ch.handle(n, r)
	}
	var mu sync.Mutex
	var logs []string
	c := testClient(t, Config{WaitTimeout: 20 * time.Millisecond, Logf: func(format string, args ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}}, f.srv.URL)
	if _, err := c.WaitForTransaction(t.Context(), testHash, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	joined := strings.Join(logs, "\n")
	if !strings.Contains(joined, "retrying") || !strings.Contains(joined, "cannot subscribe") {
		t.Errorf("logs:\n%s", joined)
	}
}

// A server that answers at once although asked to wait is not asked again
// at once.
func TestPollingServerIgnoresWait(t *testing.T) {
	ch := &chain{}
	ch.txAfter.Store(-1)
	var calls atomic.Int64
	f := newFake(t, func(n int, r fakeReq) (int, string) {
		if r.Query == queryTransactionByInMsg {
			calls.Add(1)
			return ok(`{"transactions":[]}`)
		}
		return ch.handle(n, r)
	})
	c := testClient(t, Config{DisableSubscriptions: true, WaitTimeout: 200 * time.Millisecond}, f.srv.URL)
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	c.WaitForTransaction(ctx, testHash, time.Time{})
	if n := calls.Load(); n < 2 || n > 8 {
		t.Errorf("%d queries in 1s with a 200ms wait", n)
	}
}
