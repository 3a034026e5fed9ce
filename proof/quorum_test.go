package proof_test

import (
	"errors"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/proof"
)

// TestQuorum: a lying endpoint (here a network of its own, on which a proof
// was deployed that the real network never saw) is outvoted by two honest
// ones, and with fewer agreeing endpoints than required there is no
// verdict at all, only an error naming what each said.
func TestQuorum(t *testing.T) {
	honest, liar := newWorld(t), newWorld(t)
	signer := newKey(t)
	onlyLiar, onlyHonest := digestOf("forged"), digestOf("real")
	if _, err := liar.deployer(liar.client()).Deploy(t.Context(), signer, onlyLiar); err != nil {
		t.Fatal(err)
	}
	if _, err := honest.deployer(honest.client()).Deploy(t.Context(), signer, onlyHonest); err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(honest.chain.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host}))
	t.Cleanup(proxy.Close)
	endpoints := map[string]*everos.Client{
		"honest": honest.client(),
		// A provider's key in the query string is never shown.
		"proxy": honest.client(proxy.URL + "/graphql?apikey=provider-key"),
		"liar":  liar.client(),
	}
	quorum := func(n int, names ...string) *proof.Quorum {
		q := &proof.Quorum{N: n}
		for _, name := range names {
			q.Clients = append(q.Clients, endpoints[name])
		}
		return q
	}
	check := func(q *proof.Quorum, content string) proof.Verdict {
		t.Helper()
		return q.Check(t.Context(), []proof.Query{{Public: signer.Public(), Content: content}})[0]
	}

	tests := []struct {
		name     string
		q        *proof.Quorum
		content  string
		verified bool
		refused  bool   // a definite "not verified"
		noQuorum string // the error names this, when there is no verdict
	}{
		{"real proof, two of three agree", quorum(2, "honest", "proxy", "liar"), onlyHonest, true, false, ""},
		{"forged proof outvoted", quorum(2, "honest", "proxy", "liar"), onlyLiar, false, true, ""},
		{"forged proof, all three required", quorum(3, "honest", "proxy", "liar"), onlyLiar, false, false, "says active"},
		{"real proof, one of two agree", quorum(2, "honest", "liar"), onlyHonest, false, false, "says non-existent"},
		{"one endpoint, as without a quorum", quorum(1, "liar"), onlyLiar, true, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := check(tc.q, tc.content)
			if len(v.Answers) != len(tc.q.Clients) {
				t.Errorf("%d answers for %d endpoints", len(v.Answers), len(tc.q.Clients))
			}
			for _, a := range v.Answers {
				if a.Endpoint == "" || strings.Contains(a.Endpoint, "provider-key") {
					t.Errorf("answer of endpoint %q", a.Endpoint)
				}
			}
			switch {
			case tc.verified:
				if v.Err != nil || v.State == nil {
					t.Fatalf("not verified: %v", v.Err)
				}
			case tc.refused:
				if !v.NotVerified() {
					t.Fatalf("want a definite not verified, got %v", v.Err)
				}
			default:
				if !errors.Is(v.Err, proof.ErrNoQuorum) || v.NotVerified() || !strings.Contains(v.Err.Error(), tc.noQuorum) {
					t.Fatalf("want no verdict saying %q, got %v", tc.noQuorum, v.Err)
				}
			}
		})
	}
}
