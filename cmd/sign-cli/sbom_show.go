package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/sbom/spdxdoc"
)

// newCmdSBOMShow prints the SBOM attested about an image, once its
// attestation verified with the signer's key.
func newCmdSBOMShow(app *App) *cobra.Command {
	var (
		reg     registryFlags
		public  string
		timeout time.Duration
		output  outputFormat
	)
	cmd := &cobra.Command{
		Use:   "show [--public KEY] IMAGE",
		Short: "Print the SBOM attested about an image, verified with the signer's key",
		Long: `Read the SBOM attestation of IMAGE (cosign's .att artifact, written by
'sign-cli sign --attest'), verify it with the signer's public key (--public,
64 hex or a PEM file, default $WALLET_PUBLIC): the DSSE signature, that the
statement is about exactly this image's digest, and that it is an SPDX
document. Then print the SBOM: a summary, or with -o json the SPDX document
as attested.

Exit code 0 when shown, 1 when the image has no attestation by this key
that verifies, 2 for bad input, 3 when the registry could not be read.
'sign-cli check --attestation --source all' also checks the attestation's proof on chain.`,
		Example: `  sign-cli sbom show --public 5d2f...e1 registry.example.com/team/app:1.4
  sign-cli sbom show -o json registry.example.com/team/app@sha256:... > sbom.spdx.json`,
		Args: exactArgs(1, "one IMAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTimeout(timeout); err != nil {
				return err
			}
			pubText := public
			if pubText == "" {
				pubText = app.Getenv("WALLET_PUBLIC")
			}
			if pubText == "" {
				return usageError("no public key to verify the SBOM with: give --public KEY or set $WALLET_PUBLIC")
			}
			if name := secretSource(app, pubText); name != "" {
				return usageError("the public key given is the secret key in $%s; give its public key ('sign-cli pubkey' prints it)", name)
			}
			pub, err := parsePublicArg(app, pubText)
			if err != nil {
				return err
			}
			targets, err := parseTargets(args)
			if err != nil {
				return err
			}
			if targets[0].Ref == nil {
				return usageError("%s is a bare digest: the SBOM is in the image's repository, give its reference", targets[0])
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			v, err := reg.registry(app).VerifyAttestation(ctx, targets[0], pub, image.SPDXPredicateType)
			if errors.Is(err, image.ErrNotVerified) {
				return &exitError{code: exitNotVerified, err: err}
			}
			if err != nil {
				return err
			}
			doc, err := spdxdoc.Read(bytes.NewReader(v.Predicate))
			if err != nil {
				return &exitError{code: exitNotVerified, err: fmt.Errorf("%s: the attested SBOM is not one sign-cli reads: %w", v.Target, err)}
			}
			if output == jsonOutput {
				var out bytes.Buffer
				if err := json.Indent(&out, v.Predicate, "", "  "); err != nil {
					return err
				}
				out.WriteByte('\n')
				_, err := app.Out.Write(out.Bytes())
				return err
			}
			fmt.Fprintf(app.Out, "sbom of %s by %s (%s)\n", v.Target, pub, v.Tag)
			fmt.Fprintf(app.Out, "  statement %s\n", image.StatementDigest(v.Statement))
			for _, p := range doc.Packages {
				fmt.Fprintf(app.Out, "  package   %s %s\n", p.PackageName, p.PackageVersion)
			}
			return nil
		},
	}
	reg.add(cmd)
	f := cmd.Flags()
	f.StringVar(&public, "public", "", "the signer's public key, 64 hex or a PEM file's path (default $WALLET_PUBLIC)")
	f.DurationVar(&timeout, "timeout", 2*time.Minute, "give up after this long")
	addOutputFlag(cmd, &output)
	return cmd
}
