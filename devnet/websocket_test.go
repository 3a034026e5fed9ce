package devnet

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/tidwall/gjson"
)

func dialWS(t *testing.T, srv *Server, protocols ...string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protocols}
	conn, _, err := d.Dial(strings.Replace(srv.URL, "http://", "ws://", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// next reads the next message that is not a keep-alive.
func next(t *testing.T, c *websocket.Conn) wsMessage {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m wsMessage
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("reading: %v", err)
		}
		if m.Type != "ka" {
			return m
		}
	}
}

func start(id, query string, vars map[string]any) wsMessage {
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return wsMessage{ID: id, Type: "start", Payload: p}
}

func TestWebsocketProtocol(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1)), WithKeepAlive(50*time.Millisecond))
	defer srv.Close()
	c := dialWS(t, srv, "graphql-ws")
	if c.Subprotocol() != "graphql-ws" {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	c.WriteJSON(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %+v, want connection_ack", m)
	}
	// Keep-alives arrive.
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var ka wsMessage
	if err := c.ReadJSON(&ka); err != nil || ka.Type != "ka" {
		t.Errorf("keep-alive: %+v %v", ka, err)
	}
	// A query over the websocket: data then complete.
	c.WriteJSON(start("q", `{info{version}}`, nil))
	if m := next(t, c); m.Type != "data" || m.ID != "q" || gjson.GetBytes(m.Payload, "data.info.version").String() != "0.67.0" {
		t.Errorf("query data %+v", m)
	}
	if m := next(t, c); m.Type != "complete" || m.ID != "q" {
		t.Errorf("query complete %+v", m)
	}
	// An invalid subscription: errors in data, then complete.
	c.WriteJSON(start("bad", `subscription{transactions{nope}}`, nil))
	if m := next(t, c); m.Type != "data" || gjson.GetBytes(m.Payload, "errors.0.extensions.code").String() != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("invalid subscription %+v", m)
	}
	next(t, c)
	// An unsupported subscription.
	c.WriteJSON(start("acc", `subscription{zerostates{id}}`, nil))
	if m := next(t, c); !strings.Contains(string(m.Payload), "not supported") {
		t.Errorf("unsupported subscription %s", m.Payload)
	}
	next(t, c)
	// Two subscriptions with different filters; each sees its own.
	b1, h1, _ := extMessage(testAddr(1), nil, cellOf(t, 1))
	b2, h2, _ := extMessage(testAddr(1), nil, cellOf(t, 2))
	q := `subscription($h:String){transactions(filter:{in_msg:{eq:$h}}){in_msg lt(format:DEC) compute{exit_code}}}`
	c.WriteJSON(start("1", q, map[string]any{"h": hexID(h1)}))
	c.WriteJSON(start("2", q, map[string]any{"h": hexID(h2)}))
	time.Sleep(50 * time.Millisecond)
	srv.Deliver(b2, time.Time{})
	srv.Deliver(b1, time.Time{})
	got := map[string]string{}
	for range 2 {
		m := next(t, c)
		got[m.ID] = gjson.GetBytes(m.Payload, "data.transactions.in_msg").String()
	}
	if got["1"] != hexID(h1) || got["2"] != hexID(h2) {
		t.Errorf("deliveries %v", got)
	}
	// After stop, nothing more is delivered for that id.
	c.WriteJSON(wsMessage{ID: "1", Type: "stop"})
	if m := next(t, c); m.Type != "complete" || m.ID != "1" {
		t.Errorf("stop answered with %+v", m)
	}
	c.WriteJSON(wsMessage{Type: "connection_terminate"})
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		var m wsMessage
		if err := c.ReadJSON(&m); err != nil {
			break
		}
		if m.Type != "ka" {
			t.Errorf("after terminate: %+v", m)
		}
	}
}

