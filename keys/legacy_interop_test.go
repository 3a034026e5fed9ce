package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tonCryptoScript answers, for the phrases on its standard input (a JSON
// {"phrases": [...], "new": N}), with @ton/crypto's verdict and public key
// for each of them and for N phrases of its own mnemonicNew.
const tonCryptoScript = `
const c = require('@ton/crypto');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const req = JSON.parse(input);
  const phrases = req.phrases.map((p) => p.split(' '));
  for (let i = 0; i < req.new; i++) phrases.push(await c.mnemonicNew(24));
  const out = [];
  for (const words of phrases) {
    const key = await c.mnemonicToPrivateKey(words);
    out.push({ phrase: words.join(' '), valid: await c.mnemonicValidate(words), public: key.publicKey.toString('hex') });
  }
  process.stdout.write(JSON.stringify(out));
});
`

// tonCryptoModules is the node_modules directory holding @ton/crypto: one
// of $NODE_PATH's, or node_modules in the working directory or above it.
func tonCryptoModules() (string, bool) {
	has := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "@ton", "crypto", "package.json"))
		return err == nil
	}
	for _, d := range filepath.SplitList(os.Getenv("NODE_PATH")) {
		if d != "" && has(d) {
			return d, true
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		if has(filepath.Join(d, "node_modules")) {
			return filepath.Join(d, "node_modules"), true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// TestLegacyAgainstTONCrypto compares legacy derivation and TON's validity
// check with @ton/crypto, TON's reference implementation in JavaScript, on
// random phrases: random words (almost all invalid for TON), BIP-39 phrases
// (as nekoton makes legacy ones), phrases drawn here until TON's check
// passes, and phrases of @ton/crypto's own mnemonicNew. Every phrase costs
// a 100000-round PBKDF2 on each side: 24 phrases take about six seconds of
// CPU in all, so the counts stay small.
func TestLegacyAgainstTONCrypto(t *testing.T) {
	node, err := exec.LookPath("node")
	modules, found := tonCryptoModules()
	switch {
	case (err != nil || !found) && os.Getenv("CI") != "":
		t.Fatal("CI is set but node or node_modules/@ton/crypto is missing")
	case err != nil:
		t.Skip("node (Node.js) is not on PATH; install Node.js >= 18 and run `make node-deps` to enable this test")
	case !found:
		t.Skip("node_modules/@ton/crypto is not installed; run `make node-deps` to enable this test")
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	randomWords := func() []string {
		w := make([]string, LegacyPhraseWords)
		for i := range w {
			w[i] = bip39Word(r.IntN(2048))
		}
		return w
	}
	var phrases []string
	for range 6 {
		phrases = append(phrases, strings.Join(randomWords(), " "))
	}
	for range 6 {
		entropy := make([]byte, 32)
		for i := range entropy {
			entropy[i] = byte(r.Uint32())
		}
		phrases = append(phrases, phraseFromEntropy(entropy))
	}
	for len(phrases) < 18 {
		w := randomWords()
		if ok, err := isLegacyBasicSeed(legacyEntropy(w)); err != nil {
			t.Fatal(err)
		} else if ok {
			phrases = append(phrases, strings.Join(w, " "))
		}
	}
	const fromTONCrypto = 6

	req, err := json.Marshal(map[string]any{"phrases": phrases, "new": fromTONCrypto})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", tonCryptoScript)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node with @ton/crypto from %s: %v\n%s", modules, err, stderr.Bytes())
	}
	var results []struct {
		Phrase string `json:"phrase"`
		Valid  bool   `json:"valid"`
		Public string `json:"public"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("@ton/crypto's answer: %v", err)
	}
	if len(results) != len(phrases)+fromTONCrypto {
		t.Fatalf("@ton/crypto answered for %d phrases, asked for %d", len(results), len(phrases)+fromTONCrypto)
	}
	valid := 0
	for i, res := range results {
		if i < len(phrases) && res.Phrase != phrases[i] {
			t.Fatalf("answer %d is for another phrase", i)
		}
		k, err := KeyFromPhraseType(res.Phrase, PhraseLegacy)
		if err != nil {
			t.Fatalf("phrase %d: %v", i, err)
		}
		if got := k.Public().String(); got != res.Public {
			t.Errorf("phrase %d (%s): public %s, @ton/crypto %s", i, res.Phrase, got, res.Public)
		}
		typ, err := DetectPhraseType(res.Phrase)
		goValid := typ == PhraseLegacy || errors.Is(err, ErrAmbiguousPhrase)
		if goValid != res.Valid {
			t.Errorf("phrase %d (%s): TON check %v (%v, %v), @ton/crypto's mnemonicValidate %v", i, res.Phrase, goValid, typ, err, res.Valid)
		}
		if res.Valid {
			valid++
		}
	}
	// Twelve phrases were drawn to be valid; the rest pass by chance, 1 in 256.
	if valid < 12 {
		t.Errorf("only %d phrases valid for @ton/crypto, at least 12 expected", valid)
	}
}
