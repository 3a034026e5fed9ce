package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gosh-sh/sign-cli/keys"
)

func TestKeygenWritesKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.json")
	r := runCLI(t, nil, "", "keygen", "--out", path)
	if r.code != 0 {
		t.Fatalf("keygen: %+v", r)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	key, err := keys.ReadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != "public: "+key.Public().String()+"\n" {
		t.Fatalf("stdout %q does not show the file's public key", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, key.SecretHex()) {
		t.Fatal("secret printed without --show-secret")
	}
	// A second run refuses to replace the key; --force does.
	before, _ := os.ReadFile(path)
	runCLI(t, nil, "", "keygen", "--out", path).wantError(t, exitUsage, "already exists", "--force")
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("existing key file changed")
	}
	if r := runCLI(t, nil, "", "keygen", "--out", path, "--force"); r.code != 0 {
		t.Fatalf("--force: %+v", r)
	}
	if after, _ := os.ReadFile(path); string(after) == string(before) {
		t.Fatal("--force kept the old key")
	}
}

func TestKeygenShowSecretAndPhrase(t *testing.T) {
	r := runCLI(t, nil, "", "keygen", "--show-secret", "-o", "json")
	var res keygenResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
		t.Fatalf("json: %v %+v", err, r)
	}
	key, err := keys.ParseKey(res.Secret)
	if err != nil || key.Public().String() != res.Public {
		t.Fatalf("secret does not belong to the public key: %v", err)
	}
	r = runCLI(t, nil, "", "keygen", "--phrase", "--show-secret", "-o", "json")
	res = keygenResult{}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(res.Phrase)); n != 12 {
		t.Fatalf("phrase of %d words", n)
	}
	key, err = keys.KeyFromPhrase(res.Phrase)
	if err != nil || key.Public().String() != res.Public {
		t.Fatalf("phrase does not derive the public key: %v", err)
	}
}

