package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

// signFlags are the flags of sign, shared with build-and-sign.
type signFlags struct {
	keys        keyFlags
	net         networkFlags
	reg         registryFlags
	wallet      string
	walletType  string
	noChain     bool
	noRegistry  bool
	topUp       string
	timeout     time.Duration
	lifetime    time.Duration
	lifetimeSet bool // --message-lifetime given, not its default
	annotations []string
	output      string
	attest      string // sign --attest FILE (attest.go)

	offline    bool
	messageOut string
	expire     time.Duration
}

func (o *signFlags) add(cmd *cobra.Command) {
	o.keys.addSigner(cmd)
	o.keys.addWallet(cmd)
	o.net.add(cmd)
	o.reg.add(cmd)
	f := cmd.Flags()
	f.StringVarP(&o.wallet, "wallet", "g", "", "address of the wallet that pays for proofs (default $WALLET)")
	f.StringVar(&o.walletType, "wallet-type", "", "the wallet's contract when its code is not recognized: "+strings.Join(walletKindNames(), ", "))
	f.BoolVar(&o.noChain, "no-chain", false, "do not deploy the on-chain proof")
	f.BoolVar(&o.noRegistry, "no-registry", false, "do not write the registry (cosign) signature")
	f.StringVar(&o.topUp, "topup", proof.FormatTokens(defaultTopUp()), "tokens the wallet sends to a proof address that holds less than half of it")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	f.DurationVar(&o.lifetime, "message-lifetime", proof.DefaultMessageLifetime, "how long a message sent to the network stays valid; one that expires unprocessed is replaced")
	f.StringArrayVarP(&o.annotations, "annotations", "a", nil, "`key=value` added to the registry signature (repeatable)")
	outputFlag(cmd, &o.output)
}

func walletKindNames() []string {
	var names []string
	for k := contract.SafeMultisig; k <= contract.LocalGiver; k++ {
		names = append(names, k.String())
	}
	return names
}

