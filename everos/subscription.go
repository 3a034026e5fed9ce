package everos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tidwall/gjson"
)

// The legacy graphql-ws protocol (subscriptions-transport-ws), which the
// EverOS server speaks.
const (
	wsProtocol            = "graphql-ws"
	wsConnectionInit      = "connection_init"
	wsConnectionAck       = "connection_ack"
	wsConnectionError     = "connection_error"
	wsKeepAlive           = "ka"
	wsStart               = "start"
	wsData                = "data"
	wsError               = "error"
	wsComplete            = "complete"
	wsStop                = "stop"
	wsConnectionTerminate = "connection_terminate"
)

// errSubscription marks a subscription that broke; waiting falls back to
// polling.
var errSubscription = errors.New("subscription failed")

// defaultWSIdle is how long a websocket with no subscription stays open
// for the next one: waits come in bursts (a batch of messages), and a new
// connection costs a handshake and counts against the endpoint's limits.
const defaultWSIdle = 30 * time.Second

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsEvent struct {
	tx  *Transaction
	err error
}

// wsConn is one graphql-ws connection to an endpoint, carrying every
// subscription of the Client to it. One goroutine reads and routes data by
// subscription id; writes are serialized by wmu.
type wsConn struct {
	conn     *websocket.Conn
	endpoint string
	maxSize  int64 // of one frame
	timeout  time.Duration
	idle     time.Duration

	wmu sync.Mutex

	mu     sync.Mutex
	subs   map[string]*subscription
	nextID int
	err    error       // why the connection ended; nil while it works
	timer  *time.Timer // closes the connection once idle
}

// subscription is one transaction subscription on a shared connection.
type subscription struct {
	ws     *wsConn
	id     string
	events chan wsEvent
	once   sync.Once
}

// subscribe subscribes to the transaction of message id (hex) on the
// current endpoint's connection, opening it when there is none.
func (c *Client) subscribe(ctx context.Context, id string) (*subscription, error) {
	c.mu.Lock()
	endpoint := c.endpoints[c.order[c.current]]
	c.mu.Unlock()
	// A connection that broke since it was last used is replaced once.
	for range 2 {
		w, err := c.wsConnTo(ctx, endpoint)
		if err != nil {
			return nil, err
		}
		s, err := w.start(id)
		if err == nil || !errors.Is(err, errConnEnded) {
			return s, err
		}
	}
	return nil, fmt.Errorf("opening subscription to %s: %w", endpoint, errConnEnded)
}

// errConnEnded is what start reports on a connection that had already
// ended: a new one is opened.
var errConnEnded = errors.New("connection already ended")

// wsConnTo returns the working connection to endpoint, opening one if
// needed. Openers wait for each other, so that concurrent waits share one
// connection rather than race to open many.
func (c *Client) wsConnTo(ctx context.Context, endpoint string) (*wsConn, error) {
	select {
	case c.wsLock <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("opening subscription to %s: %w", endpoint, ctx.Err())
	}
	defer func() { <-c.wsLock }()
	if w := c.ws[endpoint]; w != nil && w.alive() {
		return w, nil
	}
	w, err := c.dialWS(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	if c.ws == nil {
		c.ws = map[string]*wsConn{}
	}
	c.ws[endpoint] = w
	return w, nil
}

// dialWS opens a websocket to endpoint and completes the graphql-ws
// handshake.
func (c *Client) dialWS(ctx context.Context, endpoint string) (*wsConn, error) {
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: c.cfg.RequestTimeout,
		Subprotocols:     []string{wsProtocol},
	}
	if c.tls != nil {
		d.TLSClientConfig = c.tls.Clone()
	}
	hdr := http.Header{}
	payload := map[string]string{}
	if c.auth != "" {
		hdr.Set("Authorization", c.auth)
		payload["Authorization"] = c.auth
	}
	conn, resp, err := d.DialContext(ctx, websocketURL(endpoint), hdr)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("opening subscription to %s: HTTP %d: %w", endpoint, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("opening subscription to %s: %w", endpoint, err)
	}
	idle := c.wsIdle
	if idle <= 0 {
		idle = defaultWSIdle
	}
	w := &wsConn{conn: conn, endpoint: endpoint, maxSize: c.cfg.MaxResponseSize, timeout: c.cfg.RequestTimeout,
		idle: idle, subs: map[string]*subscription{}}
	if err := w.handshake(payload); err != nil {
		conn.Close()
		return nil, fmt.Errorf("opening subscription to %s: %w", endpoint, err)
	}
	w.timer = time.AfterFunc(idle, w.closeIfIdle)
	go w.read()
	return w, nil
}

