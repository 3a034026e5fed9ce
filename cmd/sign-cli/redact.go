package main

import (
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/keys"
)

// secretFlags are the flags whose value is a secret, whatever it looks like.
var secretFlags = map[string]bool{"-s": true, "--wallet-secret": true, "--network-secret": true}

// secretEnv are the variables whose value is a secret.
var secretEnv = []string{"WALLET_SECRET", "SIGNER_SECRET", "SIGN_CLI_NETWORK_SECRET"}

// looksLikeKeyMaterial tells a value that is probably a secret key or a seed
// phrase, so that it is never sent anywhere or printed whole, wherever it
// was given. A public key has the same form as a secret seed; callers that
// expect one check for it first.
func looksLikeKeyMaterial(s string) bool {
	s = strings.TrimSpace(s)
	return looksLikeSecret(s) || looksLikePhrase(s)
}

// looksLikePhrase tells twelve or more words shaped like a seed phrase's
// (BIP-39 and the legacy TON list: three to eight lower-case letters).
func looksLikePhrase(s string) bool {
	words := strings.Fields(s)
	if len(words) < 12 {
		return false
	}
	for _, w := range words {
		if len(w) < 3 || len(w) > 8 || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	return true
}

// secrets are the values a run must never print: the secret variables, the
// values of secret flags, and arguments shaped like key material. Output to
// standard error, and error texts on standard output, pass through replace.
type secrets struct {
	mu   sync.Mutex
	vals []string
	re   *regexp.Regexp
}

// add records a secret in the forms it may come back in (trimmed; hex in
// either case).
func (s *secrets) add(v string) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "0x"))
	if len(v) < 8 {
		return // too short to be a key; replacing it would garble output
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vals = append(s.vals, v)
	parts := make([]string, len(s.vals))
	for i, x := range s.vals {
		parts[i] = regexp.QuoteMeta(x)
	}
	// Longest first, so that a secret containing another is replaced whole.
	slices.SortFunc(parts, func(a, b string) int { return len(b) - len(a) })
	s.re = regexp.MustCompile(`(?i)` + strings.Join(parts, "|"))
}

// fromArgs records the secrets among a command line's arguments.
func (s *secrets) fromArgs(args []string) {
	for i, a := range args {
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case secretFlags[a] && i+1 < len(args):
			s.add(args[i+1])
		case hasValue && secretFlags[name]:
			s.add(value)
		case looksLikeKeyMaterial(a):
			s.add(a)
		case hasValue && looksLikeKeyMaterial(value):
			s.add(value)
		}
	}
}

// replace shows each secret in text only abbreviated.
func (s *secrets) replace(text string) string {
	s.mu.Lock()
	re := s.re
	s.mu.Unlock()
	if re == nil {
		return text
	}
	return re.ReplaceAllStringFunc(text, func(m string) string {
		if strings.Contains(m, " ") {
			return "<seed phrase>"
		}
		return abbreviate(m)
	})
}

// redactingWriter passes what is written through secrets.replace. Writes are
// whole lines in sign-cli, so a secret is never split across two.
type redactingWriter struct {
	w io.Writer
	s *secrets
}

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.s.replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// secretSource names the secret variable whose key s is (the secret half,
// in hex), or "" when s is none of them: a secret given where a public key
// is expected would otherwise be printed as "verified by <secret>".
func secretSource(app *App, s string) string {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if s == "" {
		return ""
	}
	for _, name := range secretEnv {
		v := app.Getenv(name)
		if v == "" {
			continue
		}
		if strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(v), "0x"), s) {
			return name
		}
		if key, err := keys.ParseKey(v); err == nil && key.SecretHex() == s {
			return name
		}
	}
	return ""
}
