package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/keys"
)

// TestBadInput runs sign-cli on inputs a user gets wrong and checks each
// gives exit code 2 and one line saying what was wrong. None of them needs
// a network: they are refused before anything is sent (the network given is
// a closed port, so a case that did reach it would fail with exit code 3).
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	key, _ := keys.GenerateKey(nil)
	keyFile := filepath.Join(dir, "key.json")
	if err := keys.WriteKeyFile(keyFile, key, false); err != nil {
		t.Fatal(err)
	}
	other, _ := keys.GenerateKey(nil)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mismatched := write("mismatch.json", `{"public":"`+other.Public().String()+`","secret":"`+key.SecretHex()+`"}`)
	garbage := write("garbage.txt", "this is not a key\n")
	badChecksum := write("checksum.txt", strings.Repeat("abandon ", 11)+"abandon\n")
	unknownWord := write("unknown.txt", strings.Repeat("abandon ", 11)+"xylophonez\n")
	existing := write("existing.json", "{}")
	notJSON := write("notjson.json", "deploy me")
	wrongFormat := write("format.json", `{"format":"something/else"}`)

	digest := "sha256:" + strings.Repeat("ab", 32)
	ref := "127.0.0.1:1/team/app:1"
	pub := key.Public().String()
	naclBad := key.SecretHex() + other.Public().String()
	down := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql"}
	withWallet := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql", "WALLET": "0:" + strings.Repeat("1", 64), "WALLET_SECRET": key.SecretHex()}

	// Valid offline message files, then broken copies of them.
	msgFile := filepath.Join(dir, "deploy.json")
	if r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyFile, "--message-out", msgFile, digest); r.code != 0 {
		t.Fatalf("making a message file: %+v", r)
	}
	msg, _ := os.ReadFile(msgFile)
	tampered := write("tampered.json", strings.Replace(string(msg), `"hash": "`, `"hash": "00`, 1))
	otherProof, _ := contract.NewProof(other.Public().Ed25519(), digest)
	wrongAddr := write("wrongaddr.json", strings.Replace(string(msg), `"public": "`+pub, `"public": "`+other.Public().String(), 1))
	_ = otherProof
	// The expiry a file states is not signed; the one in the message is.
	laterExpiry := write("later.json", regexp.MustCompile(`"expire_at": "[^"]*"`).ReplaceAllString(string(msg), `"expire_at": "2099-01-01T00:00:00Z"`))

	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		frags []string
	}{
		// sign: keys
		{"sign without targets", down, "", []string{"sign"}, []string{"at least one TARGET"}},
		{"sign with only a secret", down, "", []string{"sign", key.SecretHex()}, []string{"looks like a secret key"}},
		{"sign with an inconsistent NaCl secret", down, "", []string{"sign", naclBad, digest}, []string{"invalid key", "public half"}},
		{"sign with a missing key file", down, "", []string{"sign", "--secret-file", filepath.Join(dir, "none.json"), digest}, []string{"--secret-file", "no such file"}},
		{"sign with a garbage key file", down, "", []string{"sign", "--secret-file", garbage, digest}, []string{"--secret-file", "invalid key"}},
		{"sign with a mismatched key file", down, "", []string{"sign", "--secret-file", mismatched, digest}, []string{"invalid key"}},
		{"sign with a bad phrase checksum", down, "", []string{"sign", "--phrase-file", badChecksum, digest}, []string{"--phrase-file", "checksum"}},
		{"sign with an unknown phrase word", down, "", []string{"sign", "--phrase-file", unknownWord, digest}, []string{"--phrase-file", "word 12"}},
		{"sign with two key sources", down, "", []string{"sign", "--secret-file", keyFile, "--phrase-file", badChecksum, digest}, []string{"once"}},
		{"sign with no key at all", down, "", []string{"sign", digest}, []string{"no signer key"}},
		{"sign with a key on stdin that is empty", down, "", []string{"sign", "--secret-file", "-", digest}, []string{"--secret-file", "invalid key"}},
		// sign: targets
		{"sign a malformed reference", down, "", []string{"sign", "--secret-file", keyFile, "foo@@"}, []string{"invalid target", "foo@@"}},
		{"sign a short digest", down, "", []string{"sign", "--secret-file", keyFile, "sha256:" + strings.Repeat("a", 63)}, []string{"invalid target"}},
		{"sign a non-hex digest", down, "", []string{"sign", "--secret-file", keyFile, "sha256:" + strings.Repeat("z", 64)}, []string{"invalid target"}},
		{"sign a digest without its prefix", down, "", []string{"sign", "--secret-file", keyFile, digest, strings.Repeat("ab", 20)}, []string{"without its prefix"}},
		{"sign a mistyped secret", down, "", []string{"sign", "--secret-file", keyFile, "1234"}, []string{"\"1234\" is only hex digits", "docker.io/library/NAME"}},
		{"sign what the reference grammar refuses", down, "", []string{"sign", "--secret-file", keyFile, "not//a/ref"}, []string{"not an image reference", "path component"}},
		{"sign a sha512 digest reference", down, "", []string{"sign", "--secret-file", keyFile, "reg.example/app@sha512:" + strings.Repeat("ab", 64)}, []string{"sha256"}},
		{"sign an upper-case repository", down, "", []string{"sign", "--secret-file", keyFile, "Registry.example/Team/App:1"}, []string{"invalid target"}},
		// sign: network and wallet
		{"sign with no network", nil, "", []string{"sign", "--secret-file", keyFile, digest}, []string{"no network", "SIGN_CLI_NETWORK"}},
		{"sign with an ftp endpoint", nil, "", []string{"sign", "-n", "ftp://example.com", "--secret-file", keyFile, digest}, []string{"network", "ftp"}},
		{"sign with plain http off loopback", nil, "", []string{"sign", "-n", "http://example.com/graphql", "--secret-file", keyFile, digest}, []string{"plain http"}},
		{"sign with credentials in the endpoint", nil, "", []string{"sign", "-n", "https://user:pw@example.com", "--secret-file", keyFile, digest}, []string{"credentials"}},
		{"sign with an empty endpoint list", nil, "", []string{"sign", "-n", ",,", "--secret-file", keyFile, digest}, []string{"no endpoint"}},
		{"sign with a malformed wallet", down, "", []string{"sign", "-g", "0:zz", "--secret-file", keyFile, digest}, []string{"wallet address", "0:zz"}},
		{"sign with a short wallet", down, "", []string{"sign", "-g", "0:" + strings.Repeat("1", 63), "--secret-file", keyFile, digest}, []string{"wallet address", "63 hex digits"}},
		{"sign with a wallet but no wallet key", down, "", []string{"sign", "-g", "0:" + strings.Repeat("1", 64), "--secret-file", keyFile, digest}, []string{"needs its key"}},
		{"sign with an unknown wallet type", withWallet, "", []string{"sign", "--wallet-type", "paper", digest}, []string{"--wallet-type", "SafeMultisig"}},
		{"sign with a negative top-up", withWallet, "", []string{"sign", "--topup", "-1", digest}, []string{"--topup", "decimal amount"}},
		{"sign with a top-up below a nanotoken", withWallet, "", []string{"sign", "--topup", "0.0000000001", digest}, []string{"--topup", "9 decimals"}},
		{"sign with a zero top-up", withWallet, "", []string{"sign", "--topup", "0", digest}, []string{"--topup 0", "at least 0.02"}},
		{"sign with a nanotoken top-up", withWallet, "", []string{"sign", "--topup", "0.000000001", digest}, []string{"at least 0.02", "deployment"}},
		{"sign with a hex top-up", withWallet, "", []string{"sign", "--topup", "0x10", digest}, []string{"--topup", "decimal amount"}},
		{"sign with a fraction top-up", withWallet, "", []string{"sign", "--topup", "1/2", digest}, []string{"--topup", "decimal amount"}},
		{"sign with a separated top-up", withWallet, "", []string{"sign", "--topup", "1_000", digest}, []string{"--topup", "decimal amount"}},
		{"sign with an exponent top-up", withWallet, "", []string{"sign", "--topup", "1e3", digest}, []string{"--topup", "decimal amount"}},
		{"sign with a bare point top-up", withWallet, "", []string{"sign", "--topup", ".", digest}, []string{"--topup", "decimal amount"}},
		{"send with a zero top-up", withWallet, "", []string{"send", "--topup", "0", tampered}, []string{"--topup 0", "at least"}},
		{"sign with a zero timeout", withWallet, "", []string{"sign", "--timeout", "0s", digest}, []string{"--timeout 0s", "positive"}},
		{"sign with a negative timeout", withWallet, "", []string{"sign", "--timeout", "-5m", digest}, []string{"--timeout -5m0s", "positive"}},
		{"check with a zero timeout", down, "", []string{"check", "--timeout", "0s", pub, digest}, []string{"--timeout 0s", "positive"}},
		{"send with a zero timeout", withWallet, "", []string{"send", "--timeout", "0s", tampered}, []string{"--timeout 0s", "positive"}},
		{"sign with a lifetime past the timeout", withWallet, "", []string{"sign", "--message-lifetime", "2h", digest}, []string{"--message-lifetime 2h0m0s", "shorter than --timeout"}},
		{"sign with a lifetime past 2106", withWallet, "", []string{"sign", "--timeout", "2000000h", "--message-lifetime", "1000000h", digest}, []string{"--message-lifetime", "2106"}},
		{"offline with an expiry past 2106", nil, "", []string{"sign", "--offline", "--secret-file", keyFile, "--message-out", filepath.Join(dir, "m5.json"), "--expire", "2000000h", digest}, []string{"--expire", "2106"}},
		{"sign with a malformed annotation", withWallet, "", []string{"sign", "-a", "novalue", digest}, []string{"--annotations"}},
		{"sign with nothing to do", withWallet, "", []string{"sign", "--no-chain", "--no-registry", digest}, []string{"nothing to do"}},
		{"sign with an unknown output", withWallet, "", []string{"sign", "-o", "yaml", digest}, []string{"--output", "text or json"}},
		{"sign with an unknown flag", withWallet, "", []string{"sign", "--frobnicate", digest}, []string{"unknown flag"}},
		{"sign with a bad timeout", withWallet, "", []string{"sign", "--timeout", "soon", digest}, []string{"--timeout"}},
		// sign --offline
		{"offline without a message file", nil, "", []string{"sign", "--offline", "--secret-file", keyFile, digest}, []string{"--message-out"}},
		{"offline with a tag", nil, "", []string{"sign", "--offline", "--secret-file", keyFile, "--message-out", filepath.Join(dir, "m1.json"), ref}, []string{"cannot reach the registry"}},
		{"offline with two targets", nil, "", []string{"sign", "--offline", "--secret-file", keyFile, "--message-out", filepath.Join(dir, "m2.json"), digest, digest}, []string{"one target"}},
		{"offline over an existing file", nil, "", []string{"sign", "--offline", "--secret-file", keyFile, "--message-out", existing, digest}, []string{"already exists"}},
		{"offline with a negative expiry", nil, "", []string{"sign", "--offline", "--secret-file", keyFile, "--message-out", filepath.Join(dir, "m3.json"), "--expire", "-1m", digest}, []string{"--expire"}},
		{"message file without offline", withWallet, "", []string{"sign", "--message-out", filepath.Join(dir, "m4.json"), digest}, []string{"only applies with --offline"}},
		// check
		{"check without targets", down, "", []string{"check", pub}, []string{"at least one TARGET"}},
		{"check with a short public key", down, "", []string{"check", "--public", strings.Repeat("a", 63), digest}, []string{"public key"}},
		{"check with two public keys", down, "", []string{"check", "--public", pub, pub, digest}, []string{"once"}},
		{"check with an unknown source", down, "", []string{"check", "--source", "blockchain", pub, digest}, []string{"--source", "chain, registry or all"}},
		{"check with a missing target list", down, "", []string{"check", "--from-file", filepath.Join(dir, "none.txt"), pub}, []string{"--from-file"}},
		{"check with no key", nil, "", []string{"check", "-n", "http://127.0.0.1:1", digest}, []string{"no public key", "$WALLET_PUBLIC", "--key-from-label"}},
		{"check a bare digest by label", nil, "", []string{"check", "--key-from-label", "-n", "http://127.0.0.1:1", digest}, []string{"bare digest", "no public key"}},
		{"check by label with a key", nil, "", []string{"check", "--key-from-label", "-n", "http://127.0.0.1:1", pub, digest}, []string{"--key-from-label", "a key was given"}},
		{"check a bare digest in the registry", nil, "", []string{"check", "--source", "registry", pub, digest}, []string{"bare digest"}},
		// addr
		{"addr with one argument", nil, "", []string{"addr", pub}, []string{"PUBLIC and CONTENT"}},
		{"addr with a bad key", nil, "", []string{"addr", "xyz", digest}, []string{"PUBLIC"}},
		{"addr with empty content", nil, "", []string{"addr", pub, ""}, []string{"CONTENT", "empty"}},
		{"addr with content over the limit", nil, "", []string{"addr", pub, strings.Repeat("x", contract.MaxContentLen+1)}, []string{"CONTENT", "longer than"}},
		// send
		{"send a missing file", withWallet, "", []string{"send", filepath.Join(dir, "none.json")}, []string{"message file"}},
		{"send a file that is not JSON", withWallet, "", []string{"send", notJSON}, []string{"not JSON"}},
		{"send a file of another format", withWallet, "", []string{"send", wrongFormat}, []string{"format"}},
		{"send a tampered message", withWallet, "", []string{"send", tampered}, []string{"hash"}},
		{"send a message whose file states another expiry", withWallet, "", []string{"send", laterExpiry}, []string{"2099-01-01T00:00:00Z", "not the expiry signed into the message"}},
		{"send a message for another proof", withWallet, "", []string{"send", wrongAddr}, []string{"not the proof's deploy message", "not an external message to"}},
		// others
		{"keygen into a missing directory", nil, "", []string{"keygen", "--out", filepath.Join(dir, "no", "k.json")}, []string{"writing key file"}},
		{"digest of a bare digest", nil, "", []string{"digest", digest}, []string{"bare digest"}},
		{"devnet off loopback", nil, "", []string{"devnet", "--listen", "0.0.0.0:0"}, []string{"loopback"}},
		{"devnet on a port past 65535", nil, "", []string{"devnet", "--listen", "127.0.0.1:99999"}, []string{"127.0.0.1:99999", "65535"}},
		{"devnet registry on a port past 65535", nil, "", []string{"devnet", "--registry", "127.0.0.1:70000"}, []string{"65535"}},
		{"devnet with a stand-in wallet type", nil, "", []string{"devnet", "--wallet-type", "safemultisig"}, []string{"safemultisig", "everwallet, highloadwalletv2"}},
		{"devnet with an unknown wallet type", nil, "", []string{"devnet", "--wallet-type", "paper"}, []string{"paper", "everwallet"}},
		{"devnet wallet type without its package", nil, "", []string{"devnet", "--wallet-type", "everwallet", "--node-modules", "/nonexistent"}, []string{"everscale-standalone-client", "npm"}},
		{"unknown command", nil, "", []string{"verify"}, []string{"unknown command"}},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d bad inputs", len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, tc.stdin, tc.args...)
			r.wantError(t, exitUsage, tc.frags...)
			if n := strings.Count(strings.TrimRight(r.stderr, "\n"), "\n"); n > 1 {
				t.Errorf("%d lines on stderr, want at most a warning and the error: %q", n+1, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, key.SecretHex()) {
				t.Fatal("the secret appears in the output")
			}
		})
	}
}
