package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/sbom/spdxdoc"
	"github.com/gosh-sh/sign-cli/signature"
)

// addAttestFileFlag adds sign's --attest FILE.
func addAttestFileFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "attest", "", "also attest the SBOM in `FILE` (SPDX 2.3 JSON) about each image: an in-toto attestation in the registry (cosign's .att) and a proof of it on chain")
}

// addAttestationCheckFlag adds check's --attestation.
func addAttestationCheckFlag(cmd *cobra.Command, dst *bool) {
	cmd.Flags().BoolVar(dst, "attestation", false, "also require the image's SBOM attestation signed by the key, read from the registry (and, with --source all, its proof on chain); needs --source all or registry")
}

// loadAttestation reads the SBOM to attest and refuses one that is not an
// SPDX 2.3 document sign-cli can read, before anything is paid or pushed.
func loadAttestation(app *App, flag, path string, offline bool) (*signature.Attestation, error) {
	if offline {
		return nil, usageError("%s does not apply with --offline: an offline message deploys the proof of one image digest", flag)
	}
	data, err := readInput(app, flag+" "+path, path, spdxdoc.MaxSize)
	if err != nil {
		return nil, err
	}
	if _, err := spdxdoc.Read(bytes.NewReader(data)); err != nil {
		return nil, sbomError(fmt.Errorf("%s %s: %w", flag, path, err))
	}
	return &signature.Attestation{PredicateType: image.SPDXPredicateType, Predicate: data}, nil
}

// attestedJSON is the attestation part of a line of `sign --output json`.
type attestedJSON struct {
	Statement      string            `json:"statement"`
	Attestation    string            `json:"attestation,omitempty"`
	AlreadyPresent bool              `json:"already_present,omitempty"`
	Attestations   int               `json:"attestations,omitempty"`
	Proof          *proof.Deployment `json:"proof,omitempty"`
}

// attested is the attestation part of sign's result, nil when nothing was
// attested.
func attested(r signature.Signed) *attestedJSON {
	if r.Statement == nil {
		return nil
	}
	a := &attestedJSON{Statement: image.StatementDigest(r.Statement), Proof: r.StatementProof}
	if g := r.StatementRegistry; g != nil {
		a.Attestation, a.AlreadyPresent, a.Attestations = g.Tag.String(), g.AlreadyPresent, g.Layers
	}
	return a
}

// printAttested prints the attestation lines of a signed target.
func printAttested(app *App, r signature.Signed) {
	a := attested(r)
	if a == nil {
		return
	}
	if p := a.Proof; p != nil {
		state := "deployed in transaction " + p.Transaction
		if p.AlreadyDeployed {
			state = "already deployed"
		}
		fmt.Fprintf(app.Out, "  sbom      proof %s of %s (%s)\n", p.Address, a.Statement, state)
	}
	if a.Attestation != "" {
		state := "pushed"
		if a.AlreadyPresent {
			state = "already present"
		}
		fmt.Fprintf(app.Out, "  sbom      %s (%s, %d attestation(s))\n", a.Attestation, state, a.Attestations)
	}
}

// attestationVerdictJSON is the attestation part of a line of check.
type attestationVerdictJSON struct {
	Verified    bool       `json:"verified"`
	Attestation string     `json:"attestation,omitempty"`
	Statement   string     `json:"statement,omitempty"`
	Chain       *chainJSON `json:"chain,omitempty"`
	Reason      string     `json:"reason,omitempty"`
}

// attestationVerdict is the attestation part of check's line for r, nil
// when none was asked for or its verdict is unknown (r.Err then says why).
func attestationVerdict(app *App, r signature.Checked) *attestationVerdictJSON {
	a := r.Attestation
	if a == nil || (a.Err != nil && !errors.Is(a.Err, image.ErrNotVerified)) {
		return nil
	}
	j := &attestationVerdictJSON{Verified: a.Err == nil}
	if a.Err != nil {
		j.Reason = app.errorText(a.Err)
		return j
	}
	j.Attestation = a.Verification.Tag.String()
	j.Statement = image.StatementDigest(a.Verification.Statement)
	if j.Chain = chainVerdict(app, a.Chain); j.Chain != nil && !j.Chain.Verified {
		j.Verified = false
	}
	return j
}

// attestationText is the attestation part of check's text line.
func attestationText(a *attestationVerdictJSON) string {
	if a == nil {
		return ""
	}
	switch {
	case a.Reason != "":
		return "sbom: " + a.Reason
	case a.Chain != nil && !a.Chain.Verified:
		return "sbom: " + a.Attestation + ", chain: " + a.Chain.Reason
	case a.Chain != nil:
		return "sbom: " + a.Attestation + ", proof " + a.Chain.Address
	}
	return "sbom: " + a.Attestation
}

// attestation is sign's attestation: the SBOM of --attest FILE, if given.
func (o *signOptions) attestation(app *App) (*signature.Attestation, error) {
	if o.attest == "" {
		return nil, nil
	}
	return loadAttestation(app, "--attest", o.attest, o.offline)
}

// sbomError gives spdxdoc's and sbom's bad-input errors exit code 2; the
// rest (registries) keep the default, 3.
func sbomError(err error) error {
	if errors.Is(err, spdxdoc.ErrInvalid) {
		return &exitError{code: exitUsage, err: err}
	}
	return err
}
