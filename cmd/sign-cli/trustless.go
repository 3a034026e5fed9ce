package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/signature"
	"github.com/gosh-sh/sign-cli/trustless"
)

// trustAnchorEnv names the trust anchor when --trust-anchor is not given;
// `sign-cli devnet` exports its own in its env file.
const trustAnchorEnv = "SIGN_CLI_TRUST_ANCHOR"

// trustlessFlags are check's --trustless and --trust-anchor.
type trustlessFlags struct {
	on     bool
	anchor string
}

func (t *trustlessFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&t.on, "trustless", false, "prove each chain verdict from the chain's own data (the constructing transaction, its blocks, validators' signatures and key blocks back to a trust anchor) instead of believing the endpoint")
	f.StringVar(&t.anchor, "trust-anchor", "", "with --trustless, the key blocks to trust: mainnet, devnet (Everscale's development network), `SEQNO:ROOT_HASH_HEX` or a file of such lines (default $"+trustAnchorEnv+", else mainnet)")
}

// checker is the trustless proof checker of the flags: one endpoint's data
// (with failover), believed only as far as it is proven.
func (t *trustlessFlags) checker(app *App, o *checkOptions, src signature.Source) (signature.ProofChecker, error) {
	switch {
	case o.quorum != 0:
		return nil, usageError("--quorum and --trustless do not combine: a trustless check verifies what one endpoint serves against the chain itself, so no endpoint needs to be outvoted")
	case src&signature.SourceChain == 0:
		return nil, usageError("--trustless proves the proof on chain, and --source registry does not check it; use --source chain or all")
	}
	value := t.anchor
	if value == "" {
		value = app.Getenv(trustAnchorEnv)
	}
	if value == "" {
		value = "mainnet"
	}
	net, err := trustless.ParseTrustAnchor(value)
	if err != nil {
		return nil, usageError("--trust-anchor: %v", err)
	}
	client, err := o.net.client(app)
	if err != nil {
		return nil, err
	}
	c := &trustless.Checker{Client: client, Network: net, Progress: app.progress, Logf: app.progress}
	if dir := app.cacheDir(); dir != "" {
		c.Cache = trustless.KeyBlockCache{Dir: filepath.Join(dir, "keyblocks")}
	}
	return c, nil
}
