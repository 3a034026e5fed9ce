package keys

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"io"
	"strings"
)

// Phrase lengths that BIP-39 (and ever-sdk) allow, in words.
var phraseLengths = []int{12, 15, 18, 21, 24}

// DefaultPhraseWords is the length of new seed phrases, as ever-sdk and
// ever-cli make them.
const DefaultPhraseWords = 12

// normalizePhrase splits a phrase on any white space and joins its words with
// single spaces, lower-cased. BIP-39 seeds are computed over the phrase text,
// so two spellings of the same words must give the same text.
func normalizePhrase(phrase string) []string {
	return strings.Fields(strings.ToLower(phrase))
}

// ValidatePhrase checks that phrase is a BIP-39 seed phrase of the English
// wordlist: a permitted number of words, every word in the list, and a
// matching checksum. Errors name word positions, never the words.
func ValidatePhrase(phrase string) error {
	_, err := phraseEntropy(normalizePhrase(phrase))
	return err
}

// phraseEntropy decodes the words back to the entropy they encode and checks
// the checksum held in the last bits.
func phraseEntropy(words []string) ([]byte, error) {
	n := len(words)
	if !validPhraseLength(n) {
		return nil, fmt.Errorf("%w: seed phrase has %d words, expected 12, 15, 18, 21 or 24", ErrInvalidKey, n)
	}
	totalBits := n * 11
	checksumBits := totalBits / 33
	entropyBits := totalBits - checksumBits
	buf := make([]byte, (totalBits+7)/8)
	bit := 0
	for pos, w := range words {
		idx, ok := bip39Index(w)
		if !ok {
			return nil, fmt.Errorf("%w: seed phrase word %d is not in the English BIP-39 wordlist", ErrInvalidKey, pos+1)
		}
		for b := 10; b >= 0; b-- {
			if idx>>b&1 == 1 {
				buf[bit/8] |= 0x80 >> (bit % 8)
			}
			bit++
		}
	}
	entropy := buf[:entropyBits/8]
	sum := sha256.Sum256(entropy)
	for i := 0; i < checksumBits; i++ {
		want := sum[i/8] >> (7 - i%8) & 1
		b := entropyBits + i
		got := buf[b/8] >> (7 - b%8) & 1
		if want != got {
			return nil, fmt.Errorf("%w: seed phrase checksum does not match (a word is mistyped, missing or out of order)", ErrInvalidKey)
		}
	}
	return entropy, nil
}

func validPhraseLength(n int) bool {
	for _, l := range phraseLengths {
		if n == l {
			return true
		}
	}
	return false
}

// NewPhrase returns a new English BIP-39 seed phrase of the given number of
// words (12, 15, 18, 21 or 24) with entropy read from rand (crypto/rand.Reader
// when rand is nil).
func NewPhrase(rand io.Reader, words int) (string, error) {
	if !validPhraseLength(words) {
		return "", fmt.Errorf("new seed phrase: %d words requested, expected 12, 15, 18, 21 or 24", words)
	}
	entropyBits := words * 11 * 32 / 33
	entropy := make([]byte, entropyBits/8)
	if _, err := io.ReadFull(randReader(rand), entropy); err != nil {
		return "", fmt.Errorf("new seed phrase: reading random bytes: %w", err)
	}
	return phraseFromEntropy(entropy), nil
}

// phraseFromEntropy encodes entropy (16 to 32 bytes, a multiple of 4) as
// words, appending the first len/32 bits of its SHA-256 as the checksum.
func phraseFromEntropy(entropy []byte) string {
	sum := sha256.Sum256(entropy)
	data := append(append([]byte{}, entropy...), sum[0])
	n := len(entropy) * 8 * 33 / 32 / 11
	words := make([]string, n)
	for i := range words {
		idx := 0
		for b := 0; b < 11; b++ {
			bit := i*11 + b
			idx = idx<<1 | int(data[bit/8]>>(7-bit%8)&1)
		}
		words[i] = bip39Word(idx)
	}
	return strings.Join(words, " ")
}

// phraseSeed is the 64-byte BIP-39 seed of a phrase with an empty passphrase:
// PBKDF2-HMAC-SHA512 over the phrase text with salt "mnemonic", 2048 rounds.
func phraseSeed(words []string) ([]byte, error) {
	seed, err := pbkdf2.Key(sha512.New, strings.Join(words, " "), []byte("mnemonic"), 2048, 64)
	if err != nil {
		return nil, fmt.Errorf("deriving the BIP-39 seed: %w", err)
	}
	return seed, nil
}
