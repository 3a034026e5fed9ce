package main

import (
	"errors"
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
	// phraseType is --phrase-type, shared with the wallet's flags.
	phraseType *keys.PhraseType
}

func (k *signerFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.secretFile, "secret-file", "", "read the signer's key from `FILE` (key pair JSON, hex secret or seed phrase; - for standard input)")
	f.StringVar(&k.phraseFile, "phrase-file", "", "read the signer's seed phrase from `FILE` (- for standard input)")
	k.phraseType = bindPhraseType(cmd)
}

// bindPhraseType adds --phrase-type to cmd, once, and returns where its
// value is kept: the signer's and the wallet's phrases share the flag.
func bindPhraseType(cmd *cobra.Command) *keys.PhraseType {
	if f := cmd.Flags().Lookup("phrase-type"); f != nil {
		return (*keys.PhraseType)(f.Value.(*phraseTypeValue))
	}
	t := new(keys.PhraseType)
	cmd.Flags().Var((*phraseTypeValue)(t), "phrase-type", "seed phrases are `legacy|bip39`: TON's 24-word legacy format (nekoton, EVER Wallet's legacy accounts) or BIP-39 (ever-sdk, ever-cli); by default each phrase's own check decides, and one valid as both is refused")
	return t
}

// phraseTypeOf is the phrase type a pointer from bindPhraseType holds
// (auto when there is none).
func phraseTypeOf(t *keys.PhraseType) keys.PhraseType {
	if t == nil {
		return keys.PhraseAuto
	}
	return *t
}

// phraseTypeValue is keys.PhraseType as a flag value.
type phraseTypeValue keys.PhraseType

func (v *phraseTypeValue) Type() string { return "TYPE" }

func (v *phraseTypeValue) String() string {
	if keys.PhraseType(*v) == keys.PhraseAuto {
		return "" // decided from the phrase: no default to show
	}
	return keys.PhraseType(*v).String()
}

func (v *phraseTypeValue) Set(s string) error {
	t, err := keys.ParsePhraseType(s)
	if err != nil {
		return err
	}
	*v = phraseTypeValue(t)
	return nil
}

// keyParser returns the function every key given as text is read with: a
// seed phrase is taken as type t (decided from the phrase for auto), and
// with phraseOnly nothing but a seed phrase is accepted (--phrase-file).
func keyParser(t keys.PhraseType, phraseOnly bool) func(string) (keys.Key, error) {
	return func(s string) (keys.Key, error) {
		var (
			key keys.Key
			err error
		)
		if phraseOnly {
			key, err = keys.KeyFromPhraseType(s, t)
		} else {
			key, err = keys.ParseKeyWithPhraseType(s, t)
		}
		if errors.Is(err, keys.ErrAmbiguousPhrase) {
			err = fmt.Errorf("%w: give --phrase-type legacy or --phrase-type bip39", err)
		}
		return key, err
	}
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
		key, err := keyParser(phraseTypeOf(k.phraseType), false)(arg)
		if err != nil {
			return key, fmt.Errorf("signer key (SIGNER_SECRET argument): %w", err)
		}
		return key, nil
	case k.secretFile != "":
		return readKeyFrom(app, k.secretFile, "--secret-file", keyParser(phraseTypeOf(k.phraseType), false))
	case k.phraseFile != "":
		return readKeyFrom(app, k.phraseFile, "--phrase-file", keyParser(phraseTypeOf(k.phraseType), true))
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
