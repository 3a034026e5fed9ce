package everos

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// Message is an external inbound message ready to send.
type Message struct {
	// BOC is the serialized message.
	BOC []byte
	// Hash is the representation hash of the message's root cell, its id.
	Hash [32]byte
	// ExpireAt is when the network stops accepting the message (the
	// expire header of its body); zero when it has none.
	ExpireAt time.Time
}

// ID is the message id as GraphQL filters write it: lower-case hex.
func (m *Message) ID() string { return hex.EncodeToString(m.Hash[:]) }

// SendMessage posts m. A message already past its expiry by the server's
// clock is not sent and ErrMessageExpired is returned.
func (c *Client) SendMessage(ctx context.Context, m Message) error {
	if len(m.BOC) == 0 {
		return fmt.Errorf("sending message %s: empty BOC", m.ID())
	}
	req := map[string]any{
		"id":   base64.StdEncoding.EncodeToString(m.Hash[:]),
		"body": base64.StdEncoding.EncodeToString(m.BOC),
	}
	if !m.ExpireAt.IsZero() {
		now, err := c.ServerTime(ctx)
		if err != nil {
			return fmt.Errorf("sending message %s: %w", m.ID(), err)
		}
		if !now.Before(m.ExpireAt) {
			return fmt.Errorf("sending message %s: expired at %s, server time %s: %w",
				m.ID(), m.ExpireAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), ErrMessageExpired)
		}
		req["expireAt"] = m.ExpireAt.UnixMilli()
	}
	// Posting the same message again is harmless (same id), so the
	// request is retried like a query.
	data, err := c.query(ctx, request{Query: mutationPostRequests, Variables: map[string]any{"requests": []any{req}}})
	if err != nil {
		return fmt.Errorf("sending message %s: %w", m.ID(), err)
	}
	if !data.Get("postRequests").Exists() {
		return fmt.Errorf("sending message %s: no postRequests result in the response", m.ID())
	}
	return nil
}
