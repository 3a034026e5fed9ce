package devnet

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/tidwall/gjson"
	"github.com/vektah/gqlparser/v2/ast"
)

// Messages of the legacy graphql-ws protocol (subscriptions-transport-ws).
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsConn is one websocket client. Everything it sends goes through out,
// drained by a single writer.
type wsConn struct {
	s      *Server
	conn   *websocket.Conn
	out    chan wsMessage
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex
	subs map[string]*subscriber
}

// subscriber is one started subscription.
type subscriber struct {
	c    *wsConn
	conn *websocket.Conn
	id   string
	p    *prepared
	root *ast.Field
	kind subscribable
	// where is the subscription's filter, read once: every change of the
	// ledger is offered to every subscriber, and building the argument
	// map per object made a block's publication cost subscribers ×
	// transactions maps.
	where map[string]any
}

var upgrader = websocket.Upgrader{
	Subprotocols: []string{"graphql-ws"},
	CheckOrigin:  func(*http.Request) bool { return true },
}

func (s *Server) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &wsConn{s: s, conn: conn, out: make(chan wsMessage, 256), ctx: ctx, cancel: cancel, subs: map[string]*subscriber{}}
	s.mu.Lock()
	s.ws[c] = struct{}{}
	s.mu.Unlock()
	defer c.shutdown()
	if conn.Subprotocol() != "graphql-ws" {
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseProtocolError, "graphql-ws subprotocol required"), time.Now().Add(time.Second))
		return
	}
	go c.writer()
	headerAuth := r.Header.Get("Authorization")
	for {
		var m wsMessage
		if err := conn.ReadJSON(&m); err != nil {
			return
		}
		switch m.Type {
		case "connection_init":
			auth := gjson.GetBytes(m.Payload, "Authorization").String()
			if auth == "" {
				auth = headerAuth
			}
			if s.cfg.secret != "" && auth != everos.AuthHeader(s.cfg.secret) {
				c.send(wsMessage{Type: "connection_error", Payload: json.RawMessage(`{"message":"Unauthorized"}`)})
				time.Sleep(10 * time.Millisecond)
				return
			}
			c.send(wsMessage{Type: "connection_ack"})
			go c.keepAlive()
		case "start":
			c.start(m)
		case "stop":
			c.stop(m.ID)
			c.send(wsMessage{ID: m.ID, Type: "complete"})
		case "connection_terminate":
			return
		default:
			c.send(wsMessage{ID: m.ID, Type: "error", Payload: json.RawMessage(`{"message":"Unknown message type"}`)})
		}
	}
}

func (c *wsConn) send(m wsMessage) {
	select {
	case c.out <- m:
	case <-c.ctx.Done():
	}
}

// trySend is send for callers holding the ledger's lock: it never blocks.
func (c *wsConn) trySend(m wsMessage) {
	select {
	case c.out <- m:
	default:
		c.s.cfg.logf("devnet: websocket client too slow, event dropped")
	}
}

func (c *wsConn) writer() {
	sent := 0
	for {
		select {
		case <-c.ctx.Done():
			return
		case m := <-c.out:
			c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.conn.WriteJSON(m); err != nil {
				c.conn.Close()
				return
			}
			sent++
			if k := c.s.faultWSDrop(); k > 0 && sent >= k {
				c.conn.Close()
				return
			}
		}
	}
}

func (c *wsConn) keepAlive() {
	t := time.NewTicker(c.s.cfg.keepAlive)
	defer t.Stop()
	c.send(wsMessage{Type: "ka"})
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.send(wsMessage{Type: "ka"})
		}
	}
}

func (c *wsConn) shutdown() {
	c.cancel()
	c.s.mu.Lock()
	c.mu.Lock()
	for _, sub := range c.subs {
		delete(c.s.subs, sub)
	}
	c.subs = nil
	delete(c.s.ws, c)
	c.mu.Unlock()
	c.s.mu.Unlock()
	c.conn.Close()
}

func (c *wsConn) stop(id string) {
	c.s.mu.Lock()
	c.mu.Lock()
	if sub, ok := c.subs[id]; ok {
		delete(c.s.subs, sub)
		delete(c.subs, id)
	}
	c.mu.Unlock()
	c.s.mu.Unlock()
}

