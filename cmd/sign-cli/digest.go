package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
)

type digestOptions struct {
	reg    registryFlags
	output outputFormat
}

// NewCmdDigest resolves an image reference to its manifest digest.
func NewCmdDigest(app *App) *cobra.Command {
	o := &digestOptions{}
	cmd := &cobra.Command{
		Use:   "digest IMAGE",
		Short: "Print the manifest digest an image reference points to",
		Long: `Print the manifest digest (sha256:...) that an image reference points to,
as the registry reports it: the content that 'sign' signs and 'check' checks.
Credentials come from the Docker config and credential helpers.`,
		Example: `  sign-cli digest registry.example.com/team/app:1.4`,
		Args:    exactArgs(1, "one image reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := image.ParseTarget(args[0])
			if err != nil {
				return err
			}
			if t.Ref == nil {
				return usageError("%s is a bare digest; digest needs an image reference", args[0])
			}
			t, err = o.reg.registry(app).Resolve(cmd.Context(), t)
			if err != nil {
				return fmt.Errorf("resolving %s: %w", args[0], err)
			}
			if o.output.json() {
				return writeJSON(app.Out, digestJSON{Digest: t.Digest.String(), Reference: args[0]})
			}
			_, err = fmt.Fprintln(app.Out, t.Digest.String())
			return err
		},
	}
	o.reg.add(cmd)
	addOutputFlag(cmd, &o.output)
	return cmd
}

// digestJSON is `digest --output json`.
type digestJSON struct {
	Digest    string `json:"digest"`
	Reference string `json:"reference"`
}
