package buildkittest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Registry is go-containerregistry's in-memory registry on loopback. It
// records the manifests pushed to it, so that tests can tell what a build or
// a signer wrote.
type Registry struct {
	// Host is host:port, for image references.
	Host string

	srv *httptest.Server
	mu  sync.Mutex
	// puts lists "repo:reference" of every manifest PUT, in order.
	puts []string
}

// NewRegistry starts a registry on 127.0.0.1.
func NewRegistry() *Registry {
	r := &Registry{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut {
			if repo, ref, ok := strings.Cut(strings.TrimPrefix(req.URL.Path, "/v2/"), "/manifests/"); ok {
				r.mu.Lock()
				r.puts = append(r.puts, repo+":"+ref)
				r.mu.Unlock()
			}
		}
		reg.ServeHTTP(w, req)
	}))
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

// ManifestPuts returns "repo:reference" of every manifest pushed so far.
func (r *Registry) ManifestPuts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.puts...)
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }
