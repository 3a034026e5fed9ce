package signature

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// Source chooses which proofs Check verifies.
type Source int

// Sources of Check.
const (
	SourceChain Source = 1 << iota
	SourceRegistry
	SourceAll = SourceChain | SourceRegistry
)

// ParseSource reads chain, registry or all.
func ParseSource(s string) (Source, error) {
	switch s {
	case "chain":
		return SourceChain, nil
	case "registry":
		return SourceRegistry, nil
	case "all":
		return SourceAll, nil
	}
	return 0, fmt.Errorf("source %q: expected chain, registry or all", s)
}

// CheckRequest asks whether Target was signed by Public.
type CheckRequest struct {
	Target image.Target
	// Public is the key the target must be signed with; zero means the key
	// in the image's WALLET_PUBLIC label, which only says who claims to have
	// signed it.
	Public      keys.PublicKey
	Annotations map[string]string
}

// Checked is the answer for one CheckRequest.
type Checked struct {
	Target image.Target
	Public keys.PublicKey
	// KeyFromLabel is set when Public came from the image's label.
	KeyFromLabel bool
	// Chain and Registry are the verdicts of the sources asked for.
	Chain    *proof.Verdict
	Registry *image.VerifyResult
	// Attestation is the verdict on the attestation (Checker.Attestation).
	Attestation *AttestationChecked
	// Verified is set when every source asked for verified.
	Verified bool
	// Err is set when the answer is unknown: the target or its key could not
	// be read, or a source could not be reached. Verified is then false and
	// means nothing.
	Err error
}

// NotVerified reports a definite "no": every source answered, and one said no.
func (c Checked) NotVerified() bool { return c.Err == nil && !c.Verified }

// ProofChecker checks proofs on chain with one batched query.
type ProofChecker interface {
	Check(ctx context.Context, checks []proof.Query) []proof.Verdict
}

// Checker verifies many targets at once.
type Checker struct {
	Registry *image.Registry
	// Proofs checks the proofs on chain (needed for SourceChain): a
	// proof.Deployer asks one endpoint (with failover), a proof.Quorum
	// several that must agree, a trustless.Checker proves them from the
	// chain's own data.
	Proofs ProofChecker
	Source Source
	// Parallelism bounds concurrent registry look-ups (DefaultParallelism
	// when < 1).
	Parallelism int
	// Attestation, when set, is the predicate type of an attestation every
	// target must also have (see checkAttestations). It needs
	// SourceRegistry: with SourceChain alone every target fails with
	// ErrAttestationNeedsRegistry.
	Attestation string
}

// Check verifies every request: resolves tags and reads label keys in
// parallel, checks every proof with one batched chain query, and verifies
// registry signatures in parallel. Results are in the order of reqs.
func (c *Checker) Check(ctx context.Context, reqs []CheckRequest) []Checked {
	out := make([]Checked, len(reqs))
	par := c.Parallelism
	if par < 1 {
		par = DefaultParallelism
	}
	var prep []*Checked
	for i, r := range reqs {
		out[i] = Checked{Target: r.Target, Public: r.Public}
		if c.Attestation != "" && c.Source&SourceRegistry == 0 {
			// Refused before anything is read: the answer would rest on the
			// registry, which the caller did not ask.
			out[i].Err = ErrAttestationNeedsRegistry
			continue
		}
		if !r.Target.HasDigest() || r.Public.IsZero() {
			prep = append(prep, &out[i])
		}
	}
	inParallel(prep, par, func(o *Checked) { o.Err = c.prepare(ctx, o) })
	if c.Attestation != "" {
		c.checkAttestations(ctx, out, par)
	}

	// The chain and the registry are asked at the same time: for one
	// image, the answer then takes the slower of the two round trips, not
	// their sum.
	var chainIdx, regIdx []int
	var checks []proof.Query
	var vreqs []image.VerifyRequest
	if c.Source&SourceChain != 0 {
		for i := range out {
			if out[i].Err == nil {
				chainIdx = append(chainIdx, i)
				checks = append(checks, proof.Query{Public: out[i].Public, Content: out[i].Target.Digest.String()})
			}
		}
		checks = append(checks, statementQueries(out)...)
	}
	if c.Source&SourceRegistry != 0 {
		for i, r := range reqs {
			if out[i].Err != nil {
				continue
			}
			if out[i].Target.Ref == nil {
				out[i].Err = fmt.Errorf("%w: a bare digest: the registry signature needs an image reference", image.ErrInvalidTarget)
				continue
			}
			regIdx = append(regIdx, i)
			vreqs = append(vreqs, image.VerifyRequest{Target: out[i].Target, Public: out[i].Public, Annotations: r.Annotations})
		}
	}
	var verdicts []proof.Verdict
	var results []image.VerifyResult
	var both sync.WaitGroup
	if len(checks) > 0 {
		both.Go(func() { verdicts = c.Proofs.Check(ctx, checks) })
	}
	if len(vreqs) > 0 {
		both.Go(func() { results = c.Registry.VerifyAll(ctx, vreqs, par) })
	}
	both.Wait()
	for k, i := range chainIdx {
		v := verdicts[k]
		out[i].Chain = &v
	}
	for k, i := range regIdx {
		res := results[k]
		out[i].Registry = &res
	}
	statementVerdicts(out, verdicts[len(chainIdx):])
	for i := range out {
		decideVerdict(&out[i], c.Source)
	}
	return out
}

// prepare resolves a tag to its digest and reads the label key when none
// was given.
func (c *Checker) prepare(ctx context.Context, o *Checked) error {
	if !o.Target.HasDigest() {
		t, err := c.Registry.Resolve(ctx, o.Target)
		if err != nil {
			return fmt.Errorf("resolving: %w", err)
		}
		o.Target = t
	}
	if o.Public.IsZero() {
		if o.Target.Ref == nil {
			return fmt.Errorf("%w: a bare digest and no public key was given", image.ErrInvalidTarget)
		}
		pub, err := c.Registry.WalletPublic(ctx, o.Target)
		if err != nil {
			return err
		}
		o.Public, o.KeyFromLabel = pub, true
	}
	return nil
}

// decideVerdict turns the sources' verdicts into Verified or Err.
func decideVerdict(o *Checked, src Source) {
	if o.Err != nil {
		return
	}
	verified := true
	if src&SourceChain != 0 {
		switch v := o.Chain; {
		case v == nil:
			verified = false
		case v.Err == nil:
		case v.NotVerified():
			verified = false
		default:
			o.Err = v.Err
			return
		}
	}
	if src&SourceRegistry != 0 {
		switch r := o.Registry; {
		case r == nil:
			verified = false
		case r.Err == nil:
		case errors.Is(r.Err, image.ErrNotVerified):
			verified = false
		default:
			o.Err = r.Err
			return
		}
	}
	if a := o.Attestation; a != nil {
		verified = a.decide(o, src) && verified
		if o.Err != nil {
			return
		}
	}
	o.Verified = verified
}
