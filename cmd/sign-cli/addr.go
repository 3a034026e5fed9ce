package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/keys"
)

// NewCmdAddr prints the address of a proof, with no network.
func NewCmdAddr(app *App) *cobra.Command {
	var output outputFormat
	cmd := &cobra.Command{
		Use:   "addr PUBLIC CONTENT",
		Short: "Print the address of the proof of CONTENT by PUBLIC (offline)",
		Long: `Print the address of the proof contract of CONTENT (for images, the
manifest digest sha256:...) signed by the key PUBLIC (64 hex characters or a
PEM file's content). The address depends only on the proof contract's code,
the key and the content, so anyone can compute it and look it up.`,
		Example: `  sign-cli addr 5d2f...e1 sha256:0f3a...`,
		Args:    exactArgs(2, "PUBLIC and CONTENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := keys.ParsePublicKey(args[0])
			if err != nil {
				return usageError("PUBLIC: %v", err)
			}
			p, err := contract.NewProof(pub.Ed25519(), args[1])
			if err != nil {
				return usageError("CONTENT: %v", err)
			}
			if output.json() {
				return writeJSON(app.Out, addrJSON{Address: p.Address().String(), Content: args[1], Public: pub.String()})
			}
			_, err = fmt.Fprintln(app.Out, p.Address())
			return err
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// addrJSON is `addr --output json`.
type addrJSON struct {
	Address string `json:"address"`
	Content string `json:"content"`
	Public  string `json:"public"`
}
