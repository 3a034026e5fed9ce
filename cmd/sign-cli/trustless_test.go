package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/contract"
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
		file string
		// plain leaves --trustless out.
		plain bool
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
		{name: "anchor without trustless", plain: true, args: []string{"--trust-anchor", "mainnet"}, wants: []string{"--trust-anchor applies only with --trustless"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql"}
			maps.Copy(env, tc.env)
			args := append([]string{"check"}, tc.args...)
			if !tc.plain {
				args = append(args, "--trustless")
			}
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

// End to end on the devnet, which serves its signed chain: signed images
// are proven from the devnet's anchor, with the evidence in the JSON lines
// and the key block kept in the cache; an unsigned one is an error (nothing
// proves absence), and so is everything under another anchor.
func TestCheckTrustlessOnDevnet(t *testing.T) { inBothModes(t, testCheckTrustlessOnDevnet) }

func testCheckTrustlessOnDevnet(t *testing.T, w *world) {
	ref, digest := w.image("trustless/app", nil)
	_, unsigned := w.image("trustless/unsigned", nil)
	signer, keyPath := w.keyFile("signer.json")
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, ref); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	env := w.env()
	env["SIGN_CLI_TRUST_ANCHOR"] = w.chain.Anchor()
	env["XDG_CACHE_HOME"] = t.TempDir()
	pub := signer.Public().String()

	r := runCLI(t, env, "", "check", "--trustless", "--source", "all", pub, ref)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "verified") || !strings.Contains(r.stdout, "proven to key block") {
		t.Fatalf("trustless check of a signed image: %+v", r)
	}
	cached, _ := filepath.Glob(filepath.Join(env["XDG_CACHE_HOME"], "sign-cli", "keyblocks", "*", "*.boc"))
	if len(cached) != 1 {
		t.Errorf("key blocks cached: %v", cached)
	}

	r = runCLI(t, env, "", "check", "--trustless", "-o", "json", pub, digest.String(), unsigned.String())
	r.wantError(t, exitFailure, "1 of 2 targets could not be checked", "no constructing transaction")
	lines := decodeLines[checkedJSON](t, r.stdout)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	if c := lines[0].Chain; !lines[0].Verified || c == nil || c.Evidence == nil || c.Evidence.Anchor == "" || c.Evidence.Transaction == "" || c.Endpoint != "" {
		t.Errorf("signed: %+v %+v", lines[0], lines[0].Chain)
	}
	if l := lines[1]; l.Verified || l.Chain != nil || l.ExitCode != exitFailure || !strings.Contains(l.Error, "no constructing transaction") {
		t.Errorf("unsigned: %+v", l)
	}

	// A lying endpoint: the devnet serves, for the unsigned digest, the
	// proof account that signing it on another chain made. The plain check
	// believes it; the trustless check finds no construction on this chain.
	elsewhere := newWorld(t)
	otherEnv := elsewhere.env()
	if r := runCLI(t, otherEnv, "", "sign", "--secret-file", keyPath, unsigned.String()); r.code != 0 {
		t.Fatalf("sign elsewhere: %+v", r)
	}
	p, _ := contract.NewProof(signer.Public().Ed25519(), unsigned.String())
	acc, ok := elsewhere.chain.Account(p.Address().String())
	if !ok {
		t.Fatal("no proof account elsewhere")
	}
	if err := w.chain.ForgeAccount(acc); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "check", pub, unsigned.String()); r.code != 0 {
		t.Fatalf("the plain check did not believe the forged account: %+v", r)
	}
	r = runCLI(t, env, "", "check", "--trustless", pub, unsigned.String())
	r.wantError(t, exitFailure, "no constructing transaction", p.Address().String())

	anchor := strings.TrimSuffix(w.chain.Anchor(), w.chain.Anchor()[len(w.chain.Anchor())-2:]) + "00"
	if anchor == w.chain.Anchor() {
		anchor = anchor[:len(anchor)-2] + "11"
	}
	r = runCLI(t, env, "", "check", "--trustless", "--trust-anchor", anchor, pub, digest.String())
	r.wantError(t, exitFailure, "not proven to be signed by the network's validators")
	if strings.Contains(r.stdout, "verified") {
		t.Fatalf("verified under another anchor: %q", r.stdout)
	}
}
