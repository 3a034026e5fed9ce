package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/proof"
)

type sendOptions struct {
	sign signFlags
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
	o.sign.keys.addWallet(cmd)
	o.sign.net.add(cmd)
	f := cmd.Flags()
	f.StringVarP(&o.sign.wallet, "wallet", "g", "", "address of the wallet that pays for the proof (default $WALLET)")
	f.StringVar(&o.sign.walletType, "wallet-type", "", "the wallet's contract when its code is not recognized")
	f.StringVar(&o.sign.topUp, "topup", proof.FormatTokens(defaultTopUp()), "tokens the wallet sends to a proof address that holds less than half of it")
	f.DurationVar(&o.sign.timeout, "timeout", 5*time.Minute, "give up after this long")
	outputFlag(cmd, &o.sign.output)
	return cmd
}

func runSend(ctx context.Context, app *App, o *sendOptions, path string) error {
	if err := checkOutput(o.sign.output); err != nil {
		return err
	}
	if err := checkTimeout(o.sign.timeout); err != nil {
		return err
	}
	deployer, err := o.sign.deployer(app)
	if err != nil {
		return err
	}
	m, err := readMessageFile(app, path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.sign.timeout)
	defer cancel()
	dep, err := deployer.Publish(ctx, m.public, m.file.Content, m.root, m.file.ExpireAt)
	if err != nil {
		return err
	}
	return printDeployment(app, o.sign.output, dep)
}
