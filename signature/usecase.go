package signature

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Signer produces both proofs of a signature: the proof contract on chain
// and the cosign signature in the registry.
type Signer struct {
	Key Key
	// Registry resolves references and, unless SkipRegistry, stores the
	// registry signature.
	Registry *Registry
	// Chain deploys the proof; nil signs in the registry only.
	Chain *Chain
	// SkipRegistry leaves the registry alone (bare digests never reach it).
	SkipRegistry bool
	Annotations  map[string]string
	// Progress receives a line for every step that waits on the network.
	Progress func(string)
	// Parallelism bounds the registry requests made at a time
	// (DefaultParallelism when < 1).
	Parallelism int

	progressMu sync.Mutex
}

// Signed is what Sign did for one target.
type Signed struct {
	Target Target
	// Proof is the on-chain proof (nil when the chain was skipped).
	Proof *Deployment
	// Registry is the registry signature (nil when skipped).
	Registry *SignResult
	// Err is the first failure; what succeeded before it is still reported.
	Err error
}

// Sign signs every target: resolves its digest, deploys its proof (all
// proofs' accounts read in one query) and writes its registry signature.
// Both halves are idempotent, so signing again completes what a failed or
// interrupted run left undone and repeats nothing.
func (s *Signer) Sign(ctx context.Context, targets []Target) []Signed {
	out := make([]Signed, len(targets))
	for i, t := range targets {
		out[i].Target = t
	}
	all := make([]*Signed, len(out))
	for i := range out {
		all[i] = &out[i]
	}
	each(all, s.Parallelism, func(o *Signed) {
		if o.Target.HasDigest() {
			return
		}
		s.progress("resolving %s", o.Target)
		rt, err := s.Registry.Resolve(ctx, o.Target)
		if err != nil {
			o.Err = fmt.Errorf("resolving %s: %w", o.Target, err)
			return
		}
		o.Target = rt
	})
	if s.Chain != nil {
		// One deployment per digest: the same image named twice (by tag and
		// by digest, say) must not fund or deploy its proof twice at once.
		first := map[string]int{}
		var contents []string
		for i := range out {
			if out[i].Err != nil {
				continue
			}
			d := out[i].Target.Digest.String()
			if _, ok := first[d]; !ok {
				first[d] = len(contents)
				contents = append(contents, d)
			}
		}
		if len(contents) > 0 {
			deps, errs := s.Chain.DeployAll(ctx, s.Key, contents)
			for i := range out {
				if out[i].Err == nil {
					k := first[out[i].Target.Digest.String()]
					out[i].Proof, out[i].Err = deps[k], errs[k]
				}
			}
		}
	}
	if !s.SkipRegistry {
		// One write per signature artifact: targets naming the same image
		// in the same repository share it.
		owner := map[string]int{}
		var writers []*Signed
		for i := range out {
			o := &out[i]
			if o.Err != nil || o.Target.Ref == nil {
				continue
			}
			key := o.Target.Ref.Context().String() + "@" + o.Target.Digest.String()
			if _, ok := owner[key]; !ok {
				owner[key] = i
				writers = append(writers, o)
			}
		}
		each(writers, s.Parallelism, func(o *Signed) {
			s.progress("writing the registry signature of %s", o.Target)
			res, err := s.Registry.WriteSignature(ctx, o.Target, s.Key, s.Annotations)
			if err != nil {
				o.Err = fmt.Errorf("writing the registry signature of %s: %w", o.Target, err)
				return
			}
			o.Registry = res
		})
		for i := range out {
			o := &out[i]
			if o.Err != nil || o.Target.Ref == nil {
				continue
			}
			if j := owner[o.Target.Ref.Context().String()+"@"+o.Target.Digest.String()]; j != i {
				o.Registry, o.Err = out[j].Registry, out[j].Err
			}
		}
	}
	return out
}

// each runs f on every element of items, par at a time
// (DefaultParallelism when par < 1).
func each(items []*Signed, par int, f func(*Signed)) {
	if par < 1 {
		par = DefaultParallelism
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(it)
		}()
	}
	wg.Wait()
}

