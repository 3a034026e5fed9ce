package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

type checkOptions struct {
	net         networkFlags
	reg         registryFlags
	public      string
	fromLabel   bool
	quorum      int
	source      string
	fromFile    string
	annotations []string
	timeout     time.Duration
	parallelism int
	output      outputFormat
	attestation bool // --attestation (attest.go)
	trustless   trustlessFlags
}

// NewCmdCheck verifies the proofs of images.
func NewCmdCheck(app *App) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [PUBLIC] TARGET...",
		Short: "Verify that images were signed by a key",
		Long: `Verify that each TARGET (an image reference, or a bare sha256: digest) was
signed by the key PUBLIC.

--source chain (the default) checks the proof contract: the account at the
address of (PUBLIC, digest) is active, runs the proof contract's code and
holds exactly that key and digest, constructed. --source registry checks the
cosign signature next to the image (key and digest claim), and all checks
both. Many targets are checked together: one batched query to the network,
registry look-ups in parallel.

The key is PUBLIC, --public, or $WALLET_PUBLIC; without one, check refuses to
run. --key-from-label uses the key in each image's WALLET_PUBLIC label instead,
with a warning naming it: a label only says who claims to have signed the
image.

A chain verdict relies on the GraphQL endpoint: check verifies that what it
answers is a constructed proof of exactly that key and digest, but an
endpoint that lies (or anyone who can change its answers) can make an
unsigned image pass. Use endpoints you trust; --source all also requires the
registry signature, which is verified with the key alone.

--trustless believes no endpoint: for each proof it fetches the transaction
that constructed it, the shard block that holds it, the masterchain block
that commits that block with its validators' signatures, and the key blocks
from a trust anchor (--trust-anchor: mainnet by default, devnet, SEQNO:HASH
or a file of those; $SIGN_CLI_TRUST_ANCHOR when not given) to that block,
and verifies every link. The proof's key, content and times come from the
proven transaction. What cannot be proven is an ERROR line (exit code 3),
never "verified" nor "NOT VERIFIED". Verified key blocks are kept in the
user's cache directory.

--attestation also requires each image's SBOM attestation signed by the key,
read from the registry, and with --source all the proof of its statement's
digest on chain. It needs --source all or registry: the chain holds only the
statement's digest, so --source chain (the default) alone cannot say which
image an attestation is about, and is refused (exit code 2).

One line per target. Exit code 0 when every target verified, 1 when one did
not, 2 or 3 when one could not be checked (bad input, network failure).`,
		Example: `  sign-cli check -n https://mainnet.evercloud.dev/<project-id>/graphql $WALLET_PUBLIC sha256:...
  sign-cli check --source all --public 5d2f...e1 registry.example.com/team/app:1.4
  sign-cli check --from-file images.txt -o json
  sign-cli check --trustless --trust-anchor mainnet $WALLET_PUBLIC sha256:...`,
		RunE: func(cmd *cobra.Command, args []string) error { return runCheck(cmd.Context(), app, o, args) },
	}
	o.net.add(cmd)
	o.reg.add(cmd)
	f := cmd.Flags()
	f.StringVar(&o.public, "public", "", "the signer's public key, 64 hex or a PEM file's path (default $WALLET_PUBLIC)")
	f.BoolVar(&o.fromLabel, "key-from-label", false, "with no key given, trust each image's "+image.WalletPublicLabel+" label for the key to check")
	f.IntVar(&o.quorum, "quorum", 0, "ask every endpoint of -n at once and give a chain verdict only when at least `N` agree")
	f.StringVar(&o.source, "source", "chain", "what to verify: chain, registry or all")
	f.StringVar(&o.fromFile, "from-file", "", "read more targets from `FILE`, one per line (- for standard input)")
	f.StringArrayVarP(&o.annotations, "annotations", "a", nil, "`key=value` the registry signature must carry (repeatable)")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up after this long")
	f.IntVar(&o.parallelism, "parallel", signature.DefaultParallelism, "registry look-ups at a time")
	addOutputFlag(cmd, &o.output)
	addAttestationCheckFlag(cmd, &o.attestation)
	o.trustless.add(cmd)
	return cmd
}