func cellOf(t *testing.T, n uint64) *cell.Cell {
	c, err := cell.BeginCell().StoreUInt(n, 64).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWebsocketAuthAndProtocol(t *testing.T) {
	srv := NewServer(WithSecret("k"))
	defer srv.Close()
	// Without the subprotocol the server closes the connection.
	c := dialWS(t, srv)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := c.ReadMessage(); err == nil {
		t.Error("connection without graphql-ws stayed open")
	}
	for _, tt := range []struct {
		payload string
		want    string
	}{
		{`{}`, "connection_error"},
		{`{"Authorization":"Basic bad"}`, "connection_error"},
		{`{"Authorization":"` + everos.AuthHeader("k") + `"}`, "connection_ack"},
	} {
		c := dialWS(t, srv, "graphql-ws")
		c.WriteJSON(wsMessage{Type: "connection_init", Payload: json.RawMessage(tt.payload)})
		if m := next(t, c); m.Type != tt.want {
			t.Errorf("payload %s: %+v, want %s", tt.payload, m, tt.want)
		}
	}
}

func TestWebsocketFaults(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1)))
	defer srv.Close()
	srv.DuplicateDelivery(true)
	c := dialWS(t, srv, "graphql-ws")
	c.WriteJSON(wsMessage{Type: "connection_init"})
	next(t, c)
	c.WriteJSON(start("1", `subscription{transactions{id}}`, nil))
	time.Sleep(50 * time.Millisecond)
	b, _, _ := extMessage(testAddr(1), nil, nil)
	srv.Deliver(b, time.Time{})
	m1, m2 := next(t, c), next(t, c)
	if m1.Type != "data" || string(m1.Payload) != string(m2.Payload) {
		t.Errorf("duplicate delivery: %+v %+v", m1, m2)
	}
	srv.ResetFaults()
	srv.DropWebsocketAfter(2)
	c2 := dialWS(t, srv, "graphql-ws")
	c2.WriteJSON(wsMessage{Type: "connection_init"})
	c2.SetReadDeadline(time.Now().Add(2 * time.Second))
	n := 0
	for {
		var m wsMessage
		if err := c2.ReadJSON(&m); err != nil {
			break
		}
		n++
	}
	if n != 2 {
		t.Errorf("connection dropped after %d messages, want 2", n)
	}
	// A failing upgrade.
	srv.ResetFaults()
	srv.FailRequests(1, http.StatusServiceUnavailable)
	d := websocket.Dialer{Subprotocols: []string{"graphql-ws"}}
	_, resp, err := d.Dial(strings.Replace(srv.URL, "http://", "ws://", 1), nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("upgrade during failure: %v %v", resp, err)
	}
}

// TestSubscriptionCollections: accounts and messages are followed as
// transactions are, each subscription seeing what its filter matches, and
// an unsupported filter is refused when the subscription starts.
func TestSubscriptionCollections(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1)))
	defer srv.Close()
	c := dialWS(t, srv, "graphql-ws")
	c.WriteJSON(wsMessage{Type: "connection_init"})
	next(t, c)
	in := must(BuildInternalMessage(testAddr(2), testAddr(9), bigInt(5000), true, false, nil))
	inID := hexID(must(ParseMessage(in)).Hash)
	subs := []struct {
		id, query string
		want      []string // what each delivery's payload holds, in order
		path      string
	}{
		{"acc", `subscription{accounts(filter:{id:{eq:"` + testAddr(2) + `"}}){id acc_type balance(format:DEC)}}`,
			[]string{testAddr(2) + " 0 5000"}, "data.accounts"},
		{"msg", `subscription{messages(filter:{dst:{eq:"` + testAddr(9) + `"}}){id msg_type bounce}}`,
			[]string{inID + " 0 true"}, "data.messages"},
		{"bounced", `subscription{messages(filter:{bounced:{eq:true}}){dst value(format:DEC) bounced}}`,
			[]string{testAddr(2) + " 5000 true"}, "data.messages"},
	}
	for _, s := range subs {
		c.WriteJSON(start(s.id, s.query, nil))
	}
	c.WriteJSON(start("bad", `subscription{accounts(filter:{library:{eq:"x"}}){id}}`, nil))
	if m := next(t, c); m.ID != "bad" || m.Type != "data" || !strings.Contains(string(m.Payload), "library") ||
		gjson.GetBytes(m.Payload, "errors.0.path.0").String() != "accounts" {
		t.Errorf("unsupported filter answered with %+v", m)
	}
	if m := next(t, c); m.ID != "bad" || m.Type != "complete" {
		t.Errorf("unsupported filter: then %+v", m)
	}
	time.Sleep(50 * time.Millisecond)
	// The message bounces off 9, which does not exist, back to 2.
	if err := srv.Deliver(in, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for range 3 {
		m := next(t, c)
		for _, s := range subs {
			if s.id == m.ID {
				var vals []string
				gjson.GetBytes(m.Payload, s.path).ForEach(func(_, v gjson.Result) bool {
					vals = append(vals, v.String())
					return true
				})
				got[m.ID] = append(got[m.ID], strings.Join(vals, " "))
			}
		}
	}
	for _, s := range subs {
		if strings.Join(got[s.id], "|") != strings.Join(s.want, "|") {
			t.Errorf("subscription %s got %q, want %q", s.id, got[s.id], s.want)
		}
	}
}