func (w *wsConn) handshake(auth map[string]string) error {
	if p := w.conn.Subprotocol(); p != wsProtocol {
		return fmt.Errorf("server chose subprotocol %q, want %q", p, wsProtocol)
	}
	w.conn.SetWriteDeadline(time.Now().Add(w.timeout))
	w.conn.SetReadDeadline(time.Now().Add(w.timeout))
	init, _ := json.Marshal(auth)
	if err := w.conn.WriteJSON(wsMessage{Type: wsConnectionInit, Payload: init}); err != nil {
		return fmt.Errorf("sending connection_init: %w", err)
	}
	for acked := false; !acked; {
		m, err := w.next()
		if err != nil {
			return fmt.Errorf("waiting for connection_ack: %w", err)
		}
		switch m.Type {
		case wsConnectionAck:
			acked = true
		case wsKeepAlive:
		case wsConnectionError:
			return fmt.Errorf("server refused the connection: %s", payloadMessage(m.Payload))
		default:
			return fmt.Errorf("unexpected %q before connection_ack", m.Type)
		}
	}
	w.conn.SetReadDeadline(time.Time{})
	w.conn.SetWriteDeadline(time.Time{})
	return nil
}

func (w *wsConn) alive() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err == nil
}

// start registers a subscription to the transaction of message id and
// sends its start. It returns errConnEnded when the connection had ended.
func (w *wsConn) start(id string) (*subscription, error) {
	w.mu.Lock()
	if w.err != nil {
		w.mu.Unlock()
		return nil, errConnEnded
	}
	w.nextID++
	s := &subscription{ws: w, id: strconv.Itoa(w.nextID), events: make(chan wsEvent, 4)}
	w.subs[s.id] = s
	w.timer.Stop()
	w.mu.Unlock()
	start, _ := json.Marshal(map[string]any{
		"query":     subscriptionTransactionByInMsg,
		"variables": map[string]string{"h": id},
	})
	if err := w.write(wsMessage{ID: s.id, Type: wsStart, Payload: start}, w.timeout); err != nil {
		err = fmt.Errorf("opening subscription to %s: sending start: %w", w.endpoint, err)
		w.fail(err)
		return nil, err
	}
	return s, nil
}

// write sends one message, bounded in time so that a server that stops
// reading cannot hold every waiter.
func (w *wsConn) write(m wsMessage, timeout time.Duration) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.conn.SetWriteDeadline(time.Now().Add(timeout))
	return w.conn.WriteJSON(m)
}

// stopTimeout bounds sending a stop or connection_terminate: a waiter
// that has its answer does not wait long to say it is done.
const stopTimeout = time.Second

// read routes server messages to their subscriptions until the connection
// ends, then fails every subscription still on it.
func (w *wsConn) read() {
	for {
		m, err := w.next()
		if err != nil {
			w.fail(fmt.Errorf("%w: reading from %s: %w", errSubscription, w.endpoint, err))
			return
		}
		switch m.Type {
		case wsData:
			s := w.sub(m.ID)
			if s == nil {
				// A stopped subscription's late data, or a hostile server's.
				continue
			}
			p := gjson.ParseBytes(m.Payload)
			if ge := graphQLErrors(w.endpoint, 0, p.Get("errors")); ge != nil {
				w.end(s, fmt.Errorf("%w: %w", errSubscription, ge))
				continue
			}
			tx, err := parseTransaction(p.Get("data.transactions"))
			if err != nil {
				w.end(s, fmt.Errorf("%w: %w", errSubscription, err))
				continue
			}
			// A waiter that is behind loses the event rather than hold up
			// the others: it asks the server again anyway.
			select {
			case s.events <- wsEvent{tx: tx}:
			default:
			}
		case wsError, wsComplete:
			if m.ID == "" && m.Type == wsError {
				w.fail(fmt.Errorf("%w: server error: %s", errSubscription, payloadMessage(m.Payload)))
				return
			}
			s := w.sub(m.ID)
			if s == nil {
				// The answer to a stop, or about an id never started.
				continue
			}
			if m.Type == wsError {
				w.end(s, fmt.Errorf("%w: server error: %s", errSubscription, payloadMessage(m.Payload)))
			} else {
				w.end(s, fmt.Errorf("%w: server completed the subscription", errSubscription))
			}
		case wsConnectionError:
			w.fail(fmt.Errorf("%w: server error: %s", errSubscription, payloadMessage(m.Payload)))
			return
		}
	}
}

func (w *wsConn) sub(id string) *subscription {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.subs[id]
}

// end ends one subscription with err, which the server ended or broke.
func (w *wsConn) end(s *subscription, err error) {
	w.mu.Lock()
	if w.subs[s.id] != s {
		w.mu.Unlock()
		return
	}
	w.forget(s)
	w.mu.Unlock()
	s.fail(err)
}

