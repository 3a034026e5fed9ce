package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/keys"
)

// Seed phrases of each kind (the keys package's tests pin their keys).
const (
	// nekoton's legacy vector: a BIP-39 checksum, no TON check.
	nekotonLegacyPhrase = "unaware face erupt ceiling frost shiver crumble know party before brisk skirt fence boat powder copy plastic until butter fluid property concert say verify"
	// Passes TON's check only.
	tonLegacyPhrase = "sauce humor three trim insect eyebrow used fossil obey machine grief other unit auto cancel burden dynamic gloom bid brush equal alarm grief riot"
	// Passes both.
	bothKindsPhrase = "story drastic two bubble before embark hill visit road balcony occur possible advice prosper oven rule regret level title clap sustain ecology fabric attract"
)

func phraseKey(t *testing.T, phrase string, typ keys.PhraseType) string {
	t.Helper()
	k, err := keys.KeyFromPhraseType(phrase, typ)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public().String() + "\n"
}

func TestPhraseType(t *testing.T) {
	dir := t.TempDir()
	file := func(phrase string) string {
		f, err := os.CreateTemp(dir, "phrase")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(phrase + "\n"); err != nil {
			t.Fatal(err)
		}
		return f.Name()
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"legacy decided from the phrase", nil, []string{"pubkey", "--phrase-file", file(tonLegacyPhrase)}, phraseKey(t, tonLegacyPhrase, keys.PhraseLegacy)},
		{"nekoton's phrase decided as BIP-39", nil, []string{"pubkey", "--phrase-file", file(nekotonLegacyPhrase)}, phraseKey(t, nekotonLegacyPhrase, keys.PhraseBIP39)},
		{"nekoton's phrase said to be legacy", nil, []string{"pubkey", "--phrase-type", "legacy", "--phrase-file", file(nekotonLegacyPhrase)}, phraseKey(t, nekotonLegacyPhrase, keys.PhraseLegacy)},
		{"secret file", nil, []string{"pubkey", "--phrase-type", "legacy", "--secret-file", file(bothKindsPhrase)}, phraseKey(t, bothKindsPhrase, keys.PhraseLegacy)},
		{"$WALLET_SECRET", map[string]string{"WALLET_SECRET": bothKindsPhrase}, []string{"pubkey", "--phrase-type", "bip39"}, phraseKey(t, bothKindsPhrase, keys.PhraseBIP39)},
		{"keygen --phrase-file", nil, []string{"keygen", "--show-secret", "--phrase-type", "legacy", "--phrase-file", file(bothKindsPhrase)}, "public: " + phraseKey(t, bothKindsPhrase, keys.PhraseLegacy)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, "", tt.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, tt.want) {
				t.Errorf("stdout %q, want it to start with %q", r.stdout, tt.want)
			}
		})
	}
}

func TestPhraseTypeErrors(t *testing.T) {
	both := filepath.Join(t.TempDir(), "phrase")
	if err := os.WriteFile(both, []byte(bothKindsPhrase), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		frags []string
	}{
		{"both kinds, --phrase-file", nil, []string{"pubkey", "--phrase-file", both}, []string{"--phrase-file", "--phrase-type legacy or --phrase-type bip39"}},
		{"both kinds, $WALLET_SECRET", map[string]string{"WALLET_SECRET": bothKindsPhrase}, []string{"pubkey"}, []string{"$WALLET_SECRET", "--phrase-type legacy"}},
		{"both kinds, keygen", nil, []string{"keygen", "--show-secret", "--phrase-file", both}, []string{"--phrase-type legacy"}},
		{"both kinds, sign", map[string]string{"WALLET_SECRET": bothKindsPhrase}, []string{"sign", "--offline", "--message-out", "m.json", "sha256:" + strings.Repeat("0", 64)}, []string{"--phrase-type legacy"}},
		{"unknown type", nil, []string{"pubkey", "--phrase-type", "ton", "--phrase-file", both}, []string{"--phrase-type", "expected legacy, bip39 or auto"}},
		{"keygen --phrase", nil, []string{"keygen", "--phrase", "--show-secret", "--phrase-type", "legacy"}, []string{"--phrase-type applies to"}},
		{"12 words as legacy", nil, []string{"pubkey", "--phrase-type", "legacy", "--phrase-file", "-"}, []string{"has 12 words, expected 24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, "abandon math mimic master filter design carbon crystal rookie group knife young", tt.args...)
			r.wantError(t, exitUsage, tt.frags...)
			for _, w := range strings.Fields(bothKindsPhrase + " mimic master") {
				if len(w) > 4 && strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q repeats a word of the phrase", r.stderr)
				}
			}
		})
	}
}
