package proof

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
)

// ErrNoQuorum: fewer endpoints than required agree on a proof account, so
// no verdict is given.
var ErrNoQuorum = errors.New("endpoints disagree")

// Answer is what one endpoint said about a proof account: the values that
// never change once a proof is constructed.
type Answer struct {
	Endpoint string `json:"endpoint"`
	Status   string `json:"status,omitempty"`
	CodeHash string `json:"code_hash,omitempty"`
	DataHash string `json:"data_hash,omitempty"`
	Error    string `json:"error,omitempty"`
}

func (a Answer) key() string { return a.Status + "/" + a.CodeHash + "/" + a.DataHash }

// Quorum checks proofs on several endpoints at once and gives a verdict only
// when at least N of them give the same answer (status, code hash and data
// hash), so that one lying or broken endpoint cannot decide a verdict alone.
// It defends against a bad endpoint, not against endpoints that share one
// backend or one operator.
type Quorum struct {
	// Clients has one client per endpoint.
	Clients []*everos.Client
	// N is how many must agree; at least 1.
	N int
}

// Check verifies many proofs: one batched query per endpoint, all at once.
// Every verdict carries what each endpoint said.
func (q *Quorum) Check(ctx context.Context, checks []Query) []Verdict {
	out, proofs, addrs := proofsOf(checks)
	if len(addrs) == 0 {
		return out
	}
	accs := make([][]*everos.Account, len(q.Clients))
	errs := make([]error, len(q.Clients))
	var wg sync.WaitGroup
	for e, c := range q.Clients {
		wg.Go(func() { accs[e], errs[e] = c.Accounts(ctx, addrs) })
	}
	wg.Wait()
	j := 0
	for i, p := range proofs {
		if p == nil {
			continue
		}
		answers := make([]Answer, len(q.Clients))
		for e, c := range q.Clients {
			answers[e] = answer(endpointOf(c), accs[e], errs[e], j)
		}
		out[i] = q.decide(p, answers, accs, j)
		j++
	}
	return out
}

func endpointOf(c *everos.Client) string {
	if eps := c.Endpoints(); len(eps) > 0 {
		return everos.ShownEndpoint(eps[0])
	}
	return ""
}

// answer is endpoint e's answer for the j-th address, with the hashes
// computed from the bytes it served rather than taken from its word.
func answer(endpoint string, accs []*everos.Account, err error, j int) Answer {
	a := Answer{Endpoint: endpoint}
	if err != nil {
		a.Error = err.Error()
		return a
	}
	acc := accs[j]
	if acc.Endpoint != "" {
		a.Endpoint = acc.Endpoint
	}
	a.Status = acc.Type.String()
	if acc.Type != everos.Active {
		return a
	}
	a.CodeHash = hex.EncodeToString(acc.CodeHash)
	if c, err := cell.FromBOC(acc.Code); err == nil {
		if h := c.Hash(); hex.EncodeToString(h[:]) != a.CodeHash {
			a.Error = "its code hash is not the hash of the code it served"
		}
	}
	if d, err := cell.FromBOC(acc.Data); err == nil {
		h := d.Hash()
		a.DataHash = hex.EncodeToString(h[:])
	} else {
		a.DataHash = hex.EncodeToString(acc.DataHash)
	}
	return a
}

// decide gives the verdict of the largest group of agreeing answers when it
// has at least N members, and ErrNoQuorum otherwise.
func (q *Quorum) decide(p *contract.Proof, answers []Answer, accs [][]*everos.Account, j int) Verdict {
	v := Verdict{Address: p.Address().String(), Answers: answers}
	groups := map[string][]int{}
	for e, a := range answers {
		if a.Error == "" {
			groups[a.key()] = append(groups[a.key()], e)
		}
	}
	var best []int
	for _, g := range groups {
		if len(g) > len(best) {
			best = g
		}
	}
	need := max(q.N, 1)
	if len(best) < need {
		var said []string
		for _, a := range answers {
			switch {
			case a.Error != "":
				said = append(said, fmt.Sprintf("%s failed (%s)", a.Endpoint, a.Error))
			case a.Status != everos.Active.String():
				said = append(said, fmt.Sprintf("%s says %s", a.Endpoint, a.Status))
			default:
				said = append(said, fmt.Sprintf("%s says active, code %.8s…, data %.8s…", a.Endpoint, a.CodeHash, a.DataHash))
			}
		}
		slices.Sort(said)
		v.Err = fmt.Errorf("%w on proof %s: %d of %d agree, %d needed: %s", ErrNoQuorum, v.Address, len(best), len(answers), need, strings.Join(said, "; "))
		return v
	}
	acc := accs[best[0]][j]
	v.State, v.Err = checkAccount(p, acc)
	v.Endpoint = answers[best[0]].Endpoint
	return v
}