// start begins an operation: a subscription is registered; a query or a
// mutation runs once, answered by data and complete.
func (c *wsConn) start(m wsMessage) {
	var req gqlRequest
	if err := json.Unmarshal(m.Payload, &req); err != nil {
		c.send(wsMessage{ID: m.ID, Type: "error", Payload: json.RawMessage(`{"message":"payload is not a GraphQL request"}`)})
		return
	}
	p, _, errs := c.s.prepare(req)
	if errs != nil {
		c.send(wsMessage{ID: m.ID, Type: "data", Payload: errorsBody(errs)})
		c.send(wsMessage{ID: m.ID, Type: "complete"})
		return
	}
	if p.op.Operation != ast.Subscription {
		_, body := c.s.run(c.ctx, req, false)
		c.send(wsMessage{ID: m.ID, Type: "data", Payload: body})
		c.send(wsMessage{ID: m.ID, Type: "complete"})
		return
	}
	e := &execution{ctx: c.ctx, s: c.s, p: p}
	fields := e.collect(p.op.SelectionSet, "Subscription")
	var kind subscribable
	ok := len(fields) == 1
	if ok {
		kind, ok = subscribables[fields[0].Name]
	}
	if !ok {
		name := "(none)"
		if len(fields) > 0 {
			name = fields[0].Name
		}
		err := newError(codeInternal, errUnsupported{"subscription " + name}.Error(), p.op.Position, nil)
		c.send(wsMessage{ID: m.ID, Type: "data", Payload: errorsBody([]gqlError{err})})
		c.send(wsMessage{ID: m.ID, Type: "complete"})
		return
	}
	sub := &subscriber{c: c, conn: c.conn, id: m.ID, p: p, root: fields[0], kind: kind}
	sub.where, _ = sub.root.ArgumentMap(sub.p.vars)["filter"].(map[string]any)
	// Check the filter once, so that an unsupported one is reported now.
	if err := kind.check(sub.where); err != nil {
		c.send(wsMessage{ID: m.ID, Type: "data", Payload: errorsBody([]gqlError{newError(codeInternal, err.Error(), fields[0].Position, []any{fields[0].Name})})})
		c.send(wsMessage{ID: m.ID, Type: "complete"})
		return
	}
	c.s.mu.Lock()
	c.mu.Lock()
	if c.subs != nil {
		if old, ok := c.subs[m.ID]; ok {
			delete(c.s.subs, old)
		}
		c.subs[m.ID] = sub
		c.s.subs[sub] = struct{}{}
	}
	c.mu.Unlock()
	c.s.mu.Unlock()
}

// subscribable is a collection that subscriptions may follow: check
// refuses a filter the emulator does not implement, offer sends a
// subscriber the objects of a change that its filter matches.
type subscribable struct {
	check func(filter map[string]any) error
	offer func(sub *subscriber, c change)
}

// subscribables are the collections that can be subscribed to.
var subscribables = map[string]subscribable{
	"transactions": subscribableOf(transactionType, &Transaction{}, func(c change) []*Transaction { return c.txs }),
	"messages":     subscribableOf(messageType, emptyMessage(), func(c change) []*Message { return c.msgs }),
	"accounts":     subscribableOf(accountType, &stored{}, func(c change) []*stored { return c.accounts }),
	"blocks":       subscribableOf(blockType, emptyBlock(), func(c change) []*Block { return c.blocks }),
	"blocks_signatures": subscribableOf(blockSignaturesType, emptyBlock(), func(c change) []*Block {
		return slices.DeleteFunc(slices.Clone(c.blocks), func(b *Block) bool { return b.Signatures == nil })
	}),
}

func subscribableOf[T any](typ *objectType[T], empty T, of func(change) []T) subscribable {
	return subscribable{
		check: func(filter map[string]any) error {
			_, err := matchFilter(filter, typ.getter(empty), typ.name)
			return err
		},
		offer: func(sub *subscriber, c change) {
			for _, v := range of(c) {
				offer(sub, typ, v)
			}
		},
	}
}

// offer sends v to the subscriber if its filter matches; the ledger's and
// the server's locks are held.
func offer[T any](sub *subscriber, typ *objectType[T], v T) {
	ok, err := matchFilter(sub.where, typ.getter(v), typ.name)
	if err != nil || !ok {
		return
	}
	e := &execution{ctx: sub.c.ctx, s: sub.c.s, p: sub.p}
	key := sub.root.Alias
	if key == "" {
		key = sub.root.Name
	}
	data := &object{}
	data.set(key, e.selectObject(sub.root.SelectionSet, typ.name, typ.resolver(v), []any{key}))
	payload := e.result(data)
	n := 1
	if sub.c.s.faultDuplicate() {
		n = 2
	}
	for range n {
		sub.c.trySend(wsMessage{ID: sub.id, Type: "data", Payload: payload})
	}
}
