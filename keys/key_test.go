package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type keyVectors struct {
	NaCl []struct {
		Secret string `json:"secret"`
		Public string `json:"public"`
	} `json:"nacl"`
	Phrases []struct {
		Phrase  string `json:"phrase"`
		Path    string `json:"path"`
		XPrv    string `json:"xprv"`
		Secret  string `json:"secret"`
		Public  string `json:"public"`
		TONSafe string `json:"ton_safe"`
	} `json:"phrases"`
	TONSafe []struct {
		Public  string `json:"public"`
		TONSafe string `json:"ton_safe"`
	} `json:"ton_safe"`
}

func loadKeyVectors(t *testing.T) keyVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/key-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v keyVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.NaCl) == 0 || len(v.Phrases) == 0 || len(v.TONSafe) == 0 {
		t.Fatal("key vectors missing")
	}
	return v
}

func TestNaClVectors(t *testing.T) {
	for _, v := range loadKeyVectors(t).NaCl {
		forms := map[string]string{
			"seed":                 v.Secret,
			"seed 0x":              "0x" + v.Secret,
			"seed upper":           strings.ToUpper(v.Secret),
			"nacl":                 v.Secret + v.Public,
			"key file":             fmt.Sprintf(`{"public": %q, "secret": %q}`, v.Public, v.Secret),
			"key file nacl secret": fmt.Sprintf(`{"public": %q, "secret": %q}`, v.Public, v.Secret+v.Public),
			"padded":               "\n  " + v.Secret + "\n",
		}
		for name, in := range forms {
			t.Run(name, func(t *testing.T) {
				k, err := ParseKey(in)
				if err != nil {
					t.Fatal(err)
				}
				if got := k.Public().String(); got != v.Public {
					t.Errorf("public = %s, want %s", got, v.Public)
				}
				if got := k.SecretHex(); got != v.Secret {
					t.Errorf("secret = %s, want %s", got, v.Secret)
				}
			})
		}
	}
}

func TestPhraseVectors(t *testing.T) {
	for _, v := range loadKeyVectors(t).Phrases {
		t.Run(v.Path+" "+v.Phrase[:10], func(t *testing.T) {
			k, err := KeyFromPhrasePath(v.Phrase, v.Path)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.SecretHex(); got != v.Secret {
				t.Errorf("secret = %s, want %s", got, v.Secret)
			}
			if got := k.Public().String(); got != v.Public {
				t.Errorf("public = %s, want %s", got, v.Public)
			}
			if v.TONSafe != "" {
				if got := k.Public().TONSafe(); got != v.TONSafe {
					t.Errorf("TON-safe = %s, want %s", got, v.TONSafe)
				}
			}
			if v.Path == DefaultPath {
				for _, in := range []string{v.Phrase, "  " + strings.ToUpper(v.Phrase) + "\n", strings.ReplaceAll(v.Phrase, " ", "\t ")} {
					k2, err := ParseKey(in)
					if err != nil {
						t.Fatal(err)
					}
					if !k2.Equal(k) {
						t.Errorf("ParseKey of the phrase gave %v, want %v", k2, k)
					}
				}
			}
			if v.XPrv != "" {
				seed, err := phraseSeed(normalizePhrase(v.Phrase))
				if err != nil {
					t.Fatal(err)
				}
				m, err := hdMaster(seed)
				if err != nil {
					t.Fatal(err)
				}
				if got := serializeXPrv(m); got != v.XPrv {
					t.Errorf("xprv = %s, want %s", got, v.XPrv)
				}
			}
		})
	}
}

// serializeXPrv writes a depth-0 extended private key in BIP-32's base58check
// form (the only depth the published vector has; deeper keys would need the
// parent's fingerprint).
func serializeXPrv(k hdKey) string {
	b := []byte{0x04, 0x88, 0xad, 0xe4, k.depth, 0, 0, 0, 0}
	b = binary.BigEndian.AppendUint32(b, k.index)
	b = append(b, k.chain[:]...)
	b = append(b, 0)
	b = append(b, k.key[:]...)
	h1 := sha256.Sum256(b)
	h2 := sha256.Sum256(h1[:])
	b = append(b, h2[:4]...)
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, big.NewInt(58), mod)
		out = append(out, alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func TestTONSafeVectors(t *testing.T) {
	for _, v := range loadKeyVectors(t).TONSafe {
		p, err := ParsePublicKey(v.Public)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.TONSafe(); got != v.TONSafe {
			t.Errorf("TONSafe(%s) = %s, want %s", v.Public, got, v.TONSafe)
		}
	}
}

func TestPhraseEntropyEncoding(t *testing.T) {
	tests := []struct {
		entropy string
		phrase  string
	}{
		// BIP-39's reference vectors (bitcoin/bips bip-0039), which follow
		// directly from the wordlist and the checksum rule.
		{"00000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"},
		{"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"},
		{"0000000000000000000000000000000000000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"},
	}
	for _, tt := range tests {
		e, _ := hex.DecodeString(tt.entropy)
		if got := phraseFromEntropy(e); got != tt.phrase {
			t.Errorf("phraseFromEntropy(%s) = %q, want %q", tt.entropy, got, tt.phrase)
		}
		back, err := phraseEntropy(strings.Fields(tt.phrase))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, e) {
			t.Errorf("entropy of %q = %x, want %s", tt.phrase, back, tt.entropy)
		}
	}
}

