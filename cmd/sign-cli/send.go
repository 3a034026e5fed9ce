package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/proof"
)

// sendOptions are send's flags: who pays, on which network. The signer's
// key is not needed: the message is signed already.
type sendOptions struct {
	wallet  walletFlags
	net     networkFlags
	timeout time.Duration
	output  outputFormat
}

// NewCmdSend publishes a deploy message made by `sign --offline`.
func NewCmdSend(app *App) *cobra.Command {
	o := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send FILE",
		Short: "Publish a deploy message made by 'sign --offline'",
		Long: `Publish the signed deploy message in FILE (written by 'sign --offline
--message-out FILE'): fund the proof address from the wallet when it holds too
little, send the message and wait until the proof is constructed. The signer's
key is not needed; the wallet's is, to pay.

A message cannot be renewed without the signer's key: if it expires before it
is processed, sign it again.`,
		Example: `  sign-cli send -n https://mainnet.evercloud.dev/<project-id>/graphql -g 0:... deploy.json`,
		Args:    exactArgs(1, "one message FILE"),
		RunE:    func(cmd *cobra.Command, args []string) error { return runSend(cmd.Context(), app, o, args[0]) },
	}
	o.wallet.add(cmd)
	o.net.add(cmd)
	cmd.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	addOutputFlag(cmd, &o.output)
	return cmd
}

func runSend(ctx context.Context, app *App, o *sendOptions, path string) error {
	if err := checkTimeout(o.timeout); err != nil {
		return err
	}
	deployer, err := newDeployer(app, &o.net, &o.wallet)
	if err != nil {
		return err
	}
	m, err := readMessageFile(app, path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	dep, err := deployer.Publish(ctx, m.Public, m.Content, m.Root, m.ExpireAt)
	if err != nil {
		return err
	}
	return printDeployment(app, o.output, dep)
}

// printDeployment prints one proof deployment.
func printDeployment(app *App, format outputFormat, d *proof.Deployment) error {
	if format.json() {
		return writeJSON(app.Out, d)
	}
	switch {
	case d.AlreadyDeployed:
		_, err := fmt.Fprintf(app.Out, "proof %s of %s: already deployed\n", d.Address, d.Content)
		return err
	default:
		_, err := fmt.Fprintf(app.Out, "proof %s of %s: deployed in transaction %s\n", d.Address, d.Content, d.Transaction)
		return err
	}
}