func TestKeygenPEM(t *testing.T) {
	r := runCLI(t, nil, "", "keygen", "--show-secret", "--pem")
	if !strings.HasPrefix(r.stdout, "-----BEGIN PUBLIC KEY-----\n") {
		t.Fatalf("--pem output %q", r.stdout)
	}
	pub, err := keys.ParsePublicKeyPEM([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimPrefix(r.stdout[strings.Index(r.stdout, "secret: "):], "secret: ")
	key, err := keys.ParseKey(strings.TrimSpace(secret))
	if err != nil || key.Public() != pub {
		t.Fatalf("PEM key is not the secret's public key: %v", err)
	}
}

func TestKeygenRefusesToLoseTheSecret(t *testing.T) {
	runCLI(t, nil, "", "keygen").wantError(t, exitUsage, "--out FILE or --show-secret")
	runCLI(t, nil, "", "keygen", "--phrase").wantError(t, exitUsage, "--out FILE or --show-secret")
	runCLI(t, nil, "", "keygen", "--force", "--show-secret").wantError(t, exitUsage, "--force")
	runCLI(t, nil, "", "keygen", "--out", filepath.Join(t.TempDir(), "missing", "dir", "k.json")).wantError(t, exitUsage, "writing key file")
}

func TestPubkey(t *testing.T) {
	key, _ := keys.GenerateKey(nil)
	path := filepath.Join(t.TempDir(), "k.json")
	keys.WriteKeyFile(path, key, false)
	r := runCLI(t, nil, "", "pubkey", "--secret-file", path)
	if r.code != 0 || r.stdout != key.Public().String()+"\n" {
		t.Fatalf("pubkey of a key file: %+v", r)
	}
	r = runCLI(t, map[string]string{"WALLET_SECRET": key.SecretHex()}, "", "pubkey", "--pem")
	if pub, err := keys.ParsePublicKeyPEM([]byte(r.stdout)); err != nil || pub != key.Public() {
		t.Fatalf("pubkey --pem of $WALLET_SECRET: %+v %v", r, err)
	}
	r = runCLI(t, nil, "", "pubkey", "--pem", key.Public().String())
	pemPath := filepath.Join(t.TempDir(), "k.pub")
	os.WriteFile(pemPath, []byte(r.stdout), 0o644)
	if r := runCLI(t, nil, "", "pubkey", pemPath); r.stdout != key.Public().String()+"\n" {
		t.Fatalf("PEM file back to hex: %+v", r)
	}
	if strings.Contains(r.stdout+r.stderr, key.SecretHex()) {
		t.Fatal("secret printed")
	}
	runCLI(t, nil, "", "pubkey").wantError(t, exitUsage, "pubkey needs a key", "PUBLIC", "--secret-file")
	if r := runCLI(t, nil, "", "pubkey"); strings.Contains(r.stderr, "SIGNER_SECRET") {
		t.Fatalf("pubkey suggests a SIGNER_SECRET argument it does not take: %q", r.stderr)
	}
	runCLI(t, nil, "", "pubkey", "xyz").wantError(t, exitUsage, "public key")
}

// TestKeygenForceReplacesOnlyRegularFiles: --force replaces a key file, and
// never a device, a directory, a FIFO or a link.
func TestKeygenForceReplacesOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/null", fifo, dir, link} {
		before, _ := os.Lstat(path)
		runCLI(t, nil, "", "keygen", "--force", "--out", path).wantError(t, exitUsage, path, "not a regular file")
		if after, err := os.Lstat(path); err != nil || after.Mode() != before.Mode() {
			t.Fatalf("%s changed from %v to %v (%v)", path, before.Mode(), after.Mode(), err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "kept" {
		t.Fatalf("the link's target holds %q", b)
	}
	existing := filepath.Join(dir, "k.json")
	if err := os.WriteFile(existing, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, nil, "", "keygen", "--force", "--out", existing); r.code != 0 {
		t.Fatalf("--force over a key file: %+v", r)
	}
}

// TestKeygenFromPhrase: an existing seed phrase becomes a key file, whose
// key is the one every other command derives from the phrase.
func TestKeygenFromPhrase(t *testing.T) {
	dir := t.TempDir()
	phrase, want, err := keys.GeneratePhraseKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	phrasePath := filepath.Join(dir, "phrase.txt")
	if err := os.WriteFile(phrasePath, []byte(phrase+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "k.json")
	r := runCLI(t, nil, "", "keygen", "--phrase-file", phrasePath, "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, want.Public().String()) {
		t.Fatalf("keygen --phrase-file: %+v", r)
	}
	got, err := keys.ReadKeyFile(out)
	if err != nil || got.SecretHex() != want.SecretHex() {
		t.Fatalf("key file holds another key (%v)", err)
	}
	if strings.Contains(r.stdout+r.stderr, strings.Fields(phrase)[0]+" "+strings.Fields(phrase)[1]) {
		t.Fatalf("the phrase was printed: %+v", r)
	}
	// From standard input too; a phrase that is not one, or both --phrase
	// forms, are refused.
	if r := runCLI(t, nil, phrase, "keygen", "--phrase-file", "-", "--out", filepath.Join(dir, "k2.json")); r.code != 0 {
		t.Fatalf("keygen --phrase-file -: %+v", r)
	}
	runCLI(t, nil, "", "keygen", "--phrase", "--phrase-file", phrasePath, "--out", filepath.Join(dir, "k3.json")).wantError(t, exitUsage, "--phrase-file")
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte(strings.Repeat("abandon ", 12)), 0o600)
	runCLI(t, nil, "", "keygen", "--phrase-file", bad, "--out", filepath.Join(dir, "k4.json")).wantError(t, exitUsage, "--phrase-file")
	if _, err := os.Stat(filepath.Join(dir, "k4.json")); err == nil {
		t.Fatal("a key file was written from a bad phrase")
	}
}
