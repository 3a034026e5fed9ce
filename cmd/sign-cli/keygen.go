package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/keys"
)

type keygenOptions struct {
	phrase     bool
	phraseFile string
	phraseType *keys.PhraseType
	out        string
	force      bool
	showSecret bool
	pem        bool
	output     outputFormat
}

// NewCmdKeygen makes a new signing key.
func NewCmdKeygen(app *App) *cobra.Command {
	o := &keygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Make a new Ed25519 signing key (or seed phrase), or a key file from a phrase",
		Long: `Make a new Ed25519 signing key, or a new 12-word seed phrase and its key
(derived as ever-sdk and ever-cli do, along m/44'/396'/0'/0/0). With
--phrase-file, nothing new is made: the key of an existing seed phrase
(BIP-39, or TON's 24-word legacy format: see --phrase-type) is written to
--out FILE, as ever-cli's getkeypair does.

The public key is printed. The secret is written only to --out FILE (a key
pair JSON as ever-cli writes it, mode 0600, never overwriting an existing
file unless --force) and printed only with --show-secret. One of the two is
required, so that a new secret is never lost.`,
		Example: `  sign-cli keygen --out signer.keys.json
  sign-cli keygen --phrase --show-secret
  sign-cli keygen --out signer.keys.json --pem > cosign.pub
  sign-cli keygen --phrase-file my.phrase --out signer.keys.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runKeygen(app, o) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.phrase, "phrase", false, "make a 12-word seed phrase and derive the key from it")
	f.StringVar(&o.phraseFile, "phrase-file", "", "derive the key from the seed phrase in `FILE` (- for standard input) instead of making a new one")
	o.phraseType = bindPhraseType(cmd)
	f.StringVar(&o.out, "out", "", "write the key pair JSON to `FILE` (mode 0600)")
	f.BoolVar(&o.force, "force", false, "overwrite --out FILE if it exists")
	f.BoolVar(&o.showSecret, "show-secret", false, "print the secret (or the seed phrase)")
	f.BoolVar(&o.pem, "pem", false, "print the public key as a PKIX PEM block, for cosign")
	addOutputFlag(cmd, &o.output)
	return cmd
}

type keygenResult struct {
	Public string `json:"public"`
	PEM    string `json:"pem,omitempty"`
	Secret string `json:"secret,omitempty"`
	Phrase string `json:"phrase,omitempty"`
	File   string `json:"file,omitempty"`
}

func runKeygen(app *App, o *keygenOptions) error {
	if o.out == "" && !o.showSecret {
		return usageError("keygen needs --out FILE or --show-secret, otherwise the new secret would be lost")
	}
	if o.force && o.out == "" {
		return usageError("--force only applies to --out FILE")
	}
	if o.phraseFile != "" && o.phrase {
		return usageError("--phrase makes a new phrase and --phrase-file reads one: give one of them")
	}
	if phraseTypeOf(o.phraseType) != keys.PhraseAuto && o.phraseFile == "" {
		return usageError("--phrase-type applies to the phrase of --phrase-file (--phrase makes BIP-39 phrases)")
	}
	var (
		key    keys.Key
		phrase string
		err    error
	)
	switch {
	case o.phraseFile != "":
		if key, err = readKeyFrom(app, o.phraseFile, "--phrase-file", keyParser(phraseTypeOf(o.phraseType), true)); err != nil {
			return err
		}
	case o.phrase:
		phrase, key, err = keys.GeneratePhraseKey(nil)
	default:
		key, err = keys.GenerateKey(nil)
	}
	if err != nil {
		return fmt.Errorf("generating a key: %w", err)
	}
	res := keygenResult{Public: key.Public().String()}
	if o.out != "" {
		if err := keys.WriteKeyFile(o.out, key, o.force); err != nil {
			if errors.Is(err, keys.ErrKeyFileExists) {
				return usageError("%s already exists; use --force to replace it", o.out)
			}
			return &exitError{code: exitUsage, err: fmt.Errorf("writing key file: %w", err)}
		}
		res.File = o.out
		app.progress("wrote the key pair to %s (mode 0600)", o.out)
		if o.phrase && !o.showSecret {
			app.warn("the seed phrase was not shown (--show-secret); only %s holds the key", o.out)
		}
	}
	if o.showSecret {
		if o.phrase {
			res.Phrase = phrase
		} else {
			res.Secret = key.SecretHex()
		}
	}
	if o.pem {
		res.PEM = string(key.Public().PEM())
	}
	if o.output.json() {
		return writeJSON(app.Out, res)
	}
	if o.pem {
		fmt.Fprint(app.Out, res.PEM)
	} else {
		fmt.Fprintf(app.Out, "public: %s\n", res.Public)
	}
	if res.Secret != "" {
		fmt.Fprintf(app.Out, "secret: %s\n", res.Secret)
	}
	if res.Phrase != "" {
		fmt.Fprintf(app.Out, "phrase: %s\n", res.Phrase)
	}
	return nil
}
