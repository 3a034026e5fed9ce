package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
	runCLI(t, nil, "", "pubkey").wantError(t, exitUsage, "no signer key")
	runCLI(t, nil, "", "pubkey", "xyz").wantError(t, exitUsage, "public key")
}
