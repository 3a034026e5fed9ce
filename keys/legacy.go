package keys

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha512"
	"fmt"
	"strings"
)

// The legacy TON seed phrase: 24 words of the English BIP-39 wordlist with no
// checksum in the words themselves. TON's tonlib defined it; nekoton (EVER
// Wallet's "legacy" accounts) and ever-sdk (dictionary TON = 0) derive keys
// from it the same way. Its words are never decoded to bits: every number
// below is computed over the phrase text.

// LegacyPhraseWords is the length of a legacy TON seed phrase.
const LegacyPhraseWords = 24

// legacyIterations is tonlib's PBKDF_ITERATIONS, used at full strength for
// the key and divided by 256 for the cheaper seed-version checks.
const legacyIterations = 100000

// legacyEntropy is HMAC-SHA512 keyed with the phrase (words joined by single
// spaces) over an empty message: an empty message is a phrase without a
// password, the only kind sign-cli derives.
func legacyEntropy(words []string) []byte {
	mac := hmac.New(sha512.New, []byte(strings.Join(words, " ")))
	return mac.Sum(nil)
}

// legacySeed stretches the entropy with PBKDF2-HMAC-SHA512 to 64 bytes.
func legacySeed(entropy []byte, salt string, iterations int) ([]byte, error) {
	seed, err := pbkdf2.Key(sha512.New, string(entropy), []byte(salt), iterations, 64)
	if err != nil {
		return nil, fmt.Errorf("deriving the legacy TON seed: %w", err)
	}
	return seed, nil
}

// isLegacyBasicSeed is tonlib's own check of a phrase without a password:
// the seed under the salt "TON seed version" starts with a zero byte, which
// the phrase's maker ensured by drawing words until it did (1 in 256 random
// phrases pass by chance).
func isLegacyBasicSeed(entropy []byte) (bool, error) {
	seed, err := legacySeed(entropy, "TON seed version", max(1, legacyIterations/256))
	if err != nil {
		return false, err
	}
	return seed[0] == 0, nil
}

// isLegacyPasswordSeed is tonlib's check of a phrase made to be used with a
// password: computed without the password, one round under the salt "TON
// fast seed version" starts with the byte 1 (and the basic check fails).
func isLegacyPasswordSeed(entropy []byte) (bool, error) {
	seed, err := legacySeed(entropy, "TON fast seed version", 1)
	if err != nil {
		return false, err
	}
	return seed[0] == 1, nil
}

// checkLegacyWords checks what a legacy phrase's words can be checked for:
// their number and that each is in the wordlist. Errors name word
// positions, never the words.
func checkLegacyWords(words []string) error {
	if len(words) != LegacyPhraseWords {
		return fmt.Errorf("%w: legacy TON seed phrase has %d words, expected %d", ErrInvalidKey, len(words), LegacyPhraseWords)
	}
	for pos, w := range words {
		if _, ok := bip39Index(w); !ok {
			return fmt.Errorf("%w: seed phrase word %d is not in the English BIP-39 wordlist", ErrInvalidKey, pos+1)
		}
	}
	return nil
}

// keyFromLegacyWords derives the key of a legacy phrase as nekoton and
// tonlib do: the first 32 bytes of PBKDF2-HMAC-SHA512(entropy, "TON default
// seed", 100000 rounds) are the Ed25519 seed. ever-sdk's dictionary TON with
// path "m" gives the same key; along its default HD path it derives a child
// of that seed instead, which is not this key.
//
// It does not require the basic-seed check: nekoton makes legacy phrases
// from random words with a BIP-39 checksum and never runs it, so most of
// EVER Wallet's legacy phrases fail it and are still that wallet's keys.
func keyFromLegacyWords(words []string) (Key, error) {
	if err := checkLegacyWords(words); err != nil {
		return Key{}, err
	}
	seed, err := legacySeed(legacyEntropy(words), "TON default seed", legacyIterations)
	if err != nil {
		return Key{}, err
	}
	return KeyFromSeed(seed[:32])
}
