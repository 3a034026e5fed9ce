package signature

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// DefaultParallelism bounds the registry requests of Sign and Check when
// the caller gives no bound.
const DefaultParallelism = image.DefaultParallelism

// Signer produces both proofs of a signature: the proof contract on chain
// and the cosign signature in the registry.
type Signer struct {
	Key keys.Key
	// Registry resolves references and, unless SkipRegistry, stores the
	// registry signature.
	Registry *image.Registry
	// Proofs deploys the proof on chain; nil signs in the registry only.
	Proofs *proof.Deployer
	// SkipRegistry leaves the registry alone (bare digests never reach it).
	SkipRegistry bool
	Annotations  map[string]string
	// Attest, when set, is attested about every target as well: an in-toto
	// statement in the registry's .att artifact (unless SkipRegistry) and
	// a proof of the statement's digest on chain (unless Proofs is nil).
	Attest *Attestation
	// Progress receives a line for every step that waits on the network.
	Progress func(string)
	// Parallelism bounds the registry requests made at a time
	// (DefaultParallelism when < 1).
	Parallelism int

	progressMu sync.Mutex
}

// Signed is what Sign did for one target.
type Signed struct {
	Target image.Target
	// Proof is the on-chain proof (nil when the chain was skipped).
	Proof *proof.Deployment
	// Registry is the registry signature (nil when skipped).
	Registry *image.SignResult
	// Statement is the in-toto statement attested (with Signer.Attest), its
	// proof on chain and its attestation in the registry (nil when
	// skipped).
	Statement         []byte
	StatementProof    *proof.Deployment
	StatementRegistry *image.AttestResult
	// Err is the first failure; what succeeded before it is still reported.
	Err error
}

// Sign signs every target: resolves its digest, deploys its proof (all
// proofs' accounts read in one query) and writes its registry signature.
// Both halves are idempotent, so signing again completes what a failed or
// interrupted run left undone and repeats nothing.
func (s *Signer) Sign(ctx context.Context, targets []image.Target) []Signed {
	out := make([]Signed, len(targets))
	for i, t := range targets {
		out[i].Target = t
	}
	all := make([]*Signed, len(out))
	for i := range out {
		all[i] = &out[i]
	}
	// Every reference is read from the registry, a digest reference too:
	// nothing is paid for or pushed for a manifest that does not exist.
	inParallel(all, s.Parallelism, func(o *Signed) {
		if o.Target.Ref == nil {
			return // a bare digest names no registry
		}
		s.progress("resolving %s", o.Target)
		rt, err := s.Registry.Resolve(ctx, o.Target)
		if err != nil {
			o.Err = fmt.Errorf("resolving: %w", err)
			return
		}
		o.Target = rt
	})
	if s.Attest != nil {
		for i := range out {
			if out[i].Err == nil {
				out[i].Statement, out[i].Err = s.Attest.statement(out[i].Target)
			}
		}
	}
	if s.Proofs != nil {
		s.deployProofs(ctx, out)
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
		inParallel(writers, s.Parallelism, func(o *Signed) {
			s.progress("writing the registry signature of %s", o.Target)
			res, err := s.Registry.WriteSignature(ctx, o.Target, s.Key, s.Annotations)
			if err != nil {
				o.Err = err
				return
			}
			o.Registry = res
			if s.Attest != nil {
				s.progress("writing the attestation of %s", o.Target)
				o.StatementRegistry, o.Err = s.Registry.WriteAttestation(ctx, o.Target, s.Key, s.Attest.PredicateType, s.Attest.Predicate)
			}
		})
		for i := range out {
			o := &out[i]
			if o.Err != nil || o.Target.Ref == nil {
				continue
			}
			if j := owner[o.Target.Ref.Context().String()+"@"+o.Target.Digest.String()]; j != i {
				o.Registry, o.StatementRegistry, o.Err = out[j].Registry, out[j].StatementRegistry, out[j].Err
			}
		}
	}
	return out
}

// inParallel runs f on every element of items, par at a time
// (DefaultParallelism when par < 1).
func inParallel[T any](items []T, par int, f func(T)) {
	if par < 1 {
		par = DefaultParallelism
	}
	var g errgroup.Group
	g.SetLimit(par)
	for _, it := range items {
		g.Go(func() error {
			f(it)
			return nil // each item records its own failure
		})
	}
	g.Wait()
}

func (s *Signer) progress(format string, args ...any) {
	if s.Progress != nil {
		s.progressMu.Lock()
		defer s.progressMu.Unlock()
		s.Progress(fmt.Sprintf(format, args...))
	}
}
