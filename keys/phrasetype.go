package keys

import (
	"fmt"
	"strings"
)

// PhraseType says how a seed phrase is turned into a key. The two kinds
// share a wordlist and a 24-word length but give different keys, so a
// phrase taken for the wrong kind silently opens a different, empty wallet.
type PhraseType int

const (
	// PhraseAuto decides from the phrase itself (see DetectPhraseType).
	PhraseAuto PhraseType = iota
	// PhraseBIP39 is a BIP-39 phrase derived along DefaultPath, as ever-sdk
	// and ever-cli do.
	PhraseBIP39
	// PhraseLegacy is a 24-word legacy TON phrase, as nekoton's "legacy"
	// mnemonic type and TON wallets derive it.
	PhraseLegacy
)

// ErrAmbiguousPhrase is wrapped (with ErrInvalidKey) when a 24-word phrase
// passes both the BIP-39 checksum and the legacy TON seed check, about 1 in
// 256 of either kind: only its owner knows which it is.
var ErrAmbiguousPhrase = fmt.Errorf("%w: the seed phrase is both a valid BIP-39 phrase and a valid legacy TON phrase, which give different keys; say which it is", ErrInvalidKey)

// ParsePhraseType reads the names String gives: "auto" (or empty),
// "bip39" or "legacy".
func ParsePhraseType(s string) (PhraseType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return PhraseAuto, nil
	case "bip39":
		return PhraseBIP39, nil
	case "legacy":
		return PhraseLegacy, nil
	}
	return PhraseAuto, fmt.Errorf("unknown seed phrase type %q, expected legacy, bip39 or auto", s)
}

// String names the type as ParsePhraseType reads it.
func (t PhraseType) String() string {
	switch t {
	case PhraseAuto:
		return "auto"
	case PhraseBIP39:
		return "bip39"
	case PhraseLegacy:
		return "legacy"
	}
	return fmt.Sprintf("PhraseType(%d)", int(t))
}

// DetectPhraseType tells a BIP-39 phrase from a legacy TON one by the check
// each kind carries: BIP-39's checksum in the last word, and TON's basic
// seed (a seed-version hash starting with a zero byte). Phrases of 12 to 21
// words are BIP-39 only. For 24 words:
//   - exactly one check passes: that kind;
//   - both pass: ErrAmbiguousPhrase;
//   - neither passes: ErrInvalidKey, saying what failed.
//
// A legacy phrase made by nekoton (EVER Wallet) carries a BIP-39 checksum
// and almost never TON's check, so it is detected as BIP-39: its owner has
// to say PhraseLegacy.
func DetectPhraseType(phrase string) (PhraseType, error) {
	return detectPhraseType(normalizePhrase(phrase))
}

func detectPhraseType(words []string) (PhraseType, error) {
	_, bipErr := phraseEntropy(words)
	if len(words) != LegacyPhraseWords {
		if bipErr != nil {
			return PhraseAuto, bipErr
		}
		return PhraseBIP39, nil
	}
	if err := checkLegacyWords(words); err != nil {
		return PhraseAuto, err
	}
	entropy := legacyEntropy(words)
	legacy, err := isLegacyBasicSeed(entropy)
	if err != nil {
		return PhraseAuto, err
	}
	switch {
	case legacy && bipErr == nil:
		return PhraseAuto, ErrAmbiguousPhrase
	case legacy:
		return PhraseLegacy, nil
	case bipErr == nil:
		return PhraseBIP39, nil
	}
	// A phrase made for use with a password passes a check of its own; it
	// cannot be derived without the password, which sign-cli does not take.
	if password, err := isLegacyPasswordSeed(entropy); err == nil && password {
		return PhraseAuto, fmt.Errorf("%w: 24-word seed phrase fails the BIP-39 checksum and looks like a legacy TON phrase protected by a password, which sign-cli cannot derive", ErrInvalidKey)
	}
	return PhraseAuto, fmt.Errorf("%w: 24-word seed phrase fails both the BIP-39 checksum and the legacy TON seed check (a word is mistyped, missing or out of order)", ErrInvalidKey)
}

// KeyFromPhraseType derives the key of a seed phrase of the given type;
// PhraseAuto decides with DetectPhraseType. Words are matched without
// regard to case or the white space between them. Errors wrap
// ErrInvalidKey and never repeat the phrase.
func KeyFromPhraseType(phrase string, t PhraseType) (Key, error) {
	words := normalizePhrase(phrase)
	if t == PhraseAuto {
		var err error
		if t, err = detectPhraseType(words); err != nil {
			return Key{}, err
		}
	}
	switch t {
	case PhraseBIP39:
		return keyFromPhraseWords(words, DefaultPath)
	case PhraseLegacy:
		return keyFromLegacyWords(words)
	}
	return Key{}, fmt.Errorf("seed phrase type %v is not one of auto, bip39, legacy", t)
}
