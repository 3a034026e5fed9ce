package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/internal/hexstr"
	"github.com/gosh-sh/sign-cli/keys"
)

// signerFlags are the ways a command is given the signer's key in a file.
type signerFlags struct {
	secretFile string
	phraseFile string
}

func (k *signerFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.secretFile, "secret-file", "", "read the signer's key from `FILE` (key pair JSON, hex secret or seed phrase; - for standard input)")
	f.StringVar(&k.phraseFile, "phrase-file", "", "read the signer's seed phrase from `FILE` (- for standard input)")
}

// looksLikeSecret reports whether s has a command-line form of a secret
// key: a 32-byte seed or a 64-byte NaCl secret in hex, with or without 0x.
func looksLikeSecret(s string) bool {
	return hexstr.IsLen(hexstr.TrimPrefix(s), 64, 128)
}

// splitSecretArg separates an optional leading SIGNER_SECRET from the
// targets, as in the seed form `sign SIGNER_SECRET IMAGE_SHA`.
func splitSecretArg(args []string) (secret string, targets []string, err error) {
	// Stray white space (a trailing \r from a file made on Windows) does not
	// stop a secret from being recognized as one.
	if len(args) > 0 && looksLikeSecret(strings.TrimSpace(args[0])) {
		if len(args) == 1 {
			return "", nil, usageError("the only argument looks like a secret key; expected a target (image reference or sha256:<64 hex>) after it")
		}
		return strings.TrimSpace(args[0]), args[1:], nil
	}
	return "", args, nil
}

// key picks the signer's key: the SIGNER_SECRET argument, --secret-file or
// --phrase-file (at most one of them), and otherwise the wallet's key, as
// the seed commands do when no separate signer is given.
func (k *signerFlags) key(app *App, arg string, wallet *walletFlags) (keys.Key, error) {
	given := 0
	for _, s := range []string{arg, k.secretFile, k.phraseFile} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return keys.Key{}, usageError("give the signer's key once: SIGNER_SECRET, --secret-file or --phrase-file")
	}
	switch {
	case arg != "":
		app.warn("a secret on the command line is visible to other users of this machine; prefer --secret-file or $WALLET_SECRET")
		key, err := keys.ParseKey(arg)
		if err != nil {
			return key, fmt.Errorf("signer key (SIGNER_SECRET argument): %w", err)
		}
		return key, nil
	case k.secretFile != "":
		return readKeyFrom(app, k.secretFile, "--secret-file", keys.ParseKey)
	case k.phraseFile != "":
		return readKeyFrom(app, k.phraseFile, "--phrase-file", keys.KeyFromPhrase)
	}
	key, err := wallet.key(app)
	if err != nil {
		return key, err
	}
	if !key.Valid() {
		return key, usageError("no signer key: give SIGNER_SECRET, --secret-file, --phrase-file, or set $WALLET_SECRET")
	}
	return key, nil
}

// maxKeyInput bounds a key file, a hex secret or a seed phrase read from a
// file or standard input: the largest of them is a few hundred bytes.
const maxKeyInput = 64 << 10

// readKeyFrom reads a key from a file, or from standard input for "-".
func readKeyFrom(app *App, path, flag string, parse func(string) (keys.Key, error)) (keys.Key, error) {
	data, err := readInput(app, flag, path, maxKeyInput)
	if err != nil {
		return keys.Key{}, err
	}
	key, err := parse(strings.TrimSpace(string(data)))
	if err != nil {
		return key, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return key, nil
}
