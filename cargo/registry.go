package cargo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gosh-sh/sign-cli/internal/loopback"
)

// DefaultRegistry is crates.io's sparse index.
const DefaultRegistry = "https://index.crates.io/"

// Bounds on what a registry may send. crates.io refuses crates over 10 MiB
// and its largest index files are a few MiB.
const (
	MaxConfigSize = 64 << 10
	MaxIndexSize  = 32 << 20
	MaxCrateSize  = 64 << 20
	// RequestTimeout bounds one request, so that a registry that stops
	// sending in the middle of an answer cannot hold a build forever.
	RequestTimeout = 2 * time.Minute
)

// Registry is a client of a sparse registry index (cargo's sparse
// protocol): config.json at the index root gives the download URL, and
// each crate's index file lists its versions, one JSON object a line.
type Registry struct {
	index     *url.URL
	insecure  bool
	client    *http.Client
	userAgent string

	mu sync.Mutex
	dl string // config.json's dl, once read
}

// RegistryOptions configure NewRegistry.
type RegistryOptions struct {
	// Insecure allows plain HTTP to a host that is not on loopback.
	Insecure bool
	// Transport makes the requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// UserAgent is sent with every request.
	UserAgent string
}

// NewRegistry is a client of the sparse index at index (DefaultRegistry
// when empty); a "sparse+" prefix, as Cargo.lock writes sources, is
// allowed. Plain HTTP is used only on loopback unless opt.Insecure.
func NewRegistry(index string, opt RegistryOptions) (*Registry, error) {
	if index == "" {
		index = DefaultRegistry
	}
	raw := strings.TrimPrefix(index, "sparse+")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return nil, errorf(ErrInvalid, "cargo registry %q: expected the https:// URL of a sparse index", index)
	}
	if err := checkScheme(u, opt.Insecure); err != nil {
		return nil, err
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	rt := opt.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &Registry{
		index:     u,
		insecure:  opt.Insecure,
		userAgent: opt.UserAgent,
		client: &http.Client{
			Transport: rt,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return errors.New("more than 5 redirects")
				}
				return checkScheme(req.URL, opt.Insecure)
			},
		},
	}, nil
}

// URL is the index URL, ending in a slash.
func (r *Registry) URL() string { return r.index.String() }

func checkScheme(u *url.URL, insecure bool) error {
	if u.Scheme == "http" && !insecure && !loopback.IsHost(u.Hostname()) {
		return errorf(ErrInvalid, "%s: plain HTTP is used only on loopback (allow it with --insecure-registry)", u.Redacted())
	}
	return nil
}

// IndexPath is where the sparse protocol (and a local registry) keeps the
// index file of a crate: 1/NAME, 2/NAME, 3/C/NAME, or AB/CD/NAME, in lower
// case.
func IndexPath(name string) string {
	n := strings.ToLower(name)
	return prefix(n) + "/" + n
}

// prefix is the directory part of an index path, in the letter case of
// name, as the dl template's {prefix} marker wants it.
func prefix(name string) string {
	switch len(name) {
	case 1:
		return "1"
	case 2:
		return "2"
	case 3:
		return "3/" + name[:1]
	default:
		return name[:2] + "/" + name[2:4]
	}
}

// DownloadURL is where the registry serves c: config.json's dl with its
// markers replaced, or followed by /NAME/VERSION/download when it has
// none, as cargo does.
func (r *Registry) DownloadURL(ctx context.Context, c Crate) (string, error) {
	dl, err := r.config(ctx)
	if err != nil {
		return "", err
	}
	return expandDL(dl, c), nil
}

func expandDL(dl string, c Crate) string {
	markers := []string{"{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"}
	has := false
	for _, m := range markers {
		has = has || strings.Contains(dl, m)
	}
	if !has {
		return strings.TrimSuffix(dl, "/") + "/" + c.Name + "/" + c.Version + "/download"
	}
	return strings.NewReplacer(
		"{crate}", c.Name,
		"{version}", c.Version,
		"{prefix}", prefix(c.Name),
		"{lowerprefix}", prefix(strings.ToLower(c.Name)),
		"{sha256-checksum}", c.Checksum,
	).Replace(dl)
}

