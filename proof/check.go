package proof

import (
	"context"
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
)

// Query asks whether the holder of Public signed Content on chain.
type Query struct {
	Public  keys.PublicKey
	Content string
}

// Verdict is the on-chain answer for one Query.
type Verdict struct {
	Address string
	// State is the proof's data when it verified.
	State *contract.ProofState
	// Endpoint is the GraphQL endpoint whose answer the verdict rests on.
	Endpoint string
	// Answers are what each endpoint said, when several were asked
	// (Quorum).
	Answers []Answer
	// Evidence is set when the verdict was proven from the chain's own
	// data rather than taken from the endpoint's word (package trustless).
	Evidence *Evidence
	// Err is nil when the proof verified. Otherwise it wraps one of
	// contract.ErrNotDeployed, ErrNotConstructed, ErrProofMismatch or
	// ErrNotProof when the account was read and is not the proof, and
	// anything else when it could not be read.
	Err error
}

// NotVerified reports whether the verdict is a definite "no" (as opposed
// to verified, or unknown because the network failed).
func (v Verdict) NotVerified() bool {
	return v.Err != nil && IsRefusal(v.Err)
}

// IsRefusal reports whether err says the account was read and is not
// the proof asked for.
func IsRefusal(err error) bool {
	for _, e := range []error{contract.ErrNotDeployed, contract.ErrNotConstructed, contract.ErrProofMismatch, contract.ErrNotProof, contract.ErrContentTooLong, contract.ErrContentEmpty, contract.ErrContentNotUTF8} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// proofsOf makes the proof of each query, with the verdicts to fill in
// (an error already for a query no proof can answer) and the addresses to
// read, in order.
func proofsOf(checks []Query) (out []Verdict, proofs []*contract.Proof, addrs []string) {
	out = make([]Verdict, len(checks))
	proofs = make([]*contract.Proof, len(checks))
	for i, pc := range checks {
		p, err := contract.NewProof(pc.Public.Ed25519(), pc.Content)
		if err != nil {
			out[i].Err = err
			continue
		}
		proofs[i] = p
		out[i].Address = p.Address().String()
		addrs = append(addrs, out[i].Address)
	}
	return out, proofs, addrs
}

// Check verifies many proofs with one batched account query.
func (d *Deployer) Check(ctx context.Context, checks []Query) []Verdict {
	out, proofs, addrs := proofsOf(checks)
	if len(addrs) == 0 {
		return out
	}
	accs, err := d.Client.Accounts(ctx, addrs)
	j := 0
	for i, p := range proofs {
		if p == nil {
			continue
		}
		if err != nil {
			out[i].Err = fmt.Errorf("reading proof account %s: %w", out[i].Address, err)
			continue
		}
		out[i].State, out[i].Err = checkAccount(p, accs[j])
		out[i].Endpoint = accs[j].Endpoint
		j++
	}
	return out
}

// checkAccount reports whether acc holds p, constructed. Its error wraps
// contract.ErrNotDeployed, ErrNotProof, ErrNotConstructed or
// ErrProofMismatch: the account was read and is not the proof.
func checkAccount(p *contract.Proof, acc *everos.Account) (*contract.ProofState, error) {
	if acc == nil || acc.Type != everos.Active {
		state := "non-existent"
		if acc != nil {
			state = acc.Type.String()
		}
		return nil, fmt.Errorf("%w: the account is %s", contract.ErrNotDeployed, state)
	}
	want := contract.ProofCodeHash()
	if string(acc.CodeHash) != string(want[:]) {
		return nil, fmt.Errorf("%w: the account runs other code", contract.ErrNotProof)
	}
	st, err := contract.DecodeProofData(acc.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", contract.ErrNotProof, err)
	}
	if err := p.CheckState(st); err != nil {
		return nil, err
	}
	return st, nil
}
