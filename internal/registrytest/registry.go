// Package registrytest runs go-containerregistry's in-memory registry on
// loopback for tests. Like devnet.Server for the network, it records the
// requests it saw and fails the ones a test chooses (by method and path),
// so that every package tests against one registry with one fault API.
package registrytest

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is a registry on 127.0.0.1 with a log of its requests and the
// faults a test has switched on.
type Registry struct {
	// Host is host:port, for image references.
	Host string
	// URL is the base URL, http://Host.
	URL string

	srv *httptest.Server

	mu        sync.Mutex
	requests  []Request
	faults    []fault
	onRequest func(*http.Request)
}

// Request is one request the registry saw.
type Request struct {
	Method string
	Path   string
}

// fault answers n requests that match with status; n counts down, and a
// negative n never runs out.
type fault struct {
	n      int
	status int
	method string // "" for every method
	part   string // "" for every path
}

func (f *fault) matches(r *http.Request) bool {
	return (f.method == "" || f.method == r.Method) && strings.Contains(r.URL.Path, f.part)
}

// Option changes how a registry is started.
type Option func(*options)

type options struct {
	wrap func(http.Handler) http.Handler
}

// Wrap puts a handler in front of the registry, behind the request log and
// the faults, for what a fault cannot express: credentials, or holding
// requests back to make them concurrent.
func Wrap(w func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = w }
}

// New starts a registry that is closed when the test ends.
func New(t testing.TB, opts ...Option) *Registry {
	t.Helper()
	r := Start(opts...)
	t.Cleanup(r.Close)
	return r
}

// Start starts a registry; Close stops it.
func Start(opts ...Option) *Registry {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if o.wrap != nil {
		h = o.wrap(h)
	}
	r := &Registry{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if status := r.record(req); status != 0 {
			failWith(w, status)
			return
		}
		h.ServeHTTP(w, req)
	}))
	r.URL = r.srv.URL
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

// Close stops the registry; requests to it are then refused.
func (r *Registry) Close() { r.srv.Close() }

// record logs a request, tells OnRequest's function of it, and returns the
// status of the fault it takes (0 for none).
func (r *Registry) record(req *http.Request) int {
	r.mu.Lock()
	r.requests = append(r.requests, Request{Method: req.Method, Path: req.URL.Path})
	on := r.onRequest
	status := 0
	for i := range r.faults {
		f := &r.faults[i]
		if f.n == 0 || !f.matches(req) {
			continue
		}
		if f.n > 0 {
			f.n--
		}
		status = f.status
		break
	}
	r.mu.Unlock()
	if on != nil {
		on(req)
	}
	return status
}

// failWith answers with status and a registry error body of the code a
// registry would give it.
func failWith(w http.ResponseWriter, status int) {
	code := "UNAVAILABLE"
	switch status {
	case http.StatusUnauthorized:
		code = "UNAUTHORIZED"
	case http.StatusForbidden:
		code = "DENIED"
	case http.StatusNotFound:
		code = "NAME_UNKNOWN"
	case http.StatusTooManyRequests:
		code = "TOOMANYREQUESTS"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":"injected fault"}]}`, code)
}

// Fail answers the next n requests with this method ("" for any) whose
// path contains part ("" for any) with status, for example 500, 503, 429 or
// 403. A negative n fails them until ResetFaults. Faults added earlier are
// tried first.
func (r *Registry) Fail(n, status int, method, part string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, fault{n: n, status: status, method: method, part: part})
}

// ResetFaults switches every fault off.
func (r *Registry) ResetFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = nil
}

// OnRequest has f told of every request before it is served (nil: none),
// to act at a chosen moment, as a user pressing Ctrl-C does.
func (r *Registry) OnRequest(f func(*http.Request)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onRequest = f
}

// Requests returns the requests seen so far, in order.
func (r *Registry) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// Count returns how many requests had this method ("" for any) and a path
// containing part.
func (r *Registry) Count(method, part string) int {
	n := 0
	for _, q := range r.Requests() {
		if (method == "" || q.Method == method) && strings.Contains(q.Path, part) {
			n++
		}
	}
	return n
}

// ManifestPuts returns "repo:reference" of every manifest pushed so far.
func (r *Registry) ManifestPuts() []string {
	var puts []string
	for _, q := range r.Requests() {
		if q.Method != http.MethodPut {
			continue
		}
		if repo, ref, ok := strings.Cut(strings.TrimPrefix(q.Path, "/v2/"), "/manifests/"); ok {
			puts = append(puts, repo+":"+ref)
		}
	}
	return puts
}

// PushRandom pushes a small random image to repo:tag (a reference without
// the host), its config carrying labels when not nil, and returns the full
// reference and the image's digest.
func (r *Registry) PushRandom(t testing.TB, ref string, labels map[string]string) (string, v1.Hash) {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if labels != nil {
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfg = cfg.DeepCopy()
		cfg.Config.Labels = labels
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
	}
	full := r.Host + "/" + ref
	nr, err := name.ParseReference(full)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(nr, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return full, d
}
