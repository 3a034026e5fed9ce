package main

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// walletFlags choose the wallet that pays for proofs, its key, and what it
// pays.
type walletFlags struct {
	address    string
	kind       string
	secret     string
	secretFile string
	topUp      string
	// phraseType is --phrase-type, shared with the signer's flags.
	phraseType *keys.PhraseType
}

func (k *walletFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&k.address, "wallet", "g", "", "address of the wallet that pays for proofs (default $WALLET)")
	f.StringVar(&k.kind, "wallet-type", "", "the wallet's contract, when its code is not recognized or it is not deployed yet (everwallet, highloadwalletv2: its first transfer deploys it): "+strings.Join(walletKindNames(), ", "))
	f.StringVarP(&k.secret, "wallet-secret", "s", "", "the paying wallet's secret key (default $WALLET_SECRET; prefer the variable or --wallet-secret-file)")
	f.StringVar(&k.secretFile, "wallet-secret-file", "", "read the paying wallet's key from `FILE` (- for standard input)")
	k.phraseType = bindPhraseType(cmd)
	f.StringVar(&k.topUp, "topup", proof.FormatTokens(contract.DefaultTopUp), "tokens the wallet sends to a proof address that holds less than half of it")
}

// wallet is the paying wallet, or nil when no wallet address is given (a
// proof address must then hold enough to pay for its deployment).
func (k *walletFlags) wallet(app *App) (*proof.Wallet, error) {
	text := k.address
	if text == "" {
		text = app.Getenv("WALLET")
	}
	if text == "" {
		return nil, nil
	}
	addr, err := cell.ParseAddress(text)
	if err != nil {
		return nil, usageError("wallet address: %v", err)
	}
	key, err := k.key(app)
	if err != nil {
		return nil, err
	}
	if !key.Valid() {
		return nil, usageError("wallet %s needs its key: set $WALLET_SECRET or give --wallet-secret-file", addr)
	}
	kind := contract.WalletUnknown
	if k.kind != "" {
		if kind, err = contract.ParseWalletKind(k.kind); err != nil {
			return nil, usageError("--wallet-type %q: expected one of %s", k.kind, strings.Join(walletKindNames(), ", "))
		}
	}
	return &proof.Wallet{Address: addr, Kind: kind, Key: key}, nil
}

// key is the paying wallet's key from -s, --wallet-secret-file or
// $WALLET_SECRET; the zero Key when none is given.
func (k *walletFlags) key(app *App) (keys.Key, error) {
	if k.secret != "" && k.secretFile != "" {
		return keys.Key{}, usageError("give the wallet's key once: --wallet-secret or --wallet-secret-file")
	}
	switch {
	case k.secret != "":
		app.warn("a secret on the command line is visible to other users of this machine; prefer $WALLET_SECRET or --wallet-secret-file")
		key, err := keyParser(phraseTypeOf(k.phraseType), false)(k.secret)
		if err != nil {
			return key, fmt.Errorf("wallet key (--wallet-secret): %w", err)
		}
		return key, nil
	case k.secretFile != "":
		return readKeyFrom(app, k.secretFile, "--wallet-secret-file", keyParser(phraseTypeOf(k.phraseType), false))
	}
	if s := app.Getenv("WALLET_SECRET"); s != "" {
		key, err := keyParser(phraseTypeOf(k.phraseType), false)(s)
		if err != nil {
			return key, fmt.Errorf("wallet key ($WALLET_SECRET): %w", err)
		}
		return key, nil
	}
	return keys.Key{}, nil
}

func walletKindNames() []string {
	var names []string
	for _, k := range contract.WalletKinds() {
		names = append(names, k.String())
	}
	return names
}

// topUpAmount reads --topup and refuses an amount that cannot pay for a
// deployment, which would otherwise fail only when the deploy message
// expires minutes later.
func (k *walletFlags) topUpAmount() (uint64, error) {
	n, err := parseTokens(k.topUp)
	if err != nil {
		return 0, usageError("--topup %q: %v", abbreviate(k.topUp), err)
	}
	if n < contract.MinTopUp {
		return 0, usageError("--topup %s: at least %s is needed to pay for a deployment", k.topUp, proof.FormatTokens(contract.MinTopUp))
	}
	return n, nil
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