func TestNewPhrase(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1})
	for _, n := range []int{12, 15, 18, 21, 24} {
		for i := 0; i < 20; i++ {
			p, err := NewPhrase(r, n)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(strings.Fields(p)); got != n {
				t.Fatalf("NewPhrase(%d) gave %d words", n, got)
			}
			if err := ValidatePhrase(p); err != nil {
				t.Fatalf("new phrase does not validate: %v", err)
			}
		}
	}
	for _, n := range []int{0, 11, 13, 25} {
		if _, err := NewPhrase(r, n); err == nil {
			t.Errorf("NewPhrase(%d) succeeded", n)
		}
	}
	// A default phrase from crypto/rand, and its key.
	phrase, k, err := GeneratePhraseKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := KeyFromPhrase(phrase)
	if err != nil || !k2.Equal(k) || len(strings.Fields(phrase)) != 12 {
		t.Fatalf("GeneratePhraseKey is not reproducible from its phrase (err %v)", err)
	}
}

func TestValidatePhraseErrors(t *testing.T) {
	good := "abandon math mimic master filter design carbon crystal rookie group knife young"
	words := strings.Fields(good)
	swapped := append([]string{}, words...)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	tests := []struct {
		name, phrase, want string
	}{
		{"eleven words", strings.Join(words[:11], " "), "has 11 words"},
		{"thirteen words", good + " zoo", "has 13 words"},
		{"unknown word", strings.Replace(good, "mimic", "mimik", 1), "word 3 is not in the English BIP-39 wordlist"},
		{"checksum", strings.Join(swapped, " "), "checksum does not match"},
		{"last word changed", strings.Replace(good, "young", "zoo", 1), "checksum does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePhrase(tt.phrase)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want ErrInvalidKey containing %q", err, tt.want)
			}
			for _, w := range strings.Fields(tt.phrase) {
				if len(w) > 3 && strings.Contains(err.Error(), w) {
					t.Errorf("error %q echoes the word %q", err, w)
				}
			}
			if _, err := ParseKey(tt.phrase); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("ParseKey: %v, want ErrInvalidKey", err)
			}
		})
	}
	if err := ValidatePhrase(good); err != nil {
		t.Errorf("valid phrase rejected: %v", err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	seed := "8fb4f2d256e57138fb310b0a6dac5bbc4bee09eb4821223a720e5b8e1f3dd674"
	pub := "aa5533618573860a7e1bf19f34bd292871710ed5b2eafa0dcdbb33405f2231c6"
	other := strings.Repeat("11", 32)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"blank", " \n", "empty"},
		{"63 hex", seed[:63], "63 hex characters"},
		{"66 hex", seed + "00", "66 hex characters"},
		{"127 hex", (seed + pub)[:127], "127 hex characters"},
		{"not hex", "g" + seed[1:], "expected 64 hex characters"},
		{"nacl public mismatch", seed + other, "public half"},
		{"key file public mismatch", fmt.Sprintf(`{"public":%q,"secret":%q}`, other, seed), "does not belong"},
		{"key file nacl mismatch", fmt.Sprintf(`{"public":%q,"secret":%q}`, pub, seed+other), "public half"},
		{"key file no secret", fmt.Sprintf(`{"public":%q}`, pub), `no "secret"`},
		{"key file no public", fmt.Sprintf(`{"secret":%q}`, seed), `no "public"`},
		{"key file short secret", fmt.Sprintf(`{"public":%q,"secret":%q}`, pub, seed[:60]), "not 64 or 128 hex"},
		{"key file bad public", fmt.Sprintf(`{"public":"xyz","secret":%q}`, seed), "public key must be 64 hex"},
		{"key file broken JSON", `{"public":"` + pub + `","secret":"` + seed, "not a JSON object"},
		{"key file secret not string", `{"public":"` + pub + `","secret":12345}`, "not a JSON object"},
		{"key file with trailing garbage", fmt.Sprintf(`{"public":%q,"secret":%q} garbage`, pub, seed), "more after its JSON object"},
		{"two key files pasted together", fmt.Sprintf(`{"public":%q,"secret":%q}{"public":%q,"secret":%q}`, pub, seed, pub, seed), "more after its JSON object"},
		{"phrase too short", "abandon abandon", "has 2 words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKey(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("error %q does not wrap ErrInvalidKey", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), seed[:16]) {
				t.Errorf("error %q reveals the secret", err)
			}
		})
	}
}

