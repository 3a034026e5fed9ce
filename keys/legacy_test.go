package keys

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// Published vectors of the legacy TON derivation.
var legacyVectors = []struct {
	name    string
	phrase  string
	secret  string // base64 of the Ed25519 seed, when published
	public  string // base64 of the public key, when published
	tonSafe string // TON-safe public key, when published
}{
	{
		// broxus/nekoton, src/crypto/mnemonic/legacy.rs, test
		// correct_legacy_derive (Apache-2.0). nekoton made this phrase: it
		// carries a BIP-39 checksum and fails TON's basic-seed check.
		name:   "nekoton correct_legacy_derive",
		phrase: "unaware face erupt ceiling frost shiver crumble know party before brisk skirt fence boat powder copy plastic until butter fluid property concert say verify",
		secret: "o0kpHL39KRq0KX11zZ0/sCwJL66t+gA4vnfuwBjhAWU=",
		public: "lHW4ZS8QvCHcgR4uChD7QJWU2kf5JRMtUnZ2p1GSZjg=",
	},
	{
		// tonlabs/ever-sdk, ton_client/src/crypto/tests.rs, test mnemonic
		// (Apache-2.0): mnemonic_derive_sign_keys with dictionary TON, 24
		// words and path "m", whose key is the legacy key itself.
		name:    "ever-sdk dictionary TON path m",
		phrase:  "unit follow zone decline glare flower crisp vocal adapt magic much mesh cherry teach mechanic rain float vicious solution assume hedgehog rail sort chuckle",
		tonSafe: "PubDdJkMyss2qHywFuVP1vzww0TpsLxnRNnbifTCcu-XEgW0",
	},
}

func TestLegacyVectors(t *testing.T) {
	for _, v := range legacyVectors {
		t.Run(v.name, func(t *testing.T) {
			k, err := KeyFromPhraseType(v.phrase, PhraseLegacy)
			if err != nil {
				t.Fatal(err)
			}
			if v.secret != "" {
				if got := base64.StdEncoding.EncodeToString(k.priv[:32]); got != v.secret {
					t.Errorf("secret = %s, want %s", got, v.secret)
				}
			}
			if v.public != "" {
				if got := base64.StdEncoding.EncodeToString(k.priv[32:]); got != v.public {
					t.Errorf("public = %s, want %s", got, v.public)
				}
			}
			if v.tonSafe != "" {
				if got := k.Public().TONSafe(); got != v.tonSafe {
					t.Errorf("TON-safe public = %s, want %s", got, v.tonSafe)
				}
			}
			bip, err := KeyFromPhrase(v.phrase)
			if err == nil && bip.Equal(k) {
				t.Error("the BIP-39 key of the phrase is its legacy key")
			}
		})
	}
}

// ever-sdk's dictionary TON along its default path derives a child of the
// legacy seed (tonlabs/ever-sdk, ton_client/src/crypto/tests.rs, test
// mnemonic, Apache-2.0). sign-cli's legacy type is nekoton's and TON's
// wallets' key, not that child: this pins the difference.
func TestLegacyIsNotEverSDKDefaultPath(t *testing.T) {
	const everSDKDefaultPath = "PuYTvCuf__YXhp-4jv3TXTHL0iK65ImwxG0RGrYc1sP3H4KS"
	k, err := KeyFromPhraseType(legacyVectors[1].phrase, PhraseLegacy)
	if err != nil {
		t.Fatal(err)
	}
	if k.Public().TONSafe() == everSDKDefaultPath {
		t.Error("legacy key is ever-sdk's default-path child")
	}
}

// Phrases of each kind for the detection tests, made here by drawing words
// and checked against @ton/crypto 3.3.0 (MIT): mnemonicValidate true for
// ambiguous and legacyOnly, false for passwordOnly, whose password-less
// "TON fast seed version" hash starts with 1.
const (
	// A BIP-39 phrase (valid checksum) that also passes TON's basic check.
	ambiguousPhrase = "story drastic two bubble before embark hill visit road balcony occur possible advice prosper oven rule regret level title clap sustain ecology fabric attract"
	// Its legacy public key, as @ton/crypto's mnemonicToPrivateKey gives it.
	ambiguousLegacyPublic = "bb584df0eb2b359d9dba664bc51596ad712dc7c2557a9c741257f31457205d17"
	// A legacy phrase whose last word breaks BIP-39's checksum.
	legacyOnlyPhrase = "sauce humor three trim insect eyebrow used fossil obey machine grief other unit auto cancel burden dynamic gloom bid brush equal alarm grief riot"
	// Passes only the password-protected check.
	passwordOnlyPhrase = "delay worth wish orbit another toss wink squeeze tooth rare grit gentle report tide social ginger flavor cabbage drive write believe fetch foil coral"
)

