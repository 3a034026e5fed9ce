package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

// signFlags are the flags of sign, shared with build-and-sign: who signs,
// who pays, which network and registry, and what is written where.
type signFlags struct {
	signer      signerFlags
	wallet      walletFlags
	net         networkFlags
	reg         registryFlags
	noChain     bool
	noRegistry  bool
	timeout     time.Duration
	lifetime    time.Duration
	lifetimeSet bool // --message-lifetime given, not its default
	annotations []string
	output      outputFormat
}

func (o *signFlags) add(cmd *cobra.Command) {
	o.signer.add(cmd)
	o.wallet.add(cmd)
	o.net.add(cmd)
	o.reg.add(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.noChain, "no-chain", false, "do not deploy the on-chain proof")
	f.BoolVar(&o.noRegistry, "no-registry", false, "do not write the registry (cosign) signature")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	f.DurationVar(&o.lifetime, "message-lifetime", proof.DefaultMessageLifetime, "how long a message sent to the network stays valid; one that expires unprocessed is replaced")
	f.StringArrayVarP(&o.annotations, "annotations", "a", nil, "`key=value` added to the registry signature (repeatable)")
	addOutputFlag(cmd, &o.output)
}

// signOptions are sign's flags: the signing flags, and those of --offline.
type signOptions struct {
	signFlags
	attest     string // --attest FILE (attest.go)
	offline    bool
	messageOut string
	expire     time.Duration
}

// NewCmdSign signs images: a proof contract on chain and a cosign signature
// in the registry.
func NewCmdSign(app *App) *cobra.Command {
	o := &signOptions{}
	cmd := &cobra.Command{
		Use:   "sign [SIGNER_SECRET] TARGET...",
		Short: "Sign images: a proof contract on chain and a cosign signature in the registry",
		Long: `Sign each TARGET (an image reference, or a bare sha256: digest) with the
signer's key.

The image reference is resolved to its manifest digest; then the proof
contract of (signer's public key, digest) is deployed on chain, funded from
the wallet (-g) when its address holds too little, and the signature is
written next to the image in cosign's format, beside any other signers'.
Both steps are idempotent: signing again completes what an interrupted run
left undone and never deploys or pushes twice.

The signer's key is SIGNER_SECRET, --secret-file or --phrase-file, and
otherwise the wallet's key ($WALLET_SECRET or -s), as in the commands:
  sign -n NETWORK -g WALLET -s WALLET_SECRET [SIGNER_SECRET] IMAGE

With --offline, nothing is sent: the signed deploy message of one digest is
written to --message-out FILE, for 'sign-cli send FILE' to publish later from
a machine that does not hold the key.`,
		Example: `  export SIGN_CLI_NETWORK=https://mainnet.evercloud.dev/<project-id>/graphql
  export WALLET=0:... WALLET_SECRET=...
  sign-cli sign registry.example.com/team/app:1.4
  sign-cli sign --secret-file signer.keys.json registry.example.com/team/app@sha256:...
  sign-cli sign --offline --secret-file signer.keys.json --message-out deploy.json sha256:...`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("sign needs at least one TARGET (image reference or sha256:<64 hex>)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.lifetimeSet = cmd.Flags().Changed("message-lifetime")
			return runSign(cmd.Context(), app, o, args)
		},
	}
	o.add(cmd)
	addAttestFileFlag(cmd, &o.attest)
	f := cmd.Flags()
	f.BoolVar(&o.offline, "offline", false, "only build the signed deploy message (needs --message-out)")
	f.StringVar(&o.messageOut, "message-out", "", "with --offline, write the signed message to `FILE`")
	f.DurationVar(&o.expire, "expire", time.Hour, "with --offline, how long the message stays valid")
	return cmd
}