// config reads config.json once.
func (r *Registry) config(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dl != "" {
		return r.dl, nil
	}
	u := r.index.JoinPath("config.json").String()
	body, err := r.get(ctx, u, MaxConfigSize)
	if err != nil {
		return "", err
	}
	var cfg struct {
		DL string `json:"dl"`
	}
	if err := json.Unmarshal(body, &cfg); err != nil {
		return "", errorf(ErrRegistry, "%s: not a sparse index configuration: %s", u, oneLine(err.Error()))
	}
	dl, err := url.Parse(strings.ReplaceAll(strings.ReplaceAll(cfg.DL, "{", "%7B"), "}", "%7D"))
	if err != nil || cfg.DL == "" {
		return "", errorf(ErrRegistry, "%s: dl %q is not a URL", u, cfg.DL)
	}
	// A relative dl is resolved against the index, as for any link.
	dl = r.index.ResolveReference(dl)
	if dl.Scheme != "https" && dl.Scheme != "http" {
		return "", errorf(ErrRegistry, "%s: dl %q is not an http(s) URL", u, cfg.DL)
	}
	if err := checkScheme(dl, r.insecure); err != nil {
		return "", errorf(ErrRegistry, "%s: dl: %v", u, err)
	}
	r.dl = strings.ReplaceAll(strings.ReplaceAll(dl.String(), "%7B", "{"), "%7D", "}")
	return r.dl, nil
}

// IndexLine returns the index line of c, exactly as the registry wrote it.
// The line must name c and carry the checksum Cargo.lock records
// (ErrChecksum otherwise).
func (r *Registry) IndexLine(ctx context.Context, c Crate) ([]byte, error) {
	lines, err := r.IndexLines(ctx, c.Name)
	if err != nil {
		return nil, err
	}
	return pickLine(lines, c)
}

// pickLine is c's line of an index file's lines, checked.
func pickLine(lines map[string][]byte, c Crate) ([]byte, error) {
	line, ok := lines[c.Version]
	if !ok {
		return nil, errorf(ErrRegistry, "crate %s: the registry's index has no version %s", c.Name, c.Version)
	}
	if _, err := checkIndexLine(line, c); err != nil {
		return nil, err
	}
	return line, nil
}

// IndexLines reads the index file of a crate: its lines by version.
func (r *Registry) IndexLines(ctx context.Context, name string) (map[string][]byte, error) {
	if err := checkName(name); err != nil {
		return nil, errorf(ErrInvalid, "%v", err)
	}
	u := r.index.JoinPath(IndexPath(name)).String()
	body, err := r.get(ctx, u, MaxIndexSize)
	if err != nil {
		return nil, err
	}
	lines := map[string][]byte{}
	for n, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var e indexEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, errorf(ErrRegistry, "%s line %d: not an index entry: %s", u, n+1, oneLine(err.Error()))
		}
		if e.Name != "" && strings.EqualFold(e.Name, name) {
			lines[e.Vers] = line
		}
	}
	return lines, nil
}

// indexEntry is what is read of an index line; the line itself is kept
// whole for the local registry.
type indexEntry struct {
	Name  string `json:"name"`
	Vers  string `json:"vers"`
	Cksum string `json:"cksum"`
}

// checkIndexLine parses line and checks that it is c's, with c's checksum.
func checkIndexLine(line []byte, c Crate) (indexEntry, error) {
	var e indexEntry
	if err := json.Unmarshal(line, &e); err != nil {
		return e, errorf(ErrRegistry, "crate %s: index line is not an index entry: %s", c, oneLine(err.Error()))
	}
	if e.Name != c.Name || e.Vers != c.Version {
		return e, errorf(ErrRegistry, "crate %s: index line is for %s %s", c, e.Name, e.Vers)
	}
	if e.Cksum != c.Checksum {
		return e, errorf(ErrChecksum, "crate %s: the registry's index has checksum %s, Cargo.lock has %s", c, e.Cksum, c.Checksum)
	}
	return e, nil
}

// Download fetches the .crate file of c. Its checksum is the caller's to
// check (Prepare does).
func (r *Registry) Download(ctx context.Context, c Crate) ([]byte, error) {
	u, err := r.DownloadURL(ctx, c)
	if err != nil {
		return nil, err
	}
	return r.get(ctx, u, MaxCrateSize)
}

// get fetches u and reads at most limit bytes of a 200 answer.
func (r *Registry) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errorf(ErrRegistry, "%s: %v", u, err)
	}
	if r.userAgent != "" {
		req.Header.Set("User-Agent", r.userAgent)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			return nil, err
		}
		// *url.Error names the method and the URL.
		return nil, errorf(ErrRegistry, "%s", oneLine(err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode == http.StatusNotFound {
			return nil, errorf(ErrRegistry, "%s: not found", u)
		}
		return nil, errorf(ErrRegistry, "%s: %s", u, resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, errorf(ErrRegistry, "%s: answer of %d bytes, more than the %d allowed", u, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, errorf(ErrRegistry, "%s: reading the answer: %s", u, oneLine(err.Error()))
	}
	if int64(len(body)) > limit {
		return nil, errorf(ErrRegistry, "%s: answer of more than the %d bytes allowed", u, limit)
	}
	return body, nil
}

// String names the registry in messages.
func (r *Registry) String() string { return fmt.Sprint(r.index.Redacted()) }