// NewCmdSign signs images: a proof contract on chain and a cosign signature
// in the registry.
func NewCmdSign(app *App) *cobra.Command {
	o := &signFlags{}
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

func runSign(ctx context.Context, app *App, o *signFlags, args []string) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	secret, targetArgs, err := splitSecretArg(args)
	if err != nil {
		return err
	}
	targets, err := parseTargets(targetArgs)
	if err != nil {
		return err
	}
	key, err := o.keys.signerKey(app, secret)
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
	s, err := o.signer(app, key, annotations)
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

// signer makes the Signer of the sign flags, shared by sign and
// build-and-sign.
func (o *signFlags) signer(app *App, key keys.Key, annotations map[string]string) (*signature.Signer, error) {
	s := &signature.Signer{
		Key:          key,
		Registry:     app.traceRegistry(o.reg.registry()),
		SkipRegistry: o.noRegistry,
		Annotations:  annotations,
		Progress:     func(line string) { app.progress("%s", line) },
	}
	if !o.noChain {
		d, err := o.deployer(app)
		if err != nil {
			return nil, err
		}
		s.Proofs = d
	}
	return s, nil
}

// deployer makes the proof deployer of the network and wallet flags.
func (o *signFlags) deployer(app *App) (*proof.Deployer, error) {
	client, err := o.net.client(app)
	if err != nil {
		return nil, err
	}
	topUp, err := parseTopUp(o.topUp)
	if err != nil {
		return nil, err
	}
	switch {
	case o.lifetime == 0: // send, which has no such flag
	case o.lifetimeSet:
		if err := checkLifetime(o.lifetime, o.timeout); err != nil {
			return nil, err
		}
	case o.lifetime >= o.timeout:
		// The default lifetime gives way to a short --timeout, so that a
		// lost message can still be replaced within the run.
		o.lifetime = max(o.timeout/2, time.Second)
	}
	c := &proof.Deployer{Client: client, TopUp: topUp, MessageLifetime: o.lifetime, Progress: func(line string) { app.progress("%s", line) }, Locks: app.proofLocks()}
	walletAddr := o.wallet
	if walletAddr == "" {
		walletAddr = app.Getenv("WALLET")
	}
	if walletAddr == "" {
		return c, nil
	}
	addr, err := cell.ParseAddress(walletAddr)
	if err != nil {
		return nil, usageError("wallet address: %v", err)
	}
	wkey, err := o.keys.walletKey(app)
	if err != nil {
		return nil, err
	}
	if !wkey.Valid() {
		return nil, usageError("wallet %s needs its key: set $WALLET_SECRET or give --wallet-secret-file", addr)
	}
	kind := contract.WalletUnknown
	if o.walletType != "" {
		if kind, err = contract.ParseWalletKind(o.walletType); err != nil {
			return nil, usageError("--wallet-type %q: expected one of %s", o.walletType, strings.Join(walletKindNames(), ", "))
		}
	}
	c.Wallet = &proof.Wallet{Address: addr, Kind: kind, Key: wkey}
	return c, nil
}

// signedJSON is one target's line of `sign --output json`.
type signedJSON struct {
	Target    string `json:"target"`
	Digest    string `json:"digest,omitempty"`
	Public    string `json:"public"`
	Proof     any    `json:"proof,omitempty"`
	Registry  any    `json:"registry,omitempty"`
	SBOM      any    `json:"sbom,omitempty"`
	Error     string `json:"error,omitempty"`
	ErrorCode int    `json:"exit_code,omitempty"`
}

type registryJSON struct {
	Signature      string `json:"signature"`
	AlreadyPresent bool   `json:"already_present"`
	Signatures     int    `json:"signatures"`
}

func printSigned(app *App, format string, pub keys.PublicKey, results []signature.Signed) error {
	worst := exitOK
	for _, r := range results {
		line := signedJSON{Target: r.Target.String(), Public: pub.String()}
		if r.Target.HasDigest() {
			line.Digest = r.Target.Digest.String()
		}
		if r.Proof != nil {
			line.Proof = r.Proof
		}
		if r.Registry != nil {
			line.Registry = registryJSON{Signature: r.Registry.Tag.String(), AlreadyPresent: r.Registry.AlreadyPresent, Signatures: r.Registry.Layers}
		}
		if a := attested(r); a != nil {
			line.SBOM = a
		}
		if r.Err != nil {
			code := exitCode(r.Err)
			worst = max(worst, code)
			line.Error, line.ErrorCode = app.errorText(r.Err), code
		}
		if format == "json" {
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

// parseTokens reads a token amount ("0.1", "2") as nanotokens: decimal
// digits with at most nine after the point, nothing else (no sign, base
// prefix, fraction, exponent or digit separators, which would make a typo
// mean an amount).
func parseTokens(s string) (uint64, error) {
	const expected = "expected a decimal amount of tokens such as 0.1, with at most 9 decimals"
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && frac == "" || !isDigits(whole) || !isDigits(frac) || dot && frac == "" || len(frac) > 9 {
		return 0, errors.New(expected)
	}
	n := new(big.Int)
	n.SetString(whole+frac+strings.Repeat("0", 9-len(frac)), 10)
	if !n.IsUint64() {
		return 0, fmt.Errorf("%s and less than 1.8e10 tokens", expected)
	}
	return n.Uint64(), nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseTopUp reads --topup and refuses an amount that cannot pay for a
// deployment, which would otherwise fail only when the deploy message
// expires minutes later.
func parseTopUp(s string) (uint64, error) {
	n, err := parseTokens(s)
	if err != nil {
		return 0, usageError("--topup %q: %v", abbreviate(s), err)
	}
	if n < contract.MinTopUp {
		return 0, usageError("--topup %s: at least %s is needed to pay for a deployment", s, proof.FormatTokens(contract.MinTopUp))
	}
	return n, nil
}

func defaultTopUp() uint64 { return contract.DefaultTopUp }

// printDeployment prints one proof deployment (send's result).
func printDeployment(app *App, format string, d *proof.Deployment) error {
	if format == "json" {
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

// checkTimeout refuses a --timeout that would end the run before it starts.
func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return usageError("--timeout %s: expected a positive duration such as 5m", d)
	}
	return nil
}

// checkLifetime keeps a message's lifetime within the run: a message that
// outlives --timeout could never be seen to expire and be replaced, so the
// run would only wait for the timeout.
func checkLifetime(lifetime, timeout time.Duration) error {
	switch {
	case lifetime < time.Second:
		return usageError("--message-lifetime %s: give at least 1s", lifetime)
	case checkExpiry("--message-lifetime", lifetime) != nil:
		return checkExpiry("--message-lifetime", lifetime)
	case timeout > 0 && lifetime >= timeout:
		return usageError("--message-lifetime %s: must be shorter than --timeout (%s), so that a message lost on the way can be replaced in time", lifetime, timeout)
	}
	return nil
}

// checkExpiry refuses a validity that ends past what a message's 32-bit
// expiry time can hold (2106), which would otherwise wrap to the past.
func checkExpiry(flag string, d time.Duration) error {
	if time.Now().Add(d).Unix() > math.MaxUint32 {
		return usageError("%s %s: a message cannot be valid past %s", flag, d, time.Unix(math.MaxUint32, 0).UTC().Format(time.DateOnly))
	}
	return nil
}
