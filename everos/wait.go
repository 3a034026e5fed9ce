package everos

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// WaitForTransaction waits for the transaction produced by the message with
// the given hash. When expireAt is not zero and the server's clock passes
// it (plus Config.ExpiryGrace) with no transaction, it returns an error
// that wraps ErrMessageExpired. With a zero expireAt only ctx ends the wait.
func (c *Client) WaitForTransaction(ctx context.Context, hash [32]byte, expireAt time.Time) (*Transaction, error) {
	m := Message{Hash: hash, ExpireAt: expireAt}
	return c.wait(ctx, m, c.trySubscribe(ctx, m))
}

// SendAndWait subscribes to the transaction of m, sends m and waits for the
// transaction as WaitForTransaction does. Subscribing first means a fast
// network cannot deliver the transaction before anyone listens.
func (c *Client) SendAndWait(ctx context.Context, m Message) (*Transaction, error) {
	sub := c.trySubscribe(ctx, m)
	if err := c.SendMessage(ctx, m); err != nil {
		sub.close()
		return nil, err
	}
	return c.wait(ctx, m, sub)
}

// trySubscribe opens a subscription, or returns nil (wait then polls).
func (c *Client) trySubscribe(ctx context.Context, m Message) *subscription {
	if c.cfg.DisableSubscriptions {
		return nil
	}
	sub, err := c.subscribe(ctx, m.ID())
	if err != nil {
		c.logf("everos: cannot subscribe, polling instead: %v", err)
		return nil
	}
	return sub
}

// wait uses sub when it works and falls back to polling when it breaks.
func (c *Client) wait(ctx context.Context, m Message, sub *subscription) (*Transaction, error) {
	if !m.ExpireAt.IsZero() && !c.synced.Load() {
		if _, err := c.Info(ctx); err != nil {
			sub.close()
			return nil, fmt.Errorf("waiting for message %s: %w", m.ID(), err)
		}
	}
	if sub != nil {
		tx, err := c.waitSubscribed(ctx, m, sub)
		sub.close()
		if err == nil || errors.Is(err, ErrMessageExpired) || ctx.Err() != nil {
			return tx, err
		}
		// The subscription broke; polling does not depend on it.
		c.logf("everos: subscription for message %s failed, polling instead: %v", m.ID(), err)
	}
	return c.poll(ctx, m)
}

// deadline is the server time past which the message counts as expired.
func (c *Client) deadline(m Message) time.Time {
	return m.ExpireAt.Add(c.cfg.ExpiryGrace)
}

// poll waits with queries that use the server-side wait.
func (c *Client) poll(ctx context.Context, m Message) (*Transaction, error) {
	for {
		wait := c.cfg.WaitTimeout
		if !m.ExpireAt.IsZero() {
			wait = min(wait, max(c.deadline(m).Sub(c.now()), 0))
		}
		start := time.Now()
		tx, err := c.findTransaction(ctx, m.ID(), wait)
		if err != nil || tx != nil {
			return tx, err
		}
		// A server that caps or ignores the wait must not be hammered.
		if elapsed := time.Since(start); elapsed < wait/2 {
			if err := sleep(ctx, min(wait-elapsed, time.Second)); err != nil {
				return nil, fmt.Errorf("waiting for message %s: %w", m.ID(), err)
			}
		}
		if m.ExpireAt.IsZero() {
			continue
		}
		tx, expired, err := c.checkExpired(ctx, m)
		if err != nil || tx != nil || expired {
			return tx, err
		}
		if wait == 0 {
			// The local estimate of the server clock ran ahead; let
			// the server's clock catch up before asking again.
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				return nil, fmt.Errorf("waiting for message %s: %w", m.ID(), err)
			}
		}
	}
}

// findTransaction asks once for the transaction of message id, letting the
// server wait up to wait for it. It returns nil, nil when there is none.
func (c *Client) findTransaction(ctx context.Context, id string, wait time.Duration) (*Transaction, error) {
	data, err := c.query(ctx, request{
		Query:     queryTransactionByInMsg,
		Variables: map[string]any{"h": id, "t": wait.Milliseconds()},
		wait:      wait,
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for message %s: %w", id, err)
	}
	list := data.Get("transactions").Array()
	if len(list) == 0 {
		return nil, nil
	}
	return parseTransaction(list[0])
}

// checkExpired reads the server's clock afresh; once it is past the
// deadline it looks for the transaction a last time and reports the
// message expired when there is none.
func (c *Client) checkExpired(ctx context.Context, m Message) (*Transaction, bool, error) {
	info, err := c.Info(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("waiting for message %s: %w", m.ID(), err)
	}
	dl := c.deadline(m)
	if info.Time.Before(dl) {
		return nil, false, nil
	}
	tx, err := c.findTransaction(ctx, m.ID(), 0)
	if err != nil || tx != nil {
		return tx, false, err
	}
	return nil, true, fmt.Errorf("message %s: expire at %s, server time %s: %w", m.ID(),
		m.ExpireAt.UTC().Format(time.RFC3339), info.Time.UTC().Format(time.RFC3339), ErrMessageExpired)
}
