package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/image"
)

// traceEnv turns on the request counts: with SIGN_CLI_TRACE_REQUESTS=1 a
// command prints, when it ends, how many HTTP requests and new connections
// it made to each host, so that the cost of a command in round trips can be
// measured rather than guessed.
const traceEnv = "SIGN_CLI_TRACE_REQUESTS"

// requestTrace counts requests and connections per host.
type requestTrace struct {
	mu    sync.Mutex
	hosts map[string]*hostCount
	// each, with SIGN_CLI_TRACE_REQUESTS=all, is told of every request.
	each func(method, url string, status int)
}

type hostCount struct {
	requests, conns int
	methods         map[string]int
}

func newRequestTrace() *requestTrace { return &requestTrace{hosts: map[string]*hostCount{}} }

func (t *requestTrace) host(h string) *hostCount {
	c := t.hosts[h]
	if c == nil {
		c = &hostCount{methods: map[string]int{}}
		t.hosts[h] = c
	}
	return c
}

// transport counts what goes through a clone of base (a fresh
// http.Transport, so that new connections are seen).
func (t *requestTrace) transport(base *http.Transport) http.RoundTripper {
	tr := base.Clone()
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		t.mu.Lock()
		t.host(addr).conns++
		t.mu.Unlock()
		return dial(ctx, network, addr)
	}
	return countingTransport{trace: t, base: tr}
}

type countingTransport struct {
	trace *requestTrace
	base  http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.trace.mu.Lock()
	h := c.trace.host(r.URL.Host)
	h.requests++
	h.methods[r.Method]++
	c.trace.mu.Unlock()
	resp, err := c.base.RoundTrip(r)
	if c.trace.each != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		c.trace.each(r.Method, redactedURL(r.URL), status)
	}
	return resp, err
}

// redactedURL is u without its query and user information: presigned
// download URLs carry their signature (X-Amz-Signature and the like) in the
// query, and that must not reach a terminal or a CI log.
func redactedURL(u *url.URL) string {
	r := *u
	r.User = nil
	if r.RawQuery != "" {
		r.RawQuery = "REDACTED"
	}
	r.Fragment, r.RawFragment = "", ""
	return r.String()
}

// String is one line per host: "requests HOST: N (GET a, POST b), C connections".
func (t *requestTrace) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var hosts []string
	for h := range t.hosts {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	var b strings.Builder
	for _, h := range hosts {
		c := t.hosts[h]
		if c.requests == 0 {
			continue // connections are counted by address, requests by host
		}
		var ms []string
		for m, n := range c.methods {
			ms = append(ms, fmt.Sprintf("%s %d", m, n))
		}
		slices.Sort(ms)
		conns := c.conns
		if d, ok := t.hosts[dialAddr(h)]; ok && dialAddr(h) != h {
			conns += d.conns
		}
		fmt.Fprintf(&b, "requests %s: %d (%s), %d connections\n", h, c.requests, strings.Join(ms, ", "), conns)
	}
	return b.String()
}

// dialAddr is the host:port a URL host is dialled at.
func dialAddr(h string) string {
	if _, _, err := net.SplitHostPort(h); err == nil {
		return h
	}
	return net.JoinHostPort(h, "443")
}

// traceRegistry makes reg count its requests when tracing is on.
func (a *App) traceRegistry(reg *image.Registry) *image.Registry {
	if a.trace != nil {
		base, ok := remote.DefaultTransport.(*http.Transport)
		if !ok {
			base = http.DefaultTransport.(*http.Transport)
		}
		reg.Transport = a.trace.transport(base)
	}
	return reg
}

// traceHTTPClient is the HTTP client of the GraphQL endpoints: nil (the
// client's own) unless tracing is on.
func (a *App) traceHTTPClient() *http.Client {
	if a.trace == nil {
		return nil
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: a.trace.transport(base)}
}
