package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad --trust-anchor values and combinations that mean nothing are bad
// usage, said in one line, before anything is fetched.
func TestCheckTrustlessUsage(t *testing.T) {
	pub := strings.Repeat("ab", 32)
	target := "sha256:" + strings.Repeat("cd", 32)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		// file, when set, is written and given as --trust-anchor.
		file  string
		wants []string
	}{
		{name: "short hash", args: []string{"--trust-anchor", "12:abcd"}, wants: []string{"--trust-anchor", "root hash of 64 hex digits"}},
		{name: "huge seq_no", args: []string{"--trust-anchor", "99999999999:" + pub}, wants: []string{"32-bit seq_no"}},
		{name: "no such file", args: []string{"--trust-anchor", "anchors-missing.txt"}, wants: []string{"not mainnet, devnet, SEQNO:ROOT_HASH_HEX or a readable file"}},
		{name: "empty file", file: "# nothing\n", wants: []string{"holds no SEQNO:ROOT_HASH_HEX line"}},
		{name: "bad line", file: "1:" + pub + "\n2:xyz\n", wants: []string{"line 2"}},
		{name: "from the environment", env: map[string]string{"SIGN_CLI_TRUST_ANCHOR": "mainnet?"}, wants: []string{"--trust-anchor", "mainnet?"}},
		{name: "with quorum", args: []string{"--quorum", "1"}, wants: []string{"--quorum and --trustless do not combine"}},
		{name: "registry only", args: []string{"--source", "registry"}, wants: []string{"--source registry does not check it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql"}
			maps.Copy(env, tc.env)
			args := append([]string{"check", "--trustless"}, tc.args...)
			if tc.file != "" {
				path := filepath.Join(t.TempDir(), "anchors")
				if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--trust-anchor", path)
			}
			r := runCLI(t, env, "", append(args, pub, target)...)
			r.wantError(t, exitUsage, tc.wants...)
		})
	}
}

// Against an endpoint that serves no blocks, a trustless check is an
// error, where the plain check believes the account: what cannot be
// proven is never "verified", nor "not verified".
func TestCheckTrustlessUnprovable(t *testing.T) { inBothModes(t, testCheckTrustlessUnprovable) }

func testCheckTrustlessUnprovable(t *testing.T, w *world) {
	_, digest := w.image("trustless/app", nil)
	signer, keyPath := w.keyFile("signer.json")
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, digest.String()); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "check", signer.Public().String(), digest.String()); r.code != 0 {
		t.Fatalf("plain check: %+v", r)
	}
	env := w.env()
	env["SIGN_CLI_TRUST_ANCHOR"] = "1:" + strings.Repeat("00", 32)
	r := runCLI(t, env, "", "check", "--trustless", "-o", "json", signer.Public().String(), digest.String())
	r.wantError(t, exitFailure)
	lines := decodeLines[checkedJSON](t, r.stdout)
	if len(lines) != 1 || lines[0].Verified || lines[0].Chain != nil || lines[0].Error == "" || lines[0].ExitCode != exitFailure {
		t.Fatalf("trustless check of an unprovable proof: %+v", lines)
	}
}
