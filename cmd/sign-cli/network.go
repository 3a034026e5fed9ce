package main

import (
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/everos"
)

// networkFlags choose the Everscale GraphQL endpoints a command talks to.
type networkFlags struct {
	network      string
	secret       string
	insecureHTTP bool
}

func (n *networkFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&n.network, "network", "n", "", "GraphQL endpoint URL(s) of the network, comma-separated for failover (default $SIGN_CLI_NETWORK)")
	f.StringVar(&n.secret, "network-secret", "", "project secret or JWT of the endpoints (default $SIGN_CLI_NETWORK_SECRET)")
	f.BoolVar(&n.insecureHTTP, "insecure-network", false, "allow plain HTTP to endpoints that are not on loopback")
}

// endpoints are the normalized endpoint URLs; bad ones are usage errors.
func (n *networkFlags) endpoints(app *App) ([]string, error) {
	raw := n.network
	if raw == "" {
		raw = app.Getenv("SIGN_CLI_NETWORK")
	}
	if strings.TrimSpace(raw) == "" {
		return nil, usageError("no network: give -n URL or set $SIGN_CLI_NETWORK (for example https://mainnet.evercloud.dev/<project-id>/graphql, or the endpoint 'sign-cli devnet' prints)")
	}
	var out []string
	for _, e := range strings.Split(raw, ",") {
		if strings.TrimSpace(e) == "" {
			continue
		}
		// Never look up or connect to what is probably a key given in the
		// wrong place.
		if looksLikeKeyMaterial(e) {
			return nil, usageError("network: an endpoint looks like a secret key or seed phrase, not a URL; expected https://HOST/graphql")
		}
		u, err := everos.NormalizeEndpoint(e, n.insecureHTTP)
		if err != nil {
			return nil, usageError("network: %v", err)
		}
		// A query string often carries a provider's key: errors that name
		// the endpoint show its values abbreviated.
		if parsed, err := url.Parse(u); err == nil {
			for _, vs := range parsed.Query() {
				for _, v := range vs {
					app.secrets.add(v)
				}
			}
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, usageError("network %q names no endpoint", raw)
	}
	return out, nil
}

// client connects to the endpoints (lazily: no request is made here).
func (n *networkFlags) client(app *App) (*everos.Client, error) {
	eps, err := n.endpoints(app)
	if err != nil {
		return nil, err
	}
	return n.clientOf(app, eps)
}

// clients connects to each endpoint alone, for answers to compare.
func (n *networkFlags) clients(app *App) ([]*everos.Client, error) {
	eps, err := n.endpoints(app)
	if err != nil {
		return nil, err
	}
	out := make([]*everos.Client, len(eps))
	for i, ep := range eps {
		if out[i], err = n.clientOf(app, []string{ep}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (n *networkFlags) clientOf(app *App, eps []string) (*everos.Client, error) {
	secret := n.secret
	if secret == "" {
		secret = app.Getenv("SIGN_CLI_NETWORK_SECRET")
	}
	c, err := everos.New(everos.Config{Endpoints: eps, Secret: secret, AllowInsecureHTTP: n.insecureHTTP, HTTPClient: app.traceHTTPClient()})
	if err != nil {
		return nil, usageError("network: %v", err)
	}
	return c, nil
}
