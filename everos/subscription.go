package everos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsEvent struct {
	tx  *Transaction
	err error
}

// subscription is one graphql-ws connection carrying one subscription.
type subscription struct {
	conn     *websocket.Conn
	endpoint string
	maxSize  int64 // of one frame
	events   chan wsEvent
	done     chan struct{}
	once     sync.Once
}

// subscribe opens a websocket to the current endpoint and subscribes to the
// transaction of message id (hex).
func (c *Client) subscribe(ctx context.Context, id string) (*subscription, error) {
	c.mu.Lock()
	endpoint := c.endpoints[c.order[c.current]]
	c.mu.Unlock()
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
	s := &subscription{conn: conn, endpoint: endpoint, maxSize: c.cfg.MaxResponseSize, events: make(chan wsEvent, 4), done: make(chan struct{})}
	if err := s.handshake(c.cfg.RequestTimeout, payload, id); err != nil {
		conn.Close()
		return nil, fmt.Errorf("opening subscription to %s: %w", endpoint, err)
	}
	go s.read(id)
	return s, nil
}

func (s *subscription) handshake(timeout time.Duration, auth map[string]string, id string) error {
	if p := s.conn.Subprotocol(); p != wsProtocol {
		return fmt.Errorf("server chose subprotocol %q, want %q", p, wsProtocol)
	}
	s.conn.SetWriteDeadline(time.Now().Add(timeout))
	s.conn.SetReadDeadline(time.Now().Add(timeout))
	init, _ := json.Marshal(auth)
	if err := s.conn.WriteJSON(wsMessage{Type: wsConnectionInit, Payload: init}); err != nil {
		return fmt.Errorf("sending connection_init: %w", err)
	}
	for acked := false; !acked; {
		m, err := s.next()
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
	start, _ := json.Marshal(map[string]any{
		"query":     subscriptionTransactionByInMsg,
		"variables": map[string]string{"h": id},
	})
	if err := s.conn.WriteJSON(wsMessage{ID: "1", Type: wsStart, Payload: start}); err != nil {
		return fmt.Errorf("sending start: %w", err)
	}
	s.conn.SetReadDeadline(time.Time{})
	s.conn.SetWriteDeadline(time.Time{})
	return nil
}

// read turns server messages into events until the connection ends.
func (s *subscription) read(id string) {
	emit := func(e wsEvent) bool {
		select {
		case s.events <- e:
			return true
		case <-s.done:
			return false
		}
	}
	for {
		m, err := s.next()
		if err != nil {
			emit(wsEvent{err: fmt.Errorf("%w: reading from %s: %w", errSubscription, s.endpoint, err)})
			return
		}
		switch m.Type {
		case wsKeepAlive, wsConnectionAck:
			continue
		case wsData:
			if m.ID != "1" {
				continue
			}
			p := gjson.ParseBytes(m.Payload)
			if ge := graphQLErrors(s.endpoint, 0, p.Get("errors")); ge != nil {
				emit(wsEvent{err: fmt.Errorf("%w: %w", errSubscription, ge)})
				return
			}
			tx, err := parseTransaction(p.Get("data.transactions"))
			if err != nil {
				err = fmt.Errorf("%w: %w", errSubscription, err)
			}
			if !emit(wsEvent{tx: tx, err: err}) || err != nil {
				return
			}
		case wsError, wsConnectionError:
			emit(wsEvent{err: fmt.Errorf("%w: server error: %s", errSubscription, payloadMessage(m.Payload))})
			return
		case wsComplete:
			emit(wsEvent{err: fmt.Errorf("%w: server completed the subscription", errSubscription)})
			return
		}
	}
}

// next reads one server message, its frame bounded in size and nesting
// before it is decoded.
func (s *subscription) next() (wsMessage, error) {
	var m wsMessage
	_, r, err := s.conn.NextReader()
	if err != nil {
		return m, err
	}
	raw, err := readLimited(r, s.maxSize)
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

// close stops the subscription and the connection. Safe on nil and twice.
func (s *subscription) close() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		close(s.done)
		s.conn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = s.conn.WriteJSON(wsMessage{ID: "1", Type: wsStop})
		_ = s.conn.WriteJSON(wsMessage{Type: wsConnectionTerminate})
		s.conn.Close()
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
