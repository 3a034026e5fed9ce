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
	pushes := w.pushes()
	runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, repo+"@"+missing).wantError(t, exitUsage, "not found")
	p, _ := contract.NewProof(signer.Public().Ed25519(), missing)
	if b := w.balance(p.Address().String()); b.Sign() != 0 {
		t.Fatalf("the proof of a missing manifest was funded with %s", b)
	}
	if w.pushes() != pushes {
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

// TestCheckQuorum: with --quorum, a verdict needs that many endpoints to
// agree; a lying endpoint is outvoted, or, without a majority, the target
// is an ERROR naming what each endpoint said, never a verdict.
func TestCheckQuorum(t *testing.T) {
	honest, liar := newWorld(t), newWorld(t)
	signer, keyPath := honest.keyFile("signer.json")
	real, forged := digestOf("real"), digestOf("forged only")
	if r := runCLI(t, honest.env(), "", "sign", "--secret-file", keyPath, "--no-registry", real); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	if r := runCLI(t, liar.env(), "", "sign", "--secret-file", keyPath, "--no-registry", forged); r.code != 0 {
		t.Fatalf("sign on the liar's network: %+v", r)
	}
	pub := signer.Public().String()
	// The same honest server under a second URL is a second endpoint.
	three := honest.chain.URL + "," + honest.chain.URL + "?mirror=1," + liar.chain.URL
	two := honest.chain.URL + "," + liar.chain.URL
	if r := runCLI(t, nil, "", "check", "-n", three, "--quorum", "2", pub, real); r.code != 0 {
		t.Errorf("real proof, two of three agree: %+v", r)
	}
	if r := runCLI(t, nil, "", "check", "-n", three, "--quorum", "2", pub, forged); r.code != exitNotVerified {
		t.Errorf("forged proof, outvoted: %+v", r)
	}
	r := runCLI(t, nil, "", "check", "-n", two, "--quorum", "2", "-o", "json", pub, forged)
	if r.code != exitFailure || !strings.Contains(r.stderr, "endpoints disagree") || !strings.Contains(r.stderr, liar.chain.URL+" says active") {
		t.Errorf("no majority: %+v", r)
	}
	var line checkedJSON
	if err := json.Unmarshal([]byte(r.stdout), &line); err != nil || line.Verified {
		t.Fatalf("json line %q: %v", r.stdout, err)
	}
	if !strings.Contains(r.stdout, `"endpoints":[`) {
		t.Errorf("-o json does not say what each endpoint said: %s", r.stdout)
	}
	runCLI(t, nil, "", "check", "-n", two, "--quorum", "3", pub, real).wantError(t, exitUsage, "--quorum 3", "(2)")
	// Without --quorum the first endpoint's word decides, as documented.
	if r := runCLI(t, nil, "", "check", "-n", liar.chain.URL+","+honest.chain.URL, pub, forged); r.code != 0 {
		t.Errorf("without --quorum: %+v", r)
	}
}
