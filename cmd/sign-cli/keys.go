package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/signature"
)

// keyFlags are the ways a command is given the signer's and the wallet's keys.
type keyFlags struct {
	secretFile       string
	phraseFile       string
	walletSecret     string
	walletSecretFile string
}

func (k *keyFlags) addSigner(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.secretFile, "secret-file", "", "read the signer's key from `FILE` (key pair JSON, hex secret or seed phrase; - for standard input)")
	f.StringVar(&k.phraseFile, "phrase-file", "", "read the signer's seed phrase from `FILE` (- for standard input)")
}

func (k *keyFlags) addWallet(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&k.walletSecret, "wallet-secret", "s", "", "the paying wallet's secret key (default $WALLET_SECRET; prefer the variable or --wallet-secret-file)")
	f.StringVar(&k.walletSecretFile, "wallet-secret-file", "", "read the paying wallet's key from `FILE` (- for standard input)")
}

// looksLikeSecret matches the command-line forms of a secret key: a 32-byte
// seed or a 64-byte NaCl secret in hex.
var looksLikeSecret = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0x)?([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$`)
})

// splitSecretArg separates an optional leading SIGNER_SECRET from the
// targets, as in the seed form `sign SIGNER_SECRET IMAGE_SHA`.
func splitSecretArg(args []string) (secret string, targets []string, err error) {
	if len(args) > 0 && looksLikeSecret().MatchString(args[0]) {
		if len(args) == 1 {
			return "", nil, usageError("the only argument looks like a secret key; expected a target (image reference or sha256:<64 hex>) after it")
		}
		return args[0], args[1:], nil
	}
	return "", args, nil
}

// signerKey picks the signer's key: the SIGNER_SECRET argument, --secret-file
// or --phrase-file (at most one of them), and otherwise the wallet's key,
// as the seed commands do when no separate signer is given.
func (k *keyFlags) signerKey(app *App, arg string) (signature.Key, error) {
	given := 0
	for _, s := range []string{arg, k.secretFile, k.phraseFile} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return signature.Key{}, usageError("give the signer's key once: SIGNER_SECRET, --secret-file or --phrase-file")
	}
	switch {
	case arg != "":
		app.warn("a secret on the command line is visible to other users of this machine; prefer --secret-file or $WALLET_SECRET")
		key, err := signature.ParseKey(arg)
		if err != nil {
			return key, fmt.Errorf("signer key (SIGNER_SECRET argument): %w", err)
		}
		return key, nil
	case k.secretFile != "":
		return readKeyFrom(app, k.secretFile, "--secret-file", signature.ParseKey)
	case k.phraseFile != "":
		return readKeyFrom(app, k.phraseFile, "--phrase-file", signature.KeyFromPhrase)
	}
	key, err := k.walletKey(app)
	if err != nil {
		return key, err
	}
	if !key.Valid() {
		return key, usageError("no signer key: give SIGNER_SECRET, --secret-file, --phrase-file, or set $WALLET_SECRET")
	}
	return key, nil
}

// walletKey is the paying wallet's key from -s, --wallet-secret-file or
// $WALLET_SECRET; the zero Key when none is given.
func (k *keyFlags) walletKey(app *App) (signature.Key, error) {
	if k.walletSecret != "" && k.walletSecretFile != "" {
		return signature.Key{}, usageError("give the wallet's key once: --wallet-secret or --wallet-secret-file")
	}
	switch {
	case k.walletSecret != "":
		app.warn("a secret on the command line is visible to other users of this machine; prefer $WALLET_SECRET or --wallet-secret-file")
		key, err := signature.ParseKey(k.walletSecret)
		if err != nil {
			return key, fmt.Errorf("wallet key (--wallet-secret): %w", err)
		}
		return key, nil
	case k.walletSecretFile != "":
		return readKeyFrom(app, k.walletSecretFile, "--wallet-secret-file", signature.ParseKey)
	}
	if s := app.Getenv("WALLET_SECRET"); s != "" {
		key, err := signature.ParseKey(s)
		if err != nil {
			return key, fmt.Errorf("wallet key ($WALLET_SECRET): %w", err)
		}
		return key, nil
	}
	return signature.Key{}, nil
}

// readKeyFrom reads a key from a file, or from standard input for "-".
func readKeyFrom(app *App, path, flag string, parse func(string) (signature.Key, error)) (signature.Key, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(app.In, 64<<10))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return signature.Key{}, usageError("%s: %v", flag, err)
	}
	key, err := parse(strings.TrimSpace(string(data)))
	if err != nil {
		return key, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return key, nil
}