func FuzzParseKey(f *testing.F) {
	f.Add("8fb4f2d256e57138fb310b0a6dac5bbc4bee09eb4821223a720e5b8e1f3dd674")
	f.Add(`{"public":"aa","secret":"bb"}`)
	f.Add("abandon math mimic master filter design carbon crystal rookie group knife young")
	f.Add("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo")
	f.Fuzz(func(t *testing.T, in string) {
		k, err := ParseKey(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("error %q does not wrap ErrInvalidKey", err)
			}
			// Errors may name counts and positions, never a run of the input.
			for _, w := range strings.Fields(in) {
				if len(w) >= 12 && strings.Contains(err.Error(), w) {
					t.Fatalf("error %q echoes input", err)
				}
			}
			return
		}
		if !k.Valid() {
			t.Fatal("ParseKey returned an empty key without error")
		}
	})
}

func TestKeyNeverPrintsSecret(t *testing.T) {
	k, err := ParseKey("8fb4f2d256e57138fb310b0a6dac5bbc4bee09eb4821223a720e5b8e1f3dd674")
	if err != nil {
		t.Fatal(err)
	}
	secret := k.SecretHex()
	seedBytes := k.priv[:32]
	type holder struct {
		Name string
		K    Key
		P    *Key
	}
	h := holder{"x", k, &k}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, &k), fmt.Sprintf(verb, h), fmt.Sprintf(verb, []Key{k}))
	}
	outs = append(outs, fmt.Sprint(k), fmt.Sprintln(&k), k.GoString())
	for _, v := range []any{k, &k, h, map[string]Key{"k": k}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(b))
	}
	if b, err := k.MarshalText(); err != nil {
		t.Fatal(err)
	} else {
		outs = append(outs, string(b))
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("key", "k", k, "p", &k)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("key", "k", k)
	outs = append(outs, logBuf.String())
	for _, o := range outs {
		lo := strings.ToLower(o)
		if strings.Contains(lo, secret[:16]) || strings.Contains(o, string(seedBytes)) || strings.Contains(lo, fmt.Sprint(seedBytes[:4])[1:8]) {
			t.Errorf("output reveals the secret: %s", o)
		}
		if !strings.Contains(lo, k.Public().String()) {
			t.Errorf("output %q does not show the public key", o)
		}
	}
	var zero Key
	if s := fmt.Sprint(zero); s != "Key(none)" {
		t.Errorf("zero key prints %q", s)
	}
	if _, err := zero.Sign([]byte("x")); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("zero key Sign: %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("payload")
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(k.Public().Ed25519(), msg, sig) || !k.Public().Verify(msg, sig) {
		t.Fatal("signature does not verify")
	}
	if k.Public().Verify([]byte("other"), sig) || k.Public().Verify(msg, sig[:10]) {
		t.Fatal("signature verifies what it should not")
	}
	if !bytes.Equal(ed25519.Sign(k.Ed25519(), msg), sig) {
		t.Fatal("Ed25519() gives another key")
	}
}

func TestPublicKeyForms(t *testing.T) {
	const h = "aa5533618573860a7e1bf19f34bd292871710ed5b2eafa0dcdbb33405f2231c6"
	p, err := ParsePublicKey("0x" + strings.ToUpper(h))
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != h {
		t.Fatalf("String = %s", p)
	}
	if got := hex.EncodeToString(p.PKIX()); got != "302a300506032b6570032100"+h {
		t.Fatalf("PKIX = %s", got)
	}
	pemText := p.PEM()
	if !bytes.HasPrefix(pemText, []byte("-----BEGIN PUBLIC KEY-----\n")) {
		t.Fatalf("PEM = %s", pemText)
	}
	// The standard library reads it as an Ed25519 key, as cosign does.
	block, err := ParsePublicKeyPEM(pemText)
	if err != nil || block != p {
		t.Fatalf("ParsePublicKeyPEM: %v, %v", block, err)
	}
	der := p.PKIX()
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if ek, ok := parsed.(ed25519.PublicKey); !ok || !bytes.Equal(ek, p[:]) {
		t.Fatalf("x509 parsed %T %x", parsed, parsed)
	}
	if p2, err := ParsePublicKey(string(pemText)); err != nil || p2 != p {
		t.Fatalf("ParsePublicKey(PEM) = %v, %v", p2, err)
	}
	if b, err := json.Marshal(struct{ P PublicKey }{p}); err != nil || string(b) != `{"P":"`+h+`"}` {
		t.Fatalf("JSON of a public key: %s, %v", b, err)
	}
	var fromJSON struct{ P PublicKey }
	if err := json.Unmarshal([]byte(`{"P":"`+h+`"}`), &fromJSON); err != nil || fromJSON.P != p {
		t.Fatalf("JSON round trip: %v %v", fromJSON.P, err)
	}

	bad := []struct{ in, want string }{
		{"", "got nothing"},
		{h[:62], "62 hex characters"},
		{h + h, "128 hex characters"},
		{"zz" + h[2:], "not all hex"},
		{"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not an Ed25519 key"},
		{"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", `expected "PUBLIC KEY"`},
		{"-----BEGIN garbage", "no PEM block"},
	}
	for _, b := range bad {
		_, err := ParsePublicKey(b.in)
		if err == nil || !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParsePublicKey(%.20q) error %v, want %q", b.in, err, b.want)
		}
	}
}