func TestDetectPhraseType(t *testing.T) {
	good12 := "abandon math mimic master filter design carbon crystal rookie group knife young"
	words := strings.Fields(legacyOnlyPhrase)
	swapped := append([]string{}, words...)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	tests := []struct {
		name    string
		phrase  string
		want    PhraseType
		wantErr string // empty: no error
	}{
		{"12-word BIP-39", good12, PhraseBIP39, ""},
		{"12 words never legacy", strings.Join(words[:12], " "), 0, "checksum does not match"},
		{"ever-sdk TON vector", legacyVectors[1].phrase, PhraseLegacy, ""},
		{"legacy only", legacyOnlyPhrase, PhraseLegacy, ""},
		{"legacy, spaced and upper case", "  " + strings.ToUpper(strings.ReplaceAll(legacyOnlyPhrase, " ", " \t")) + "\n", PhraseLegacy, ""},
		// nekoton's legacy phrases look like BIP-39 ones: only the owner
		// can say otherwise (--phrase-type legacy).
		{"nekoton-made legacy vector", legacyVectors[0].phrase, PhraseBIP39, ""},
		{"both checks pass", ambiguousPhrase, 0, "both a valid BIP-39 phrase and a valid legacy TON phrase"},
		{"password-protected", passwordOnlyPhrase, 0, "protected by a password"},
		{"neither check passes", strings.Join(swapped, " "), 0, "fails both the BIP-39 checksum and the legacy TON seed check"},
		{"23 words", strings.Join(words[:23], " "), 0, "has 23 words"},
		{"25 words", legacyOnlyPhrase + " zoo", 0, "has 25 words"},
		{"unknown word", strings.Replace(legacyOnlyPhrase, "insect", "insekt", 1), 0, "word 5 is not in the English BIP-39 wordlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectPhraseType(tt.phrase)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("DetectPhraseType = %v, %v; want %v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("DetectPhraseType = %v, want an error", got)
			}
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want ErrInvalidKey containing %q", err, tt.wantErr)
			}
			for _, w := range strings.Fields(tt.phrase) {
				if len(w) > 3 && strings.Contains(err.Error(), strings.ToLower(w)) {
					t.Errorf("error %q echoes the word %q", err, w)
				}
			}
			if _, perr := ParseKey(tt.phrase); perr == nil || perr.Error() != err.Error() {
				t.Errorf("ParseKey error %v, want %v", perr, err)
			}
		})
	}
}

func TestAmbiguousPhrase(t *testing.T) {
	_, err := KeyFromPhraseType(ambiguousPhrase, PhraseAuto)
	if !errors.Is(err, ErrAmbiguousPhrase) || !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("auto: %v, want ErrAmbiguousPhrase wrapping ErrInvalidKey", err)
	}
	legacy, err := ParseKeyWithPhraseType(ambiguousPhrase, PhraseLegacy)
	if err != nil {
		t.Fatal(err)
	}
	if got := legacy.Public().String(); got != ambiguousLegacyPublic {
		t.Errorf("legacy public = %s, want %s", got, ambiguousLegacyPublic)
	}
	bip, err := ParseKeyWithPhraseType(ambiguousPhrase, PhraseBIP39)
	if err != nil {
		t.Fatal(err)
	}
	want, err := KeyFromPhrase(ambiguousPhrase)
	if err != nil {
		t.Fatal(err)
	}
	if !bip.Equal(want) || bip.Equal(legacy) {
		t.Errorf("bip39 = %v, want %v (not the legacy %v)", bip, want, legacy)
	}
}

func TestExplicitPhraseType(t *testing.T) {
	good12 := "abandon math mimic master filter design carbon crystal rookie group knife young"
	tests := []struct {
		name    string
		phrase  string
		typ     PhraseType
		wantErr string
	}{
		// The type given is the type used: no check of the other kind.
		{"legacy without TON's check", legacyVectors[0].phrase, PhraseLegacy, ""},
		{"password-protected as legacy", passwordOnlyPhrase, PhraseLegacy, ""},
		{"legacy-only as bip39", legacyOnlyPhrase, PhraseBIP39, "checksum does not match"},
		{"12 words as legacy", good12, PhraseLegacy, "legacy TON seed phrase has 12 words, expected 24"},
		{"unknown word as legacy", strings.Replace(legacyOnlyPhrase, "sauce", "sause", 1), PhraseLegacy, "word 1 is not in"},
		{"unknown type", good12, PhraseType(7), "PhraseType(7) is not one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := KeyFromPhraseType(tt.phrase, tt.typ)
			if tt.wantErr == "" {
				if err != nil || !k.Valid() {
					t.Fatalf("KeyFromPhraseType = %v, %v", k, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParsePhraseType(t *testing.T) {
	for in, want := range map[string]PhraseType{
		"": PhraseAuto, "auto": PhraseAuto, "bip39": PhraseBIP39, "BIP39": PhraseBIP39, "legacy": PhraseLegacy, " legacy ": PhraseLegacy,
	} {
		got, err := ParsePhraseType(in)
		if err != nil || got != want {
			t.Errorf("ParsePhraseType(%q) = %v, %v; want %v", in, got, err, want)
		}
		if in == want.String() {
			continue
		}
		if back, err := ParsePhraseType(want.String()); err != nil || back != want {
			t.Errorf("ParsePhraseType(%q) = %v, %v; want %v", want.String(), back, err, want)
		}
	}
	for _, in := range []string{"ton", "bip-39", "0"} {
		if _, err := ParsePhraseType(in); err == nil {
			t.Errorf("ParsePhraseType(%q): no error", in)
		}
	}
}
