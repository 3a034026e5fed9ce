package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// ErrInvalidKey is wrapped by every error about a key, a key file or a seed
// phrase that cannot be used as given.
var ErrInvalidKey = errors.New("invalid key")

// Key is an Ed25519 signing key, as Everscale wallets use them. The zero Key
// holds no key; keys come from ParseKey, KeyFromSeed, KeyFromPhrase,
// ReadKeyFile or GenerateKey.
//
// A Key never prints its secret: String, Format, GoString, MarshalJSON and
// LogValue show only the public key. The secret leaves a Key only through
// SecretHex, Ed25519 and WriteKeyFile, which say so in their names.
type Key struct {
	priv ed25519.PrivateKey // seed ‖ public, 64 bytes
}

// KeyFromSeed makes a key from a 32-byte Ed25519 seed, which Everscale key
// pairs call their secret.
func KeyFromSeed(seed []byte) (Key, error) {
	if len(seed) != ed25519.SeedSize {
		return Key{}, fmt.Errorf("%w: Ed25519 seed is %d bytes, expected 32", ErrInvalidKey, len(seed))
	}
	return Key{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// keyFromNaCl makes a key from a 64-byte NaCl secret (seed ‖ public) and
// checks that its public half belongs to its seed.
func keyFromNaCl(secret []byte) (Key, error) {
	k, err := KeyFromSeed(secret[:32])
	if err != nil {
		return Key{}, err
	}
	if subtle.ConstantTimeCompare(k.priv[32:], secret[32:]) != 1 {
		return Key{}, fmt.Errorf("%w: the public half of the 64-byte secret does not belong to its seed", ErrInvalidKey)
	}
	return k, nil
}

// KeyFromPhrase derives the key of an English BIP-39 seed phrase along
// DefaultPath, as ever-sdk does. KeyFromPhraseType also takes legacy TON
// phrases.
func KeyFromPhrase(phrase string) (Key, error) {
	return KeyFromPhrasePath(phrase, DefaultPath)
}

// KeyFromPhrasePath derives the key of a BIP-39 seed phrase along a BIP-32
// path: BIP-39 seed, BIP-32 on secp256k1, and the final private scalar used
// as the Ed25519 seed.
func KeyFromPhrasePath(phrase, path string) (Key, error) {
	return keyFromPhraseWords(normalizePhrase(phrase), path)
}

func keyFromPhraseWords(words []string, path string) (Key, error) {
	if _, err := phraseEntropy(words); err != nil {
		return Key{}, err
	}
	seed, err := phraseSeed(words)
	if err != nil {
		return Key{}, err
	}
	master, err := hdMaster(seed)
	if err != nil {
		return Key{}, err
	}
	hd, err := master.derive(path)
	if err != nil {
		return Key{}, err
	}
	return KeyFromSeed(hd.key[:])
}

// GenerateKey makes a new random key from rand (crypto/rand.Reader when rand
// is nil).
func GenerateKey(rand io.Reader) (Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(randReader(rand), seed); err != nil {
		return Key{}, fmt.Errorf("new key: reading random bytes: %w", err)
	}
	return KeyFromSeed(seed)
}

// GeneratePhraseKey makes a new 12-word seed phrase and its key. The phrase is
// the secret: whoever holds it holds the key.
func GeneratePhraseKey(rand io.Reader) (phrase string, key Key, err error) {
	phrase, err = NewPhrase(rand, DefaultPhraseWords)
	if err != nil {
		return "", Key{}, err
	}
	key, err = KeyFromPhrase(phrase)
	return phrase, key, err
}

func randReader(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// ParseKey reads a key in any of the forms Everscale tools produce:
//   - 64 hex characters: the 32-byte Ed25519 seed (the secret of a key pair);
//   - 128 hex characters: a NaCl secret, seed ‖ public, checked for consistency;
//   - a key-file JSON object {"public": "…", "secret": "…"}, checked likewise;
//   - a seed phrase, BIP-39 or legacy TON as DetectPhraseType decides.
//
// Surrounding white space is ignored, and hex may carry a 0x prefix. Errors
// wrap ErrInvalidKey and never repeat the input.
func ParseKey(s string) (Key, error) {
	return ParseKeyWithPhraseType(s, PhraseAuto)
}

// ParseKeyWithPhraseType is ParseKey with a seed phrase taken as the given
// type; the other forms are read as ParseKey reads them.
func ParseKeyWithPhraseType(s string, t PhraseType) (Key, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Key{}, fmt.Errorf("%w: empty", ErrInvalidKey)
	case strings.HasPrefix(s, "{"):
		return ParseKeyFile([]byte(s))
	case strings.ContainsAny(s, " \t\r\n"):
		return KeyFromPhraseType(s, t)
	}
	h := hexstr.TrimPrefix(s)
	if !hexstr.Is(h) {
		return Key{}, fmt.Errorf("%w: expected 64 hex characters (Ed25519 seed), 128 hex characters (NaCl secret), a key file JSON or a seed phrase", ErrInvalidKey)
	}
	b, err := hex.DecodeString(h)
	switch {
	case err != nil:
		return Key{}, fmt.Errorf("%w: %d hex characters, expected 64 (Ed25519 seed) or 128 (NaCl secret)", ErrInvalidKey, len(h))
	case len(b) == 32:
		return KeyFromSeed(b)
	case len(b) == 64:
		return keyFromNaCl(b)
	default:
		return Key{}, fmt.Errorf("%w: %d hex characters, expected 64 (Ed25519 seed) or 128 (NaCl secret)", ErrInvalidKey, len(h))
	}
}

// keyFileJSON is the key pair JSON of ever-sdk's KeyPair, as ever-cli writes it.
type keyFileJSON struct {
	Public string `json:"public"`
	Secret string `json:"secret"`
}

// ParseKeyFile reads a key pair JSON {"public": "…", "secret": "…"}. The
// secret may be the 32-byte seed or the 64-byte NaCl secret; the public key
// must belong to it.
func ParseKeyFile(data []byte) (Key, error) {
	var kf keyFileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&kf); err != nil {
		// The decoder's message can quote bytes of the input, which is secret.
		return Key{}, fmt.Errorf("%w: key file is not a JSON object with string fields \"public\" and \"secret\"", ErrInvalidKey)
	}
	// One object and nothing after it: a file with more in it is not the
	// key file it looks like (two keys pasted together, a truncated edit).
	if _, err := dec.Token(); err != io.EOF {
		return Key{}, fmt.Errorf("%w: key file has more after its JSON object", ErrInvalidKey)
	}
	if kf.Secret == "" {
		return Key{}, fmt.Errorf("%w: key file has no \"secret\"", ErrInvalidKey)
	}
	if kf.Public == "" {
		return Key{}, fmt.Errorf("%w: key file has no \"public\"", ErrInvalidKey)
	}
	h := hexstr.TrimPrefix(strings.TrimSpace(kf.Secret))
	b, err := hex.DecodeString(h)
	var k Key
	switch {
	case err != nil || (len(b) != 32 && len(b) != 64):
		return Key{}, fmt.Errorf("%w: key file \"secret\" is not 64 or 128 hex characters", ErrInvalidKey)
	case len(b) == 32:
		k, err = KeyFromSeed(b)
	default:
		k, err = keyFromNaCl(b)
	}
	if err != nil {
		return Key{}, err
	}
	pub, err := ParsePublicKey(kf.Public)
	if err != nil {
		return Key{}, fmt.Errorf("key file \"public\": %w", err)
	}
	if pub != k.Public() {
		return Key{}, fmt.Errorf("%w: key file \"public\" %s does not belong to its \"secret\"", ErrInvalidKey, pub)
	}
	return k, nil
}

// Valid reports whether k holds a key.
func (k Key) Valid() bool { return len(k.priv) == ed25519.PrivateKeySize }

// Public returns the public key of k (zero for the zero Key).
func (k Key) Public() PublicKey {
	var p PublicKey
	if k.Valid() {
		copy(p[:], k.priv[32:])
	}
	return p
}

// Sign signs msg with pure Ed25519 (no pre-hash).
func (k Key) Sign(msg []byte) ([]byte, error) {
	if !k.Valid() {
		return nil, fmt.Errorf("signing: %w: no key", ErrInvalidKey)
	}
	return ed25519.Sign(k.priv, msg), nil
}

// Ed25519 returns a copy of the private key in the form crypto/ed25519 uses,
// for code that signs with the standard library (for example ABI messages).
func (k Key) Ed25519() ed25519.PrivateKey {
	if !k.Valid() {
		return nil
	}
	return append(ed25519.PrivateKey(nil), k.priv...)
}

// SecretHex returns the secret as ever-cli writes it: 64 hex characters of
// the Ed25519 seed. Only for showing a key to its owner on request.
func (k Key) SecretHex() string {
	if !k.Valid() {
		return ""
	}
	return hex.EncodeToString(k.priv[:32])
}

// Equal reports whether k and o are the same key.
func (k Key) Equal(o Key) bool {
	return k.Valid() == o.Valid() && subtle.ConstantTimeCompare(k.priv, o.priv) == 1
}

// String shows the public key only.
func (k Key) String() string {
	if !k.Valid() {
		return "Key(none)"
	}
	return "Key(public " + k.Public().String() + ")"
}

// Format prints String for every verb, so that %x, %v or %+v cannot reach the
// secret.
func (k Key) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// GoString shows the public key only.
func (k Key) GoString() string { return "keys." + k.String() }

// MarshalJSON writes {"public": "…"} without the secret. Use WriteKeyFile to
// store a key.
func (k Key) MarshalJSON() ([]byte, error) {
	if !k.Valid() {
		return []byte(`{"public":null}`), nil
	}
	return json.Marshal(struct {
		Public string `json:"public"`
	}{k.Public().String()})
}

// MarshalText shows the public key only, for encoders that prefer text.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LogValue keeps the secret out of structured logs.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }
