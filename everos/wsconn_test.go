package everos

import (
	"bytes"
	"context"
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

// sharedScript serves one graphql-ws connection: the handshake, then the
// starts of n subscriptions (their ids and message hashes are sent on
// started), then then, then every later client message on rest until the
// client goes away.
func sharedScript(t *testing.T, n int, started chan<- [2]string, then func(*websocket.Conn), rest chan<- wsMessage) func(*websocket.Conn) {
	return func(conn *websocket.Conn) {
		var m wsMessage
		if err := conn.ReadJSON(&m); err != nil || m.Type != wsConnectionInit {
			t.Errorf("first message %+v, %v", m, err)
			return
		}
		conn.WriteJSON(wsMessage{Type: wsConnectionAck})
		seen := map[string]bool{}
		for range n {
			if err := conn.ReadJSON(&m); err != nil || m.Type != wsStart || m.ID == "" || seen[m.ID] {
				t.Errorf("start message %+v, %v (ids so far %v)", m, err, seen)
				return
			}
			seen[m.ID] = true
			if started != nil {
				started <- [2]string{m.ID, gjson.GetBytes(m.Payload, "variables.h").String()}
			}
		}
		then(conn)
		for {
			if err := conn.ReadJSON(&m); err != nil {
				if rest != nil {
					close(rest)
				}
				return
			}
			if rest != nil {
				rest <- m
			}
		}
	}
}

func txOf(hash string) string {
	return strings.Replace(txJSON(false, 0), testHashHex, hash, 1)
}

func dataFor(id, payload string) []byte {
	return []byte(`{"type":"data","id":"` + id + `","payload":` + payload + `}`)
}

// Data goes to the subscription its id names, a waiter that does not read
// holds up no other, and each ended wait stops its subscription; the
// unused connection then closes.
func TestSharedWebsocketRouting(t *testing.T) {
	hashA, hashB := strings.Repeat("aa", 32), strings.Repeat("bb", 32)
	started := make(chan [2]string, 2)
	proceed := make(chan struct{})
	rest := make(chan wsMessage, 10)
	f := newFake(t, func(int, fakeReq) (int, string) { return ok(`{}`) })
	f.ws = sharedScript(t, 2, started, func(conn *websocket.Conn) {
		<-proceed
		ids := map[string]string{}
		for range 2 {
			s := <-started
			ids[s[1]] = s[0]
		}
		// Far more events for A than a waiter buffers, which A's waiter
		// does not read; then data for an id never started.
		for range 100 {
			conn.WriteMessage(websocket.TextMessage, dataFor(ids[hashA], `{"data":{"transactions":`+txOf(hashA)+`}}`))
		}
		conn.WriteMessage(websocket.TextMessage, dataFor("99", `{"data":{"transactions":`+txOf(hashA)+`}}`))
		conn.WriteMessage(websocket.TextMessage, dataFor(ids[hashB], `{"data":{"transactions":`+txOf(hashB)+`}}`))
	}, rest)
	c := testClient(t, Config{}, f.srv.URL)
	c.wsIdle = 50 * time.Millisecond
	subA, err := c.subscribe(t.Context(), hashA)
	if err != nil {
		t.Fatal(err)
	}
	subB, err := c.subscribe(t.Context(), hashB)
	if err != nil {
		t.Fatal(err)
	}
	if subA.ws != subB.ws || subA.id == subB.id {
		t.Fatalf("subscriptions on connections %p and %p with ids %q and %q, want one connection, distinct ids", subA.ws, subB.ws, subA.id, subB.id)
	}
	close(proceed)
	select {
	case ev := <-subB.events:
		if ev.err != nil || ev.tx.InMsg != hashB {
			t.Fatalf("B's event %+v %v", ev.tx, ev.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("B's data did not arrive while A's waiter did not read")
	}
	for len(subA.events) > 0 {
		if ev := <-subA.events; ev.err != nil || ev.tx.InMsg != hashA {
			t.Errorf("A's event %+v %v", ev.tx, ev.err)
		}
	}
	subA.close()
	subB.close()
	subB.close()
	var stops []string
	terminated := false
	for m := range rest {
		switch m.Type {
		case wsStop:
			stops = append(stops, m.ID)
		case wsConnectionTerminate:
			terminated = true
		}
	}
	if len(stops) != 2 || stops[0] != subA.id || stops[1] != subB.id || !terminated {
		t.Errorf("stops %v, terminated %v; want stops of %s and %s, then connection_terminate", stops, terminated, subA.id, subB.id)
	}
}

// Whatever a hostile server sends on the shared connection, each waiter
// ends with its transaction, through the subscription or by polling:
// never a hang, never a transaction routed to the wrong waiter.
func TestSharedWebsocketHostile(t *testing.T) {
	const limit = 64 << 10
	tx := `{"data":{"transactions":` + txJSON(false, 0) + `}}`
	tests := []struct {
		name      string
		frames    func(ids []string) [][]byte
		fallbacks int // waiters that poll instead
	}{
		{"data for an unknown id, then for each", func(ids []string) [][]byte {
			return [][]byte{dataFor("77", tx), dataFor("", tx), dataFor(ids[0], tx), dataFor(ids[1], tx)}
		}, 0},
		{"malformed frame", func([]string) [][]byte { return [][]byte{[]byte(`{"type":`)} }, 2},
		{"binary garbage", func([]string) [][]byte { return [][]byte{{0xff, 0, 1}} }, 2},
		{"huge frame", func([]string) [][]byte {
			return [][]byte{[]byte(`{"type":"ka","payload":"` + strings.Repeat("x", 2*limit) + `"}`)}
		}, 2},
		{"deep frame", func([]string) [][]byte { return [][]byte{bytes.Repeat([]byte("["), limit/2)} }, 2},
		{"error without id", func([]string) [][]byte { return [][]byte{[]byte(`{"type":"error","payload":{"message":"no"}}`)} }, 2},
		{"connection_error", func([]string) [][]byte {
			return [][]byte{[]byte(`{"type":"connection_error","payload":{"message":"go away"}}`)}
		}, 2},
		{"one completed, the other served", func(ids []string) [][]byte {
			return [][]byte{[]byte(`{"type":"complete","id":"` + ids[0] + `"}`), dataFor(ids[1], tx)}
		}, 1},
		{"garbage for one, the other served", func(ids []string) [][]byte {
			return [][]byte{dataFor(ids[0], `{"data":{"transactions":42}}`), dataFor(ids[1], tx)}
		}, 1},
		{"error for one, the other served", func(ids []string) [][]byte {
			return [][]byte{[]byte(`{"type":"error","id":"` + ids[0] + `","payload":[{"message":"no"}]}`), dataFor(ids[1], tx)}
		}, 1},
		{"server closes", func([]string) [][]byte { return nil }, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &chain{}
			// The waiters' first queries find nothing; a poll finds it.
			ch.txAfter.Store(2)
			if tt.fallbacks == 0 {
				ch.txAfter.Store(-1)
			}
			started := make(chan [2]string, 2)
			f := newFake(t, ch.handle)
			f.ws = sharedScript(t, 2, started, func(conn *websocket.Conn) {
				ids := []string{(<-started)[0], (<-started)[0]}
				// After each waiter's first look, so that only a
				// fallback can find the transaction soon.
				for ch.txCalls.Load() < 2 {
					time.Sleep(time.Millisecond)
				}
				for _, fr := range tt.frames(ids) {
					typ := websocket.TextMessage
					if len(fr) > 0 && fr[0] == 0xff {
						typ = websocket.BinaryMessage
					}
					if conn.WriteMessage(typ, fr) != nil {
						return
					}
				}
				if tt.name == "server closes" {
					conn.Close()
				}
			}, nil)
			var fallbacks atomic.Int64
			c := testClient(t, Config{MaxResponseSize: limit, WaitTimeout: 5 * time.Second, Logf: func(format string, args ...any) {
				if strings.Contains(fmt.Sprintf(format, args...), "failed, polling instead") {
					fallbacks.Add(1)
				}
			}}, f.srv.URL)
			c.wsIdle = 50 * time.Millisecond
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tx, err := c.WaitForTransaction(ctx, testHash, time.Now().Add(time.Minute))
					if err != nil {
						t.Error(err)
						return
					}
					checkTx(t, tx, false)
				}()
			}
			wg.Wait()
			if got := fallbacks.Load(); got != int64(tt.fallbacks) {
				t.Errorf("%d waiters polled instead, want %d", got, tt.fallbacks)
			}
		})
	}
}

// A connection that broke is not used again: the next subscription opens
// a new one.
func TestSharedWebsocketReopens(t *testing.T) {
	var upgrades atomic.Int64
	f := newFake(t, func(int, fakeReq) (int, string) { return ok(`{}`) })
	f.ws = func(conn *websocket.Conn) {
		upgrades.Add(1)
		sharedScript(t, 1, nil, func(conn *websocket.Conn) { conn.Close() }, nil)(conn)
	}
	c := testClient(t, Config{}, f.srv.URL)
	for i := range 3 {
		sub, err := c.subscribe(t.Context(), testHashHex)
		if err != nil {
			t.Fatalf("subscription %d: %v", i, err)
		}
		select {
		case ev := <-sub.events:
			if !errors.Is(ev.err, errSubscription) {
				t.Fatalf("subscription %d: event %+v %v, want a failed subscription", i, ev.tx, ev.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscription %d: the closed connection was not noticed", i)
		}
		sub.close()
	}
	if n := upgrades.Load(); n != 3 {
		t.Errorf("%d connections for 3 subscriptions each on a broken one, want 3", n)
	}
}
