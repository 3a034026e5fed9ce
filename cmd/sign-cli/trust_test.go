package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/contract"
)

// TestSignOnlyWhatExists: a digest reference whose manifest the registry
// does not hold is bad input, refused before anything is paid or pushed.
func TestSignOnlyWhatExists(t *testing.T) {
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	ref, _ := w.image("exists/app", nil)
	repo := strings.TrimSuffix(ref, ":latest")
	missing := "sha256:" + strings.Repeat("0", 64)
	pushes := w.pushes.Load()
	runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, repo+"@"+missing).wantError(t, exitUsage, "not found")
	p, _ := contract.NewProof(signer.Public().Ed25519(), missing)
	if b := w.balance(p.Address().String()); b.Sign() != 0 {
		t.Fatalf("the proof of a missing manifest was funded with %s", b)
	}
	if w.pushes.Load() != pushes {
		t.Fatal("a signature of a missing manifest was pushed")
	}
}

// TestSignByTagWarns: signing by tag says which digest was signed and that
// the registry chose it.
func TestSignByTagWarns(t *testing.T) {
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")
	ref, digest := w.image("tagged/app", nil)
	r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--no-chain", ref)
	if r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	if !strings.Contains(r.stderr, "warning: "+ref+" was signed as the registry resolved it now, "+digest.String()) {
		t.Errorf("no warning naming the digest signed: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, digest.String()) {
		t.Errorf("the digest signed is not printed: %q", r.stdout)
	}
	r = runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--no-chain", strings.TrimSuffix(ref, ":latest")+"@"+digest.String())
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("signing by digest: %+v", r)
	}
}

// TestParallelSignRunsPayOnce: sign runs of one image started together on
// one machine take turns at its proof through the lock in the cache
// directory: one top-up, one deployment.
func TestParallelSignRunsPayOnce(t *testing.T) {
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")
	_, digest := w.image("parallel/app", nil)
	env := w.env()
	env["HOME"] = t.TempDir()
	const n = 4
	codes := make(chan int, n)
	for range n {
		go func() {
			codes <- runCLI(t, env, "", "sign", "--secret-file", keyPath, "--no-registry", digest.String()).code
		}()
	}
	for range n {
		if c := <-codes; c != 0 {
			t.Fatalf("a run exited %d", c)
		}
	}
	payments := 0
	for _, tx := range w.chain.Transactions() {
		if tx.Account == w.chain.GiverAddress && !tx.Aborted && len(tx.OutMsgs) > 0 {
			payments++
		}
	}
	if payments != 1 {
		t.Errorf("%d parallel runs paid %d times", n, payments)
	}
}

// TestCheckNamesTheEndpoint: a chain verdict rests on one endpoint's
// answer, and -o json says which: after failover, the one that answered.
func TestCheckNamesTheEndpoint(t *testing.T) {
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	_, digest := w.image("endpoint/app", nil)
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--no-registry", digest.String()); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	env := w.env()
	env["SIGN_CLI_NETWORK"] = "http://127.0.0.1:1/graphql," + w.chain.URL + "?k=provider-key-123456"
	r := runCLI(t, env, "", "check", "-o", "json", signer.Public().String(), digest.String())
	if r.code != 0 {
		t.Fatalf("check: %+v", r)
	}
	var line struct {
		Chain struct {
			Endpoint string `json:"endpoint"`
		} `json:"chain"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &line); err != nil {
		t.Fatal(err)
	}
	if line.Chain.Endpoint != w.chain.URL {
		t.Errorf("endpoint %q, want %q (the one that answered, without its query)", line.Chain.Endpoint, w.chain.URL)
	}
}
