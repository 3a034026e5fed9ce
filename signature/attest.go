package signature

import (
	"context"
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/proof"
)

// Attestation is a predicate attested about images: a JSON document of
// PredicateType (image.SPDXPredicateType for an SBOM).
type Attestation struct {
	PredicateType string
	Predicate     []byte
}

// statement is the in-toto statement of a about the resolved target t. Its
// subject names the repository, so a bare digest cannot have one.
func (a *Attestation) statement(t image.Target) ([]byte, error) {
	if t.Ref == nil {
		return nil, fmt.Errorf("%w: %s is a bare digest: an attestation needs an image reference", image.ErrInvalidTarget, t)
	}
	st, err := image.NewStatement(t.Ref.Context(), t.Digest, a.PredicateType, a.Predicate)
	if err != nil {
		return nil, fmt.Errorf("attesting %s: %w", t, err)
	}
	return st, nil
}

// deployProofs deploys, in one batch, the proof of every target's digest
// and of every statement's digest. One deployment per content: the same
// image named twice (by tag and by digest, say) must not fund or deploy its
// proof twice at once.
func (s *Signer) deployProofs(ctx context.Context, out []Signed) {
	first := map[string]int{}
	var contents []string
	add := func(c string) {
		if _, ok := first[c]; !ok {
			first[c] = len(contents)
			contents = append(contents, c)
		}
	}
	for i := range out {
		if out[i].Err != nil {
			continue
		}
		add(out[i].Target.Digest.String())
		if out[i].Statement != nil {
			add(image.StatementDigest(out[i].Statement))
		}
	}
	if len(contents) == 0 {
		return
	}
	deps, errs := s.Proofs.DeployAll(ctx, s.Key, contents)
	for i := range out {
		o := &out[i]
		if o.Err != nil {
			continue
		}
		k := first[o.Target.Digest.String()]
		o.Proof, o.Err = deps[k], errs[k]
		if o.Statement != nil && o.Err == nil {
			k := first[image.StatementDigest(o.Statement)]
			o.StatementProof, o.Err = deps[k], errs[k]
		}
	}
}

// ErrAttestationNeedsRegistry is the answer of a check of attestations that
// is not to read the registry (SourceChain alone): the statement, and so
// the image it is about, is only there, and the chain holds only the
// statement's digest, which says nothing of which image it attests.
var ErrAttestationNeedsRegistry = errors.New("an attestation is read from the registry: the chain holds only its statement's digest, not the statement that names the image")

// AttestationChecked is the verdict on one target's attestation: the
// registry's (Verification, or Err) and, when the chain was asked, the
// proof of the statement's digest.
type AttestationChecked struct {
	Verification *image.AttestationVerification
	Err          error
	Chain        *proof.Verdict
}

// checkAttestations verifies the attestation of every target that could be
// prepared. Check has made sure that the registry is a source.
func (c *Checker) checkAttestations(ctx context.Context, out []Checked, par int) {
	var todo []*Checked
	for i := range out {
		o := &out[i]
		if o.Err != nil {
			continue
		}
		if o.Target.Ref == nil {
			o.Err = fmt.Errorf("%w: %s is a bare digest: the attestation needs an image reference", image.ErrInvalidTarget, o.Target)
			continue
		}
		o.Attestation = &AttestationChecked{}
		todo = append(todo, o)
	}
	inParallel(todo, par, func(o *Checked) {
		o.Attestation.Verification, o.Attestation.Err = c.Registry.VerifyAttestation(ctx, o.Target, o.Public, c.Attestation)
	})
}

// statementQueries are the chain queries of the verified statements, in the
// order of out.
func statementQueries(out []Checked) []proof.Query {
	var qs []proof.Query
	for i := range out {
		if a := out[i].Attestation; out[i].Err == nil && a != nil && a.Verification != nil {
			qs = append(qs, proof.Query{Public: out[i].Public, Content: image.StatementDigest(a.Verification.Statement)})
		}
	}
	return qs
}

// statementVerdicts hands the verdicts of statementQueries back to their
// targets.
func statementVerdicts(out []Checked, verdicts []proof.Verdict) {
	k := 0
	for i := range out {
		if a := out[i].Attestation; out[i].Err == nil && a != nil && a.Verification != nil && k < len(verdicts) {
			v := verdicts[k]
			a.Chain = &v
			k++
		}
	}
}

// decide says whether the attestation verified for the sources asked, or
// sets o.Err when that is unknown.
func (a *AttestationChecked) decide(o *Checked, src Source) bool {
	switch {
	case a.Err == nil:
	case errors.Is(a.Err, image.ErrNotVerified):
		return false
	default:
		o.Err = a.Err
		return false
	}
	if src&SourceChain == 0 {
		return true
	}
	switch v := a.Chain; {
	case v == nil:
		return false
	case v.Err == nil:
		return true
	case v.NotVerified():
		return false
	default:
		o.Err = v.Err
		return false
	}
}
