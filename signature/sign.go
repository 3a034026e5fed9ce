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
	if s.Proofs != nil {
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
			deps, errs := s.Proofs.DeployAll(ctx, s.Key, contents)
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
		inParallel(writers, s.Parallelism, func(o *Signed) {
			s.progress("writing the registry signature of %s", o.Target)
			res, err := s.Registry.WriteSignature(ctx, o.Target, s.Key, s.Annotations)
			if err != nil {
				o.Err = err
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
