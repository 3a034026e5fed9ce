package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/keys"
)

func TestSplitSecretArg(t *testing.T) {
	hex64 := strings.Repeat("ab", 32)
	digest := "sha256:" + strings.Repeat("0", 64)
	tests := []struct {
		args        []string
		wantSecret  string
		wantTargets int
		wantErr     bool
	}{
		{[]string{hex64, digest}, hex64, 1, false},
		{[]string{"0x" + strings.Repeat("cd", 64), digest, digest}, "0x" + strings.Repeat("cd", 64), 2, false},
		{[]string{digest}, "", 1, false},
		{[]string{"registry.example/app:1", digest}, "", 2, false},
		{[]string{hex64}, "", 0, true},
	}
	for _, tc := range tests {
		secret, targets, err := splitSecretArg(tc.args)
		if (err != nil) != tc.wantErr || secret != tc.wantSecret || len(targets) != tc.wantTargets {
			t.Errorf("splitSecretArg(%v) = %q, %v, %v", tc.args, secret, targets, err)
		}
		if err != nil && exitCode(err) != exitUsage {
			t.Errorf("error exit code %d", exitCode(err))
		}
	}
}

func TestSignerKeySources(t *testing.T) {
	walletKey, _ := keys.GenerateKey(nil)
	signerKey, _ := keys.GenerateKey(nil)
	phrase, phraseKey, _ := keys.GeneratePhraseKey(nil)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "signer.json")
	if err := keys.WriteKeyFile(keyFile, signerKey, false); err != nil {
		t.Fatal(err)
	}
	phraseFile := filepath.Join(dir, "phrase.txt")
	os.WriteFile(phraseFile, []byte(phrase+"\n"), 0o600)
	env := map[string]string{"WALLET_SECRET": walletKey.SecretHex()}

	tests := []struct {
		name   string
		signer signerFlags
		wallet walletFlags
		arg    string
		stdin  string
		env    map[string]string
		want   keys.Key
		warn   bool
	}{
		{"argument", signerFlags{}, walletFlags{}, signerKey.SecretHex(), "", env, signerKey, true},
		{"secret file", signerFlags{secretFile: keyFile}, walletFlags{}, "", "", env, signerKey, false},
		{"phrase file", signerFlags{phraseFile: phraseFile}, walletFlags{}, "", "", env, phraseKey, false},
		{"stdin", signerFlags{secretFile: "-"}, walletFlags{}, "", signerKey.SecretHex() + "\n", env, signerKey, false},
		{"wallet secret from env", signerFlags{}, walletFlags{}, "", "", env, walletKey, false},
		{"wallet secret flag", signerFlags{}, walletFlags{secret: walletKey.SecretHex()}, "", "", nil, walletKey, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errOut bytes.Buffer
			app := &App{ctx: t.Context(), In: strings.NewReader(tc.stdin), Err: &errOut, Getenv: func(k string) string { return tc.env[k] }}
			got, err := tc.signer.key(app, tc.arg, &tc.wallet)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tc.want) {
				t.Fatalf("got key %s, want %s", got, tc.want)
			}
			if tc.warn != strings.Contains(errOut.String(), "visible to other users") {
				t.Fatalf("warning shown = %v, want %v", !tc.warn, tc.warn)
			}
			if strings.Contains(errOut.String(), tc.want.SecretHex()) {
				t.Fatal("secret printed")
			}
		})
	}
}

func TestSignerKeyErrors(t *testing.T) {
	secret := strings.Repeat("1", 63) + "x"
	tests := []struct {
		name   string
		signer signerFlags
		wallet walletFlags
		arg    string
		code   int
		frag   string
	}{
		{"none", signerFlags{}, walletFlags{}, "", exitUsage, "no signer key"},
		{"two sources", signerFlags{secretFile: "a"}, walletFlags{}, strings.Repeat("ab", 32), exitUsage, "once"},
		{"missing file", signerFlags{secretFile: "/nonexistent/key.json"}, walletFlags{}, "", exitUsage, "--secret-file"},
		{"bad phrase", signerFlags{phraseFile: "-"}, walletFlags{}, "", exitUsage, "--phrase-file"},
		{"bad argument", signerFlags{}, walletFlags{}, secret, exitUsage, "SIGNER_SECRET"},
		{"two wallet sources", signerFlags{}, walletFlags{secret: "a", secretFile: "b"}, "", exitUsage, "once"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := &App{ctx: t.Context(), In: strings.NewReader("not a phrase at all"), Err: &bytes.Buffer{}, Getenv: func(string) string { return "" }}
			_, err := tc.signer.key(app, tc.arg, &tc.wallet)
			if err == nil {
				t.Fatal("accepted")
			}
			if exitCode(err) != tc.code || !strings.Contains(err.Error(), tc.frag) {
				t.Fatalf("error %q (exit %d), want exit %d mentioning %q", err, exitCode(err), tc.code, tc.frag)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "not a phrase") {
				t.Fatal("error repeats the secret")
			}
		})
	}
}
