package everos

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// Info is what a server reports about itself.
type Info struct {
	Version string
	// Time is the server's clock when it answered.
	Time time.Time
	// Latency is how far the server's data lags behind its clock.
	Latency time.Duration
}

func parseInfo(v gjson.Result) (Info, error) {
	if !v.IsObject() {
		return Info{}, fmt.Errorf("reading info: no info object in the response")
	}
	t := v.Get("time")
	if t.Type != gjson.Number {
		return Info{}, fmt.Errorf("reading info: time %q is not a number", t.Raw)
	}
	return Info{
		Version: v.Get("version").String(),
		Time:    time.UnixMilli(int64(t.Float())),
		Latency: time.Duration(v.Get("latency").Float()) * time.Millisecond,
	}, nil
}

// Info asks the server about itself and records the offset of its clock.
func (c *Client) Info(ctx context.Context) (Info, error) {
	sent := time.Now()
	data, err := c.query(ctx, request{Query: queryInfo})
	if err != nil {
		return Info{}, fmt.Errorf("querying server info: %w", err)
	}
	info, err := parseInfo(data.Get("info"))
	if err != nil {
		return Info{}, err
	}
	c.recordClock(sent, time.Now(), info.Time)
	return info, nil
}

// recordClock sets the clock offset from a server time read between sent
// and received, taking the server's reading to be at the midpoint.
func (c *Client) recordClock(sent, received, server time.Time) {
	mid := sent.Add(received.Sub(sent) / 2)
	c.offset.Store(int64(server.Sub(mid)))
	c.synced.Store(true)
}

// ClockOffset is the server's clock minus the local clock as last measured
// (0 before any measurement).
func (c *Client) ClockOffset() time.Duration {
	return time.Duration(c.offset.Load())
}

// ServerTime is the local clock corrected by the measured offset, measuring
// it first if that was never done. Use it to compute message expiry times.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	if !c.synced.Load() {
		if _, err := c.Info(ctx); err != nil {
			return time.Time{}, err
		}
	}
	return c.now(), nil
}

func (c *Client) now() time.Time {
	return time.Now().Add(c.ClockOffset())
}

// EndpointStatus is the outcome of probing one endpoint.
type EndpointStatus struct {
	URL  string
	Info Info
	// RTT is the round-trip time of the probe.
	RTT time.Duration
	Err error
}

// Probe sends an info query to every endpoint at once, without retries,
// and returns their states in the configured order.
func (c *Client) Probe(ctx context.Context) []EndpointStatus {
	out := make([]EndpointStatus, len(c.endpoints))
	var wg sync.WaitGroup
	for i, e := range c.endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].URL = e
			start := time.Now()
			data, err := c.post(ctx, e, []byte(`{"query":"`+queryInfo+`"}`), 0)
			out[i].RTT = time.Since(start)
			if err == nil {
				out[i].Info, err = parseInfo(data.Get("info"))
			}
			out[i].Err = err
		}()
	}
	wg.Wait()
	return out
}

// ensureProbed orders the endpoints by health and latency once, when the
// ByLatency selection asks for it.
func (c *Client) ensureProbed(ctx context.Context) error {
	if c.cfg.Selection != ByLatency {
		return nil
	}
	c.mu.Lock()
	done := c.probed
	c.mu.Unlock()
	if done {
		return nil
	}
	st := c.Probe(ctx)
	if ctx.Err() != nil {
		return fmt.Errorf("probing endpoints: %w", ctx.Err())
	}
	c.SelectFrom(st)
	return nil
}

// SelectFrom orders the endpoints by a probe's outcome: the ones that
// answered first, by round trip plus reported data latency; the others
// after them in their configured order.
func (c *Client) SelectFrom(st []EndpointStatus) {
	idx := make([]int, len(c.endpoints))
	score := make([]time.Duration, len(c.endpoints))
	for i := range idx {
		idx[i] = i
		score[i] = -1
		for _, s := range st {
			if s.URL == c.endpoints[i] && s.Err == nil {
				score[i] = s.RTT + s.Info.Latency
			}
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		sa, sb := score[a], score[b]
		switch {
		case sa < 0 && sb < 0:
			return 0
		case sa < 0:
			return 1
		case sb < 0:
			return -1
		}
		return cmp.Compare(sa, sb)
	})
	c.mu.Lock()
	c.order = idx
	c.current = 0
	c.probed = true
	c.mu.Unlock()
}