// proofChecker is one endpoint's word (with failover), or with --quorum N
// the agreement of N of the endpoints, asked each at once.
func (o *checkOptions) proofChecker(app *App) (signature.ProofChecker, error) {
	if o.quorum == 0 {
		client, err := o.net.client(app)
		if err != nil {
			return nil, err
		}
		return &proof.Deployer{Client: client}, nil
	}
	clients, err := o.net.clients(app)
	if err != nil {
		return nil, err
	}
	if o.quorum < 1 || o.quorum > len(clients) {
		return nil, usageError("--quorum %d: expected 1 to the number of endpoints given with -n (%d)", o.quorum, len(clients))
	}
	return &proof.Quorum{Clients: clients, N: o.quorum}, nil
}

// chainVerdict is the chain part of a line of check: nil when there is no
// verdict (the line's error then says why), but for a quorum that was not
// reached, whose answers are shown.
func chainVerdict(app *App, v *proof.Verdict) *chainJSON {
	if v == nil || (v.Err != nil && !v.NotVerified() && !errors.Is(v.Err, proof.ErrNoQuorum)) {
		return nil
	}
	cj := &chainJSON{Verified: v.Err == nil, Address: v.Address, Endpoint: v.Endpoint, Endpoints: v.Answers, Evidence: v.Evidence}
	if v.Evidence != nil {
		cj.Endpoint = "" // it served the data, and the verdict does not rest on its word
	}
	if v.State != nil {
		cj.SignedAt, cj.DeployedAt = v.State.SignedAt().UTC(), v.State.DeployTime().UTC()
	}
	if v.Err != nil {
		cj.Reason = app.errorText(v.Err)
	}
	return cj
}

// checkedJSON is one target's line of `check --output json`.
type checkedJSON struct {
	Target       string                  `json:"target"`
	Digest       string                  `json:"digest,omitempty"`
	Public       string                  `json:"public,omitempty"`
	KeyFromLabel bool                    `json:"key_from_label,omitempty"`
	Verified     bool                    `json:"verified"`
	Chain        *chainJSON              `json:"chain,omitempty"`
	Registry     *registryVerdictJSON    `json:"registry,omitempty"`
	SBOM         *attestationVerdictJSON `json:"sbom,omitempty"`
	Error        string                  `json:"error,omitempty"`
	ExitCode     int                     `json:"exit_code"`
}

type chainJSON struct {
	Verified   bool      `json:"verified"`
	Address    string    `json:"address"`
	SignedAt   time.Time `json:"signed_at,omitzero"`
	DeployedAt time.Time `json:"deployed_at,omitzero"`
	Reason     string    `json:"reason,omitempty"`
	// Endpoint is the GraphQL endpoint whose answer the verdict rests on.
	Endpoint string `json:"endpoint,omitempty"`
	// Endpoints are what each endpoint said, with --quorum.
	Endpoints []proof.Answer `json:"endpoints,omitempty"`
	// Evidence is the chain data a --trustless verdict was proven from.
	Evidence *proof.Evidence `json:"evidence,omitempty"`
}