func (s *Signer) progress(format string, args ...any) {
	if s.Progress != nil {
		s.progressMu.Lock()
		defer s.progressMu.Unlock()
		s.Progress(fmt.Sprintf(format, args...))
	}
}

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
	Target Target
	// Public is the key the target must be signed with; zero means the key
	// in the image's WALLET_PUBLIC label, which only says who claims to have
	// signed it.
	Public      PublicKey
	Annotations map[string]string
}

// Checked is the answer for one CheckRequest.
type Checked struct {
	Target Target
	Public PublicKey
	// KeyFromLabel is set when Public came from the image's label.
	KeyFromLabel bool
	// Chain and Registry are the verdicts of the sources asked for.
	Chain    *ProofVerdict
	Registry *VerifyResult
	// Verified is set when every source asked for verified.
	Verified bool
	// Err is set when the answer is unknown: the target or its key could not
	// be read, or a source could not be reached. Verified is then false and
	// means nothing.
	Err error
}

// NotVerified reports a definite "no": every source answered, and one said no.
func (c Checked) NotVerified() bool { return c.Err == nil && !c.Verified }

// Checker verifies many targets at once.
type Checker struct {
	Registry *Registry
	Chain    *Chain
	Source   Source
	// Parallelism bounds concurrent registry look-ups (DefaultParallelism
	// when < 1).
	Parallelism int
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
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, r := range reqs {
		out[i] = Checked{Target: r.Target, Public: r.Public}
		if r.Target.HasDigest() && !r.Public.IsZero() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].Err = c.prepare(ctx, &out[i])
		}()
	}
	wg.Wait()

	// The chain and the registry are asked at the same time: for one
	// image, the answer then takes the slower of the two round trips, not
	// their sum.
	var chainIdx, regIdx []int
	var checks []ProofCheck
	var vreqs []VerifyRequest
	if c.Source&SourceChain != 0 {
		for i := range out {
			if out[i].Err == nil {
				chainIdx = append(chainIdx, i)
				checks = append(checks, ProofCheck{Public: out[i].Public, Content: out[i].Target.Digest.String()})
			}
		}
	}
	if c.Source&SourceRegistry != 0 {
		for i, r := range reqs {
			if out[i].Err != nil {
				continue
			}
			if out[i].Target.Ref == nil {
				out[i].Err = fmt.Errorf("%w: %s is a bare digest: the registry signature needs an image reference", ErrInvalidTarget, out[i].Target)
				continue
			}
			regIdx = append(regIdx, i)
			vreqs = append(vreqs, VerifyRequest{Target: out[i].Target, Public: out[i].Public, Annotations: r.Annotations})
		}
	}
	var verdicts []ProofVerdict
	var results []VerifyResult
	var both sync.WaitGroup
	if len(checks) > 0 {
		both.Go(func() { verdicts = c.Chain.Check(ctx, checks) })
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
	for i := range out {
		finish(&out[i], c.Source)
	}
	return out
}

// prepare resolves a tag to its digest and reads the label key when none
// was given.
func (c *Checker) prepare(ctx context.Context, o *Checked) error {
	if !o.Target.HasDigest() {
		t, err := c.Registry.Resolve(ctx, o.Target)
		if err != nil {
			return fmt.Errorf("resolving %s: %w", o.Target, err)
		}
		o.Target = t
	}
	if o.Public.IsZero() {
		if o.Target.Ref == nil {
			return fmt.Errorf("%w: %s is a bare digest and no public key was given", ErrInvalidTarget, o.Target)
		}
		pub, err := c.Registry.WalletPublic(ctx, o.Target)
		if err != nil {
			return fmt.Errorf("reading the %s label of %s: %w", WalletPublicLabel, o.Target, err)
		}
		o.Public, o.KeyFromLabel = pub, true
	}
	return nil
}

// finish turns the sources' verdicts into Verified or Err.
func finish(o *Checked, src Source) {
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
		case errors.Is(r.Err, ErrNotVerified):
			verified = false
		default:
			o.Err = r.Err
			return
		}
	}
	o.Verified = verified
}