func runSign(ctx context.Context, app *App, o *signOptions, args []string) error {
	secret, targetArgs, err := splitSecretArg(args)
	if err != nil {
		return err
	}
	targets, err := parseTargets(targetArgs)
	if err != nil {
		return err
	}
	key, err := o.signer.key(app, secret, &o.wallet)
	if err != nil {
		return err
	}
	if err := checkTimeout(o.timeout); err != nil {
		return err
	}
	attest, err := o.attestation(app)
	if err != nil {
		return err
	}
	if o.offline {
		return runSignOffline(app, o, key, targets)
	}
	if o.messageOut != "" {
		return usageError("--message-out only applies with --offline")
	}
	if o.noChain && o.noRegistry {
		return usageError("--no-chain and --no-registry together leave nothing to do")
	}
	annotations, err := image.ParseAnnotations(o.annotations)
	if err != nil {
		return usageError("--annotations: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	s, err := o.newSigner(app, key, annotations)
	if err != nil {
		return err
	}
	s.Attest = attest
	results := s.Sign(ctx, targets)
	warnSignedByTag(app, targets, results)
	return printSigned(app, o.output, key.Public(), results)
}

// warnSignedByTag says, as cosign does, that a tag was signed as the
// registry resolved it at this moment, and which digest that was: the tag
// may point elsewhere tomorrow, and the registry chose what it pointed at.
func warnSignedByTag(app *App, asked []image.Target, results []signature.Signed) {
	for i, r := range results {
		if asked[i].Ref == nil || asked[i].HasDigest() || !r.Target.HasDigest() || r.Err != nil {
			continue
		}
		d, err := r.Target.DigestRef()
		if err != nil {
			continue
		}
		app.warn("%s was signed as the registry resolved it now, %s; sign %s to name exactly this image", asked[i].Ref, r.Target.Digest, d)
	}
}

// newSigner makes the Signer of the sign flags, shared by sign and
// build-and-sign.
func (o *signFlags) newSigner(app *App, key keys.Key, annotations map[string]string) (*signature.Signer, error) {
	s := &signature.Signer{
		Key:          key,
		Registry:     o.reg.registry(app),
		SkipRegistry: o.noRegistry,
		Annotations:  annotations,
		Progress:     func(line string) { app.progress("%s", line) },
	}
	if o.noChain {
		return s, nil
	}
	d, err := newDeployer(app, &o.net, &o.wallet)
	if err != nil {
		return nil, err
	}
	if d.MessageLifetime, err = o.messageLifetime(); err != nil {
		return nil, err
	}
	s.Proofs = d
	return s, nil
}

// messageLifetime is --message-lifetime, kept within --timeout. Its default
// gives way to a short --timeout, so that a lost message can still be
// replaced within the run.
func (o *signFlags) messageLifetime() (time.Duration, error) {
	switch {
	case o.lifetimeSet:
		return o.lifetime, checkLifetime(o.lifetime, o.timeout)
	case o.lifetime >= o.timeout:
		return max(o.timeout/2, time.Second), nil
	}
	return o.lifetime, nil
}

// signedJSON is one target's line of `sign --output json`.
type signedJSON struct {
	Target    string            `json:"target"`
	Digest    string            `json:"digest,omitempty"`
	Public    string            `json:"public"`
	Proof     *proof.Deployment `json:"proof,omitempty"`
	Registry  *registryJSON     `json:"registry,omitempty"`
	SBOM      *attestedJSON     `json:"sbom,omitempty"`
	Error     string            `json:"error,omitempty"`
	ErrorCode int               `json:"exit_code,omitempty"`
}

type registryJSON struct {
	Signature      string `json:"signature"`
	AlreadyPresent bool   `json:"already_present"`
	Signatures     int    `json:"signatures"`
}

func printSigned(app *App, format outputFormat, pub keys.PublicKey, results []signature.Signed) error {
	worst := exitOK
	for _, r := range results {
		line := signedJSON{Target: r.Target.String(), Public: pub.String(), Proof: r.Proof}
		if r.Target.HasDigest() {
			line.Digest = r.Target.Digest.String()
		}
		if r.Registry != nil {
			line.Registry = &registryJSON{Signature: r.Registry.Tag.String(), AlreadyPresent: r.Registry.AlreadyPresent, Signatures: r.Registry.Layers}
		}
		if a := attested(r); a != nil {
			line.SBOM = a
		}
		if r.Err != nil {
			code := exitCode(r.Err)
			worst = max(worst, code)
			line.Error, line.ErrorCode = app.errorText(r.Err), code
		}
		if format.json() {
			if err := writeJSON(app.Out, line); err != nil {
				return err
			}
			continue
		}
		if r.Err != nil {
			// Nothing is reported as signed unless every step of it was done;
			// signing again completes what this run left.
			fmt.Fprintf(app.Err, "sign-cli: %s: %s\n", r.Target, line.Error)
			continue
		}
		if !r.Target.HasDigest() || (r.Proof == nil && r.Registry == nil) {
			continue
		}
		fmt.Fprintf(app.Out, "signed %s\n", r.Target)
		if p := r.Proof; p != nil {
			switch {
			case p.AlreadyDeployed:
				fmt.Fprintf(app.Out, "  proof     %s (already deployed)\n", p.Address)
			case p.Transaction != "":
				fmt.Fprintf(app.Out, "  proof     %s (deployed in transaction %s)\n", p.Address, p.Transaction)
			default:
				fmt.Fprintf(app.Out, "  proof     %s (not deployed)\n", p.Address)
			}
		}
		if g := r.Registry; g != nil {
			state := "pushed"
			if g.AlreadyPresent {
				state = "already present"
			}
			fmt.Fprintf(app.Out, "  registry  %s (%s, %d signature(s))\n", g.Tag, state, g.Layers)
		}
		printAttested(app, r)
	}
	if worst != exitOK {
		return silentExit(worst)
	}
	return nil
}

// runSignOffline writes the signed deploy message of one digest to
// --message-out, for send to publish later.
func runSignOffline(app *App, o *signOptions, key keys.Key, targets []image.Target) error {
	if o.messageOut == "" {
		return usageError("--offline needs --message-out FILE")
	}
	if len(targets) != 1 {
		return usageError("--offline signs one target at a time, got %d", len(targets))
	}
	t := targets[0]
	if !t.HasDigest() {
		return usageError("--offline cannot reach the registry to resolve %s; give its digest (sha256:… or repo@sha256:…)", t)
	}
	if o.expire <= 0 {
		return usageError("--expire %s: expected a positive duration", o.expire)
	}
	if err := checkExpiry("--expire", o.expire); err != nil {
		return err
	}
	now := time.Now()
	msg, err := proof.NewOfflineMessage(key, t.Digest.String(), now, now.Add(o.expire))
	if err != nil {
		return err
	}
	m := newMessageFile(msg)
	if err := writeMessageFile(o.messageOut, m); err != nil {
		return err
	}
	if o.output.json() {
		return writeJSON(app.Out, m)
	}
	fmt.Fprintf(app.Out, "wrote the signed deploy message of proof %s for %s to %s (valid until %s)\n",
		m.Address, m.Content, o.messageOut, m.ExpireAt.Format(time.RFC3339))
	return nil
}