type registryVerdictJSON struct {
	Verified  bool   `json:"verified"`
	Signature string `json:"signature,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// runCheck picks the key, builds the checker, checks and prints.
func runCheck(ctx context.Context, app *App, o *checkOptions, args []string) error {
	if err := checkTimeout(o.timeout); err != nil {
		return err
	}
	src, err := signature.ParseSource(o.source)
	if err != nil {
		return usageError("--source: %v", err)
	}
	if o.attestation && src&signature.SourceRegistry == 0 {
		return usageError("--attestation with --source %s: %v; give --source all (the attestation and its proof on chain) or --source registry", o.source, signature.ErrAttestationNeedsRegistry)
	}
	pub, args, err := o.publicKey(app, args)
	if err != nil {
		return err
	}
	reqs, err := o.requests(app, pub, args)
	if err != nil {
		return err
	}
	checker, err := o.newChecker(app, src)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return printChecked(app, o.output, checker.Check(ctx, reqs))
}

// publicKey picks the key to check with: a leading PUBLIC argument,
// --public or $WALLET_PUBLIC, and returns the arguments left. The zero key
// means --key-from-label: each image's label names its key.
func (o *checkOptions) publicKey(app *App, args []string) (keys.PublicKey, []string, error) {
	pubText := o.public
	if len(args) == 1 && o.fromFile == "" && looksLikePublic(args[0]) {
		return keys.PublicKey{}, nil, usageError("check needs at least one TARGET (image reference or sha256:<64 hex>) after PUBLIC")
	}
	if (len(args) > 1 || o.fromFile != "") && len(args) > 0 && looksLikePublic(args[0]) {
		if pubText != "" {
			return keys.PublicKey{}, nil, usageError("give the public key once: PUBLIC or --public")
		}
		pubText, args = args[0], args[1:]
	}
	if pubText == "" {
		pubText = app.Getenv("WALLET_PUBLIC")
	}
	switch {
	case pubText == "" && !o.fromLabel:
		// A gate that lost its variable must fail closed, not check each
		// image against the key the image itself names.
		return keys.PublicKey{}, nil, usageError("no public key to check with: give PUBLIC, --public KEY or set $WALLET_PUBLIC (or --key-from-label to trust each image's %s label)", image.WalletPublicLabel)
	case pubText != "" && o.fromLabel:
		return keys.PublicKey{}, nil, usageError("--key-from-label is for checks with no key given, and a key was given")
	case pubText == "":
		return keys.PublicKey{}, args, nil
	}
	if name := secretSource(app, pubText); name != "" {
		return keys.PublicKey{}, nil, usageError("the public key given is the secret key in $%s; give its public key ('sign-cli pubkey' prints it)", name)
	}
	pub, err := parsePublicArg(app, pubText)
	return pub, args, err
}

// requests are the targets of the arguments and of --from-file, each to be
// checked with pub and the --annotations.
func (o *checkOptions) requests(app *App, pub keys.PublicKey, args []string) ([]signature.CheckRequest, error) {
	if o.fromFile != "" {
		more, err := readTargetsFile(app, o.fromFile)
		if err != nil {
			return nil, err
		}
		args = append(args, more...)
	}
	if len(args) == 0 {
		return nil, usageError("check needs at least one TARGET (image reference or sha256:<64 hex>), as an argument or in --from-file")
	}
	annotations, err := image.ParseAnnotations(o.annotations)
	if err != nil {
		return nil, usageError("--annotations: %v", err)
	}
	targets, err := parseTargets(args)
	if err != nil {
		return nil, err
	}
	reqs := make([]signature.CheckRequest, len(targets))
	for i, t := range targets {
		reqs[i] = signature.CheckRequest{Target: t, Public: pub, Annotations: annotations}
	}
	return reqs, nil
}

// newChecker makes the Checker of the flags; the network is reached only
// when the chain is checked.
func (o *checkOptions) newChecker(app *App, src signature.Source) (*signature.Checker, error) {
	checker := &signature.Checker{Registry: o.reg.registry(app), Source: src, Parallelism: o.parallelism}
	if o.attestation {
		checker.Attestation = image.SPDXPredicateType
	}
	var err error
	switch {
	case !o.trustless.on && o.trustless.anchor != "":
		err = usageError("--trust-anchor applies only with --trustless")
	case o.trustless.on:
		checker.Proofs, err = o.trustless.checker(app, o, src)
	case src&signature.SourceChain != 0:
		checker.Proofs, err = o.proofChecker(app)
	}
	if err != nil {
		return nil, err
	}
	return checker, nil
}

// printChecked prints one line per target and returns the run's exit: 0
// when all verified, 1 when one did not, and an error when one could not be
// checked. A single target's error is printed once, as the command's
// error; a batch's are ERROR lines, with a count as the command's error.
func printChecked(app *App, format outputFormat, results []signature.Checked) error {
	worst, unknown := exitOK, 0
	var firstErr string
	for _, r := range results {
		line := checkLine(app, r)
		if r.KeyFromLabel {
			app.warn("%s: no key was given; trusted the key %s from the image's %s label", r.Target, r.Public, image.WalletPublicLabel)
		}
		switch {
		case r.Err != nil:
			worst = max(worst, line.ExitCode)
			if unknown++; unknown == 1 {
				firstErr = line.Target + ": " + line.Error
			}
		case !r.Verified && worst == exitOK:
			worst = exitNotVerified
		}
		if format.json() {
			if err := writeJSON(app.Out, line); err != nil {
				return err
			}
			continue
		}
		if r.Err != nil && len(results) == 1 {
			continue // the error line on standard error says it, once
		}
		fmt.Fprintln(app.Out, line.text())
	}
	switch {
	case unknown == 1 && len(results) == 1:
		return &exitError{code: worst, err: errors.New(firstErr)}
	case unknown > 0 && format.json():
		return &exitError{code: worst, err: fmt.Errorf("%d of %d targets could not be checked; the first: %s", unknown, len(results), firstErr)}
	case unknown > 0:
		return &exitError{code: worst, err: fmt.Errorf("%d of %d targets could not be checked (the ERROR lines above say why)", unknown, len(results))}
	}
	if worst != exitOK {
		return silentExit(worst)
	}
	return nil
}

func checkLine(app *App, r signature.Checked) checkedJSON {
	line := checkedJSON{Target: r.Target.String(), Verified: r.Verified, KeyFromLabel: r.KeyFromLabel}
	if r.Target.HasDigest() {
		line.Digest = r.Target.Digest.String()
	}
	if !r.Public.IsZero() {
		line.Public = r.Public.String()
	}
	line.Chain = chainVerdict(app, r.Chain)
	if g := r.Registry; g != nil && (g.Err == nil || errors.Is(g.Err, image.ErrNotVerified)) {
		line.Registry = &registryVerdictJSON{Verified: g.Err == nil}
		if g.Verification != nil {
			line.Registry.Signature = g.Verification.Tag.String()
		}
		if g.Err != nil {
			line.Registry.Reason = app.errorText(g.Err)
		}
	}
	line.SBOM = attestationVerdict(app, r)
	switch {
	case r.Err != nil:
		line.Error, line.ExitCode = app.errorText(r.Err), exitCode(r.Err)
	case !r.Verified:
		line.ExitCode = exitNotVerified
	}
	return line
}

// text is the one-line text form of a check result.
func (l checkedJSON) text() string {
	target := l.Target
	if l.Digest != "" && !strings.Contains(target, l.Digest) {
		target += "@" + l.Digest
	}
	if l.Error != "" {
		return fmt.Sprintf("ERROR         %s: %s", target, l.Error)
	}
	var parts []string
	if c := l.Chain; c != nil {
		if c.Verified && c.Evidence != nil {
			parts = append(parts, fmt.Sprintf("chain: proof %s deployed %s, proven to key block %d from anchor %s", c.Address, c.DeployedAt.Format(time.RFC3339), c.Evidence.KeyBlock, c.Evidence.Anchor))
		} else if c.Verified {
			parts = append(parts, fmt.Sprintf("chain: proof %s deployed %s", c.Address, c.DeployedAt.Format(time.RFC3339)))
		} else {
			parts = append(parts, fmt.Sprintf("chain: %s (%s)", c.Reason, c.Address))
		}
	}
	if g := l.Registry; g != nil {
		if g.Verified {
			parts = append(parts, "registry: "+g.Signature)
		} else {
			parts = append(parts, "registry: "+g.Reason)
		}
	}
	if s := attestationText(l.SBOM); s != "" {
		parts = append(parts, s)
	}
	status := "NOT VERIFIED "
	if l.Verified {
		status = "verified     "
	}
	return fmt.Sprintf("%s %s by %s (%s)", status, target, l.Public, strings.Join(parts, "; "))
}

// looksLikePublic tells a leading PUBLIC argument from a target.
func looksLikePublic(s string) bool {
	s = strings.TrimPrefix(s, "0x")
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// parsePublicArg reads a public key as hex, PEM text, or the path of a PEM file.
func parsePublicArg(app *App, s string) (keys.PublicKey, error) {
	if pub, err := keys.ParsePublicKey(s); err == nil {
		return pub, nil
	}
	if _, err := os.Lstat(s); err == nil {
		data, err := readInput(app, "public key file", s, maxKeyInput)
		if err != nil {
			return keys.PublicKey{}, err
		}
		pub, err := keys.ParsePublicKey(string(data))
		if err != nil {
			return pub, usageError("public key file %s: %v", s, err)
		}
		return pub, nil
	}
	_, err := keys.ParsePublicKey(s)
	return keys.PublicKey{}, usageError("public key: %v", err)
}

// maxTargetsFile bounds --from-file: room for a hundred thousand targets.
const maxTargetsFile = 32 << 20

// readTargetsFile reads targets one per line; blank lines and # comments
// are skipped.
func readTargetsFile(app *App, path string) ([]string, error) {
	data, err := readInput(app, "--from-file", path, maxTargetsFile)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, usageError("--from-file %s: %v", path, err)
	}
	return out, nil
}
