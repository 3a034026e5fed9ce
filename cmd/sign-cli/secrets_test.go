package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/keys"
)

// TestNoSecretInOutput runs every command that handles a secret, in every
// way it can receive one, successful and failing, and checks that no form of
// any secret appears in standard output or error. (sign-cli devnet prints
// its own throwaway giver key on purpose and is not run here.)
func TestNoSecretInOutput(t *testing.T) {
	w := newWorld(t)
	ref, digest := w.image("secrets/app", nil)
	signer, keyPath := w.keyFile("signer.json")
	phrase, phraseKey, err := keys.GeneratePhraseKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	phrasePath := filepath.Join(w.dir, "phrase.txt")
	os.WriteFile(phrasePath, []byte(phrase), 0o600)
	naclSecret := signer.SecretHex() + signer.Public().String()

	secrets := []string{
		signer.SecretHex(), strings.ToUpper(signer.SecretHex()), naclSecret,
		phraseKey.SecretHex(), phrase, strings.Join(strings.Fields(phrase)[:3], " "),
		w.giver.SecretHex(),
	}
	msgPath := filepath.Join(w.dir, "deploy.json")
	env := w.env()
	bad := w.env()
	bad["SIGN_CLI_NETWORK"] = "http://127.0.0.1:1/graphql"
	runs := [][]string{
		{"sign", "--secret-file", keyPath, ref},
		{"sign", "-o", "json", signer.SecretHex(), ref},
		{"sign", naclSecret, digest.String()},
		{"sign", "--phrase-file", phrasePath, "--no-registry", digest.String()},
		{"sign", "-s", w.giver.SecretHex(), "--no-registry", digest.String()},
		{"sign", "--offline", "--secret-file", keyPath, "--message-out", msgPath, digest.String()},
		{"send", msgPath},
		{"check", "--source", "all", signer.Public().String(), ref},
		{"keygen", "--out", filepath.Join(w.dir, "new.json")},
		{"keygen", "--phrase", "--out", filepath.Join(w.dir, "new2.json")},
		// Failures, whose errors must not quote what they were given.
		{"sign", "--secret-file", phrasePath + ".missing", digest.String()},
		{"sign", signer.SecretHex()[:63] + "x", digest.String()},
		{"sign", signer.SecretHex(), "sha256:nonsense"},
		{"sign", "--timeout", "3s", signer.SecretHex(), digest.String()},
		{"sign", signer.SecretHex() + signer.SecretHex()[:60], ref},
		// Secrets given in the wrong place.
		{"sign", phrase, digest.String()},
		{"sign", "--no-registry", signer.SecretHex() + " ", digest.String()},
		{"sign", "--no-registry", signer.SecretHex() + "\r", digestOf("stray-cr")},
		{"sign", "-g", signer.SecretHex(), digest.String()},
		{"sign", "--topup", signer.SecretHex(), digest.String()},
		{"sign", "--wallet-type", signer.SecretHex(), digest.String()},
		{"sign", "-a", signer.SecretHex(), digest.String()},
		{"sign", "-a", "k=" + signer.SecretHex(), "--no-chain", "--secret-file", keyPath, "not//a/ref"},
		{"sign", "-n", signer.SecretHex(), digest.String()},
		{"check", "-n", phrase, signer.Public().String(), digest.String()},
		{"check", w.giver.SecretHex(), digest.String()},
		{"check", "--public", strings.ToUpper(w.giver.SecretHex()), digest.String()},
		{"sign", "--network-secret", signer.SecretHex(), "--timeout", "2s", "--no-registry", digestOf("netsecret")},
	}
	for i, args := range runs {
		e := env
		if i == len(runs)-2 {
			e = bad
		}
		r := runCLI(t, e, "", args...)
		for _, s := range secrets {
			if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
				t.Errorf("sign-cli %s: a secret appears in the output (exit %d)", strings.Join(redact(args, secrets), " "), r.code)
			}
		}
	}
	// Secrets given through the environment or standard input, too.
	r := runCLI(t, map[string]string{"SIGN_CLI_NETWORK": w.chain.URL, "WALLET": w.chain.GiverAddress, "WALLET_SECRET": w.giver.SecretHex()}, phrase, "sign", "--phrase-file", "-", "--no-registry", digest.String())
	if r.code != 0 {
		t.Fatalf("sign with a phrase on stdin: %+v", r)
	}
	for _, s := range secrets {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Error("a secret from stdin or the environment appears in the output")
		}
	}
}

func redact(args, secrets []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		for _, s := range secrets {
			if strings.Contains(a, s) || (len(a) > 40 && strings.Contains(s, a[:40])) {
				out[i] = "<secret>"
			}
		}
	}
	return out
}
