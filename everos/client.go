package everos

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
)

// Selection is how a Client orders its endpoints.
type Selection int

const (
	// InOrder uses the endpoints in the order given, moving to the next one
	// when a request to the current one fails.
	InOrder Selection = iota
	// ByLatency probes every endpoint with an info query first and uses the
	// healthy ones fastest first.
	ByLatency
)

// Config configures a Client. Only Endpoints is required.
type Config struct {
	// Endpoints are GraphQL API URLs; see NormalizeEndpoint for the forms.
	Endpoints []string
	// Secret is the optional project secret (or JWT) of the endpoints.
	Secret string
	// AllowInsecureHTTP permits plain http to hosts other than loopback.
	AllowInsecureHTTP bool
	// Selection orders the endpoints; InOrder by default.
	Selection Selection
	// HTTPClient sends the requests; a client of its own when nil.
	HTTPClient *http.Client
	// RequestTimeout bounds one HTTP attempt (not counting the server-side
	// wait of a waiting query). Default 30s.
	RequestTimeout time.Duration
	// MaxRetries is how many attempts are made, beyond one per endpoint,
	// after a connection error, a 5xx or a 429. Default 4; negative means
	// none.
	MaxRetries int
	// RetryBaseDelay and RetryMaxDelay bound the exponential backoff
	// between attempts (with jitter). Defaults 250ms and 5s.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// AccountsPerRequest is how many addresses one accounts query asks
	// for (the server caps the result size). Default 50.
	AccountsPerRequest int
	// ParallelRequests is how many of those requests run at once.
	// Default 4.
	ParallelRequests int
	// WaitTimeout is the server-side wait of one polling query. Default 40s.
	WaitTimeout time.Duration
	// ExpiryGrace is how long past a message's expiry (by the server's
	// clock) the client keeps looking for its transaction, to cover the
	// delay between a block and its data reaching the API. Default 5s.
	ExpiryGrace time.Duration
	// DisableSubscriptions makes WaitForTransaction poll only.
	DisableSubscriptions bool
	// MaxResponseSize bounds the bytes of one answer, an HTTP body or a
	// websocket frame. Default DefaultMaxResponseSize.
	MaxResponseSize int64
	// Logf, when set, is told about retries, failovers and fallbacks
	// (for a command's verbose output).
	Logf func(format string, args ...any)
}

// Client talks to an EverOS GraphQL API. It is safe for concurrent use.
type Client struct {
	cfg       Config
	endpoints []string
	auth      string
	http      *http.Client
	tls       *tls.Config // for websockets, taken from the HTTP client's transport

	mu      sync.Mutex
	order   []int // endpoint indexes, preferred first
	current int   // position in order of the endpoint that last worked
	probed  bool

	offset atomic.Int64 // server clock minus local clock, ns
	synced atomic.Bool

	// wsLock (a channel, so that a waiter's context can give up on it)
	// guards ws: the one subscription connection per endpoint.
	wsLock chan struct{}
	ws     map[string]*wsConn
	wsIdle time.Duration // how long an unused connection stays; tests shorten it
}

// New checks cfg and returns a Client. It does not contact the network.
func New(cfg Config) (*Client, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, ErrNoEndpoint
	}
	c := &Client{cfg: cfg, auth: AuthHeader(cfg.Secret), http: cfg.HTTPClient, wsLock: make(chan struct{}, 1)}
	for _, e := range cfg.Endpoints {
		u, err := NormalizeEndpoint(e, cfg.AllowInsecureHTTP)
		if err != nil {
			return nil, err
		}
		c.endpoints = append(c.endpoints, u)
		c.order = append(c.order, len(c.order))
	}
	d := &c.cfg
	setDefault(&d.RequestTimeout, 30*time.Second)
	setDefault(&d.RetryBaseDelay, 250*time.Millisecond)
	setDefault(&d.RetryMaxDelay, 5*time.Second)
	setDefault(&d.WaitTimeout, 40*time.Second)
	setDefault(&d.ExpiryGrace, 5*time.Second)
	if d.MaxRetries == 0 {
		d.MaxRetries = 4
	} else if d.MaxRetries < 0 {
		d.MaxRetries = 0
	}
	if d.AccountsPerRequest <= 0 {
		d.AccountsPerRequest = 50
	}
	if d.MaxResponseSize <= 0 {
		d.MaxResponseSize = DefaultMaxResponseSize
	}
	if d.ParallelRequests <= 0 {
		d.ParallelRequests = 4
	}
	if c.http == nil {
		// Keep enough idle connections for the parallel requests.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = d.ParallelRequests + 2
		c.http = &http.Client{Transport: t}
	}
	// Copied now: the transport changes its own on first use.
	if t, ok := c.http.Transport.(*http.Transport); ok && t.TLSClientConfig != nil {
		c.tls = t.TLSClientConfig.Clone()
	}
	return c, nil
}

func (c *Client) logf(format string, args ...any) {
	if c.cfg.Logf != nil {
		c.cfg.Logf(format, args...)
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Endpoints returns the normalized endpoint URLs, preferred first.
func (c *Client) Endpoints() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.order))
	for i := range c.order {
		out = append(out, c.endpoints[c.order[(c.current+i)%len(c.order)]])
	}
	return out
}

// request is one GraphQL operation.
type request struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
	// wait is the server-side wait the query asks for; the HTTP timeout
	// is extended by it.
	wait time.Duration `json:"-"`
}

// query runs r with retries and failover and returns its "data".
func (c *Client) query(ctx context.Context, r request) (gjson.Result, error) {
	data, _, err := c.queryAt(ctx, r)
	return data, err
}