func TestDerivationPaths(t *testing.T) {
	good := map[string][]uint32{
		"m":                 nil,
		"m/0":               {0},
		"m/44'/396'/0'/0/0": {hardenedOffset + 44, hardenedOffset + 396, hardenedOffset, 0, 0},
		"m/1h/2H":           {hardenedOffset + 1, hardenedOffset + 2},
		"m/2147483647'":     {hardenedOffset + 2147483647},
	}
	for p, want := range good {
		got, err := parsePath(p)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parsePath(%q) = %v, %v; want %v", p, got, err, want)
		}
	}
	for _, p := range []string{"", "44'/0", "m/", "m/x", "m/-1", "m/2147483648", "m/1''", "n/1"} {
		if _, err := parsePath(p); err == nil {
			t.Errorf("parsePath(%q) succeeded", p)
		}
	}
	if _, err := KeyFromPhrasePath("abandon math mimic master filter design carbon crystal rookie group knife young", "m/x"); err == nil {
		t.Error("bad path accepted")
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "signer.keys.json")
	if err := WriteKeyFile(path, k, false); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	want := fmt.Sprintf("{\n  \"public\": \"%s\",\n  \"secret\": \"%s\"\n}\n", k.Public(), k.SecretHex())
	if string(data) != want {
		t.Errorf("key file\n%s\nwant\n%s", data, want)
	}
	back, err := ReadKeyFile(path)
	if err != nil || !back.Equal(k) {
		t.Fatalf("ReadKeyFile: %v, %v", back, err)
	}

	other, _ := GenerateKey(nil)
	err = WriteKeyFile(path, other, false)
	if !errors.Is(err, ErrKeyFileExists) {
		t.Fatalf("second write: %v, want ErrKeyFileExists", err)
	}
	if back, _ := ReadKeyFile(path); !back.Equal(k) {
		t.Fatal("refused write changed the file")
	}
	if err := WriteKeyFile(path, other, true); err != nil {
		t.Fatal(err)
	}
	if back, _ := ReadKeyFile(path); !back.Equal(other) {
		t.Fatal("forced write did not replace the key")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}

	// Other forms in a file: a phrase and a hex secret.
	phrasePath := filepath.Join(dir, "phrase.txt")
	os.WriteFile(phrasePath, []byte("abandon math mimic master filter design carbon crystal rookie group knife young\n"), 0o600)
	if pk, err := ReadKeyFile(phrasePath); err != nil || pk.Public().String() != "61c3c5b97a33c9c0a03af112fbb27e3f44d99e1f804853f9842bb7a6e5de3ff9" {
		t.Errorf("phrase file: %v %v", pk, err)
	}
	if _, err := ReadKeyFile(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, bytes.Repeat([]byte("a"), maxKeyFileSize+10), 0o600)
	if _, err := ReadKeyFile(big); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("big file: %v", err)
	}
	if err := WriteKeyFile(filepath.Join(dir, "none"), Key{}, false); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("writing zero key: %v", err)
	}
	if err := WriteKeyFile(filepath.Join(dir, "no-such-dir", "k.json"), k, false); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

func BenchmarkKeyFromPhrase(b *testing.B) {
	for b.Loop() {
		if _, err := KeyFromPhrase("abandon math mimic master filter design carbon crystal rookie group knife young"); err != nil {
			b.Fatal(err)
		}
	}
}
