package everos

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/gosh-sh/sign-cli/internal/loopback"
)

// NormalizeEndpoint turns what a user writes for a network into the URL of
// its GraphQL API: a missing scheme becomes https (http for a loopback
// host), "/graphql" is appended to the path when missing, and any path
// before it (an Evercloud project id) and any query string are kept. Plain
// http is refused for hosts other than loopback (as package
// internal/loopback defines it; 0.0.0.0 is not) unless allowInsecure is
// set, because the project secret and the
// messages would cross the network in clear.
func NormalizeEndpoint(raw string, allowInsecure bool) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("parsing endpoint: empty URL")
	}
	if !strings.Contains(s, "://") {
		host := s
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if loopback.IsAddr(host) {
			s = "http://" + s
		} else {
			s = "https://" + s
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("parsing endpoint %q: %w", raw, err)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowInsecure && !loopback.IsHost(u.Hostname()) {
			return "", fmt.Errorf("parsing endpoint %q: plain http is only allowed for loopback hosts", raw)
		}
	default:
		return "", fmt.Errorf("parsing endpoint %q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("parsing endpoint %q: no host", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("parsing endpoint %q: credentials in the URL are not supported, use the secret", raw)
	}
	// A query string is kept (some providers take their key there); a
	// fragment is never sent anyway.
	u.Fragment, u.RawFragment = "", ""
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, "/graphql") {
		p += "/graphql"
	}
	u.Path = p
	u.RawPath = ""
	return u.String(), nil
}

// ShownEndpoint is a normalized endpoint as it may be shown or recorded:
// without its query string, which may carry a provider's key.
func ShownEndpoint(endpoint string) string {
	ep, _, _ := strings.Cut(endpoint, "?")
	return ep
}

// AuthHeader is the Authorization header value for a project secret: a JWT
// (it contains a '.') goes as a Bearer token, anything else as Basic
// authentication with an empty user name. Empty secret, empty header.
func AuthHeader(secret string) string {
	if secret == "" {
		return ""
	}
	if strings.Contains(secret, ".") {
		return "Bearer " + secret
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+secret))
}

// websocketURL is the subscription URL for a query URL.
func websocketURL(endpoint string) string {
	switch {
	case strings.HasPrefix(endpoint, "https://"):
		return "wss://" + strings.TrimPrefix(endpoint, "https://")
	case strings.HasPrefix(endpoint, "http://"):
		return "ws://" + strings.TrimPrefix(endpoint, "http://")
	}
	return endpoint
}