// One connection carries a client's every subscription, as a batch of
// awaited messages does: each of many subscriptions, started with its own
// id, gets its transaction though all come in one block, and a stopped
// one gets nothing more.
func TestWebsocketManySubscriptions(t *testing.T) {
	const n = 1024
	var dropped atomic.Int64
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1)), WithBlockInterval(300*time.Millisecond),
		WithLogf(func(format string, args ...any) {
			if strings.Contains(format, "dropped") {
				dropped.Add(1)
			}
		}))
	defer srv.Close()
	c := dialWS(t, srv, "graphql-ws")
	c.WriteJSON(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %+v, want connection_ack", m)
	}
	q := `subscription($h:String){transactions(filter:{in_msg:{eq:$h}}){in_msg}}`
	bocs := make([][]byte, n)
	want := map[string]string{}
	for i := range n {
		b, h, err := extMessage(testAddr(1), nil, cellOf(t, uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		bocs[i] = b
		id := strconv.Itoa(i + 1)
		want[id] = hexID(h)
		if err := c.WriteJSON(start(id, q, map[string]any{"h": hexID(h)})); err != nil {
			t.Fatal(err)
		}
	}
	// The server handles a connection's messages in order: once the
	// query's answer is back, every subscription is registered.
	c.WriteJSON(start("q", `{info{version}}`, nil))
	for m := next(t, c); m.ID != "q" || m.Type != "complete"; m = next(t, c) {
	}
	// The last one is stopped before its message runs.
	c.WriteJSON(wsMessage{ID: strconv.Itoa(n), Type: "stop"})
	if m := next(t, c); m.Type != "complete" || m.ID != strconv.Itoa(n) {
		t.Fatalf("stop answered with %+v", m)
	}
	for _, b := range bocs {
		if err := srv.Deliver(b, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for len(got) < n-1 && dropped.Load() == 0 {
		m := next(t, c)
		if m.Type != "data" {
			t.Fatalf("got %+v, want data", m)
		}
		if _, dup := got[m.ID]; dup || m.ID == strconv.Itoa(n) {
			t.Fatalf("data for %s again or after its stop", m.ID)
		}
		got[m.ID] = gjson.GetBytes(m.Payload, "data.transactions.in_msg").String()
		if got[m.ID] != want[m.ID] {
			t.Fatalf("subscription %s got the transaction of %s, want %s", m.ID, got[m.ID], want[m.ID])
		}
	}
	// Nothing for the stopped one follows.
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	for {
		var m wsMessage
		if err := c.ReadJSON(&m); err != nil {
			break
		}
		if m.Type != "ka" {
			t.Errorf("after every delivery: %+v", m)
		}
	}
	if n := dropped.Load(); n > 0 {
		t.Errorf("%d events dropped", n)
	}
}
