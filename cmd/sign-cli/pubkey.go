package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/keys"
)

type pubkeyOptions struct {
	signer signerFlags
	pem    bool
	output outputFormat
}

// NewCmdPubkey prints the public key of a key, or converts a public key
// between hex and PEM.
func NewCmdPubkey(app *App) *cobra.Command {
	o := &pubkeyOptions{}
	cmd := &cobra.Command{
		Use:   "pubkey [PUBLIC]",
		Short: "Print the public key of a key file or phrase, as hex or as PEM for cosign",
		Long: `Print a public key: the one of the key in --secret-file or --phrase-file,
of $WALLET_SECRET, or PUBLIC itself (64 hex characters or PEM). With --pem it
is printed as the PKIX PEM block that 'cosign verify --key' reads. A seed
phrase is BIP-39 or TON's 24-word legacy format as its own check (or
--phrase-type) says.`,
		Example: `  sign-cli pubkey --secret-file signer.keys.json --pem > signer.pub
  sign-cli pubkey --pem "$WALLET_PUBLIC" > wallet.pub`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError("pubkey takes at most one PUBLIC, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var pub keys.PublicKey
			if len(args) == 1 {
				if o.signer.secretFile != "" || o.signer.phraseFile != "" {
					return usageError("give PUBLIC or a key file, not both")
				}
				p, err := parsePublicArg(app, args[0])
				if err != nil {
					return err
				}
				pub = p
			} else {
				if o.signer.secretFile == "" && o.signer.phraseFile == "" && app.Getenv("WALLET_SECRET") == "" {
					return usageError("pubkey needs a key: PUBLIC, --secret-file FILE, --phrase-file FILE, or $WALLET_SECRET")
				}
				key, err := o.signer.key(app, "", &walletFlags{phraseType: o.signer.phraseType})
				if err != nil {
					return err
				}
				pub = key.Public()
			}
			if o.output.json() {
				return writeJSON(app.Out, pubkeyJSON{PEM: string(pub.PEM()), Public: pub.String()})
			}
			if o.pem {
				_, err := app.Out.Write(pub.PEM())
				return err
			}
			_, err := fmt.Fprintln(app.Out, pub)
			return err
		},
	}
	o.signer.add(cmd)
	cmd.Flags().BoolVar(&o.pem, "pem", false, "print a PKIX PEM block, for cosign")
	addOutputFlag(cmd, &o.output)
	return cmd
}

// pubkeyJSON is `pubkey --output json`.
type pubkeyJSON struct {
	PEM    string `json:"pem"`
	Public string `json:"public"`
}