// queryAt is query that also says which endpoint answered, without its
// query string (which may carry a provider's key).
func (c *Client) queryAt(ctx context.Context, r request) (gjson.Result, string, error) {
	data, endpoint, err := c.queryOnce(ctx, r)
	return data, ShownEndpoint(endpoint), err
}

func (c *Client) queryOnce(ctx context.Context, r request) (gjson.Result, string, error) {
	if err := c.ensureProbed(ctx); err != nil {
		return gjson.Result{}, "", err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return gjson.Result{}, "", fmt.Errorf("encoding GraphQL request: %w", err)
	}
	var last error
	n := len(c.order)
	attempts := n + c.cfg.MaxRetries
	for attempt := 0; attempt < attempts; attempt++ {
		c.mu.Lock()
		pos := c.current
		endpoint := c.endpoints[c.order[pos]]
		c.mu.Unlock()
		// A fresh endpoint is tried at once; a second round waits.
		if attempt >= n {
			if err := sleep(ctx, c.backoff(attempt-n)); err != nil {
				return gjson.Result{}, "", fmt.Errorf("%w (last error: %v)", err, last)
			}
		}
		data, err := c.post(ctx, endpoint, body, r.wait)
		if err == nil {
			return data, endpoint, nil
		}
		if ctx.Err() != nil {
			return gjson.Result{}, "", fmt.Errorf("querying %s: %w", endpoint, ctx.Err())
		}
		if !retryable(err) {
			return gjson.Result{}, "", err
		}
		last = err
		c.mu.Lock()
		if c.current == pos {
			c.current = (pos + 1) % n
		}
		c.mu.Unlock()
		if attempt+1 < attempts {
			c.logf("everos: attempt %d failed, retrying: %v", attempt+1, err)
		}
	}
	return gjson.Result{}, "", fmt.Errorf("giving up after %d attempts: %w", attempts, last)
}

// backoff is the delay before retry k (0-based): a random point in the
// upper half of a window that doubles with every retry, so that clients
// failing together do not retry together.
func (c *Client) backoff(k int) time.Duration {
	window := c.cfg.RetryBaseDelay
	for i := 0; i < k && window < c.cfg.RetryMaxDelay; i++ {
		window *= 2
	}
	window = min(window, c.cfg.RetryMaxDelay)
	return window/2 + rand.N(window/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func retryable(err error) bool {
	if errors.Is(err, ErrResponseLimit) {
		return false
	}
	var ge *GraphQLError
	if errors.As(err, &ge) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary()
	}
	// Connection errors, timeouts of one attempt and unreadable bodies.
	return true
}

// post sends one attempt to one endpoint.
func (c *Client) post(ctx context.Context, endpoint string, body []byte, wait time.Duration) (gjson.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout+wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return gjson.Result{}, fmt.Errorf("building request to %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return gjson.Result{}, err // a *url.Error, which names the method and the URL
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.cfg.MaxResponseSize {
		return gjson.Result{}, limitError(endpoint, fmt.Errorf("%w: %d bytes announced", ErrResponseLimit, resp.ContentLength))
	}
	raw, err := readLimited(resp.Body, c.cfg.MaxResponseSize)
	if errors.Is(err, ErrResponseLimit) {
		return gjson.Result{}, limitError(endpoint, err)
	}
	if err != nil {
		return gjson.Result{}, fmt.Errorf("reading response from %s: %w", endpoint, err)
	}
	return parseResponse(endpoint, resp.StatusCode, raw)
}

// parseResponse reads a GraphQL response body. Its nesting is checked
// before any parser sees it.
func parseResponse(endpoint string, status int, raw []byte) (gjson.Result, error) {
	if status >= 500 || status == 429 || status == 408 {
		return gjson.Result{}, &HTTPError{Endpoint: endpoint, Status: status, Body: snippet(raw)}
	}
	if err := checkDepth(raw, MaxResponseDepth); err != nil {
		return gjson.Result{}, limitError(endpoint, err)
	}
	if !gjson.ValidBytes(raw) {
		if status != http.StatusOK {
			return gjson.Result{}, &HTTPError{Endpoint: endpoint, Status: status, Body: snippet(raw)}
		}
		return gjson.Result{}, &ResponseError{Endpoint: endpoint, Reason: "body is not JSON: " + snippet(raw)}
	}
	doc := gjson.ParseBytes(raw)
	if ge := graphQLErrors(endpoint, status, doc.Get("errors")); ge != nil {
		return gjson.Result{}, ge
	}
	if status != http.StatusOK {
		return gjson.Result{}, &HTTPError{Endpoint: endpoint, Status: status, Body: snippet(raw)}
	}
	data := doc.Get("data")
	if !data.IsObject() {
		return gjson.Result{}, &ResponseError{Endpoint: endpoint, Reason: "no data object in the response"}
	}
	return data, nil
}

// graphQLErrors returns the errors of a response, nil when there are none.
func graphQLErrors(endpoint string, status int, errs gjson.Result) *GraphQLError {
	if !errs.IsArray() || len(errs.Array()) == 0 {
		return nil
	}
	ge := &GraphQLError{Endpoint: endpoint, Status: status}
	for _, e := range errs.Array() {
		msg := e.Get("message").String()
		if msg == "" {
			msg = e.Raw
		}
		ge.Messages = append(ge.Messages, msg)
		ge.Codes = append(ge.Codes, e.Get("extensions.code").String())
	}
	return ge
}

func snippet(b []byte) string {
	const n = 200
	s := string(bytes.TrimSpace(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