// forget removes s; the idle timer starts when it was the last one. w.mu
// is held.
func (w *wsConn) forget(s *subscription) {
	delete(w.subs, s.id)
	if len(w.subs) == 0 && w.err == nil {
		w.timer.Reset(w.idle)
	}
}

// fail ends the connection: every subscription on it gets err, and the
// next subscribe opens a new connection.
func (w *wsConn) fail(err error) {
	w.mu.Lock()
	if w.err != nil {
		w.mu.Unlock()
		return
	}
	w.err = err
	subs := w.subs
	w.subs = map[string]*subscription{}
	w.timer.Stop()
	w.mu.Unlock()
	w.conn.Close()
	for _, s := range subs {
		s.fail(err)
	}
}

// closeIfIdle closes the connection when no subscription came since the
// timer was set.
func (w *wsConn) closeIfIdle() {
	w.mu.Lock()
	idle := len(w.subs) == 0 && w.err == nil
	if idle {
		w.err = errors.New("connection closed when idle")
	}
	w.mu.Unlock()
	if !idle {
		return
	}
	_ = w.write(wsMessage{Type: wsConnectionTerminate}, stopTimeout)
	w.conn.Close()
}

// fail delivers the subscription's last event, err, even to a waiter that
// is behind: an undelivered transaction it displaces is found by polling.
func (s *subscription) fail(err error) {
	for {
		select {
		case s.events <- wsEvent{err: err}:
			return
		default:
		}
		select {
		case <-s.events:
		default:
		}
	}
}

// next reads one server message, its frame bounded in size and nesting
// before it is decoded.
func (w *wsConn) next() (wsMessage, error) {
	var m wsMessage
	_, r, err := w.conn.NextReader()
	if err != nil {
		return m, err
	}
	raw, err := readLimited(r, w.maxSize)
	if err == nil {
		err = checkDepth(raw, MaxResponseDepth)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("decoding a message: %w", err)
	}
	return m, nil
}

// payloadMessage extracts a readable message from an error payload, which
// is either one error object or a list of them.
func payloadMessage(p json.RawMessage) string {
	v := gjson.ParseBytes(p)
	if v.IsArray() {
		var out string
		for i, e := range v.Array() {
			if i > 0 {
				out += "; "
			}
			out += e.Get("message").String()
		}
		return out
	}
	if msg := v.Get("message").String(); msg != "" {
		return msg
	}
	return snippet(p)
}

// close ends the subscription: the server is told to stop it, and the
// connection stays for other subscriptions. Safe on nil and twice.
func (s *subscription) close() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		w := s.ws
		w.mu.Lock()
		live := w.err == nil && w.subs[s.id] == s
		if live {
			w.forget(s)
		}
		w.mu.Unlock()
		if live {
			if err := w.write(wsMessage{ID: s.id, Type: wsStop}, stopTimeout); err != nil {
				w.fail(fmt.Errorf("%w: sending stop to %s: %w", errSubscription, w.endpoint, err))
			}
		}
	})
}

// waitSubscribed waits for the transaction on sub, checking the server's
// clock at the deadline. Errors that wrap errSubscription mean the caller
// should poll instead.
func (c *Client) waitSubscribed(ctx context.Context, m Message, sub *subscription) (*Transaction, error) {
	// The message may have been processed before the subscription began.
	if tx, err := c.findTransaction(ctx, m.ID(), 0); err != nil || tx != nil {
		return tx, err
	}
	// The server is asked again now and then (soon at first, then every
	// WaitTimeout, and at the deadline): the graphql-ws protocol does not
	// confirm a subscription, so a transaction made before the server
	// registered it is never delivered; a connection may also die silently,
	// and the server's clock may run faster than ours.
	recheck := 500 * time.Millisecond
	next := func() time.Duration {
		d := min(recheck, c.cfg.WaitTimeout)
		recheck *= 2
		if !m.ExpireAt.IsZero() {
			d = min(d, max(c.deadline(m).Sub(c.now()), 50*time.Millisecond))
		}
		return d
	}
	timer := time.NewTimer(next())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for message %s: %w", m.ID(), ctx.Err())
		case ev := <-sub.events:
			if ev.err != nil {
				return nil, ev.err
			}
			// The filter asks for this message's transaction only; an event
			// naming no message or another one is not an answer.
			if strings.EqualFold(ev.tx.InMsg, m.ID()) {
				return ev.tx, nil
			}
		case <-timer.C:
			if tx, err := c.findTransaction(ctx, m.ID(), 0); err != nil || tx != nil {
				return tx, err
			}
			if !m.ExpireAt.IsZero() {
				if tx, expired, err := c.checkExpired(ctx, m); err != nil || tx != nil || expired {
					return tx, err
				}
			}
			timer.Reset(next())
		}
	}
}
