package main

import (
	"strings"
	"testing"
)

// TestSignSameImageTwice names one image twice in one run (by tag and by
// digest): its proof is funded and deployed once and its signature pushed
// once, and both targets report the same result.
func TestSignSameImageTwice(t *testing.T) { inBothModes(t, testSignSameImageTwice) }

func testSignSameImageTwice(t *testing.T, w *world) {
	ref, digest := w.image("twice/app", nil)
	byDigest := strings.TrimSuffix(ref, ":latest") + "@" + digest.String()
	signer, keyPath := w.keyFile("signer.json")
	giverTxs := len(w.accountTransactions(w.chain.GiverAddress))
	pushes := w.pushes()

	r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "-o", "json", ref, byDigest, digest.String())
	if r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	lines := decodeLines[signedLine](t, r.stdout)
	if len(lines) != 3 {
		t.Fatalf("%d result lines for 3 targets", len(lines))
	}
	for _, l := range lines {
		if l.Proof == nil || l.Proof.Address != lines[0].Proof.Address || l.Proof.Transaction != lines[0].Proof.Transaction {
			t.Fatalf("targets report different proofs: %+v", lines)
		}
	}
	if n := w.proofTransactions(lines[0].Proof.Address); n != 1 {
		t.Fatalf("%d deployments of one proof", n)
	}
	if n := len(w.accountTransactions(w.chain.GiverAddress)) - giverTxs; n != 1 {
		t.Fatalf("the giver paid %d times for one proof", n)
	}
	if n := w.pushes() - pushes; n != 1 {
		t.Fatalf("%d signature pushes for one image", n)
	}
	if lines[0].Registry == nil || lines[1].Registry == nil || lines[2].Registry != nil {
		t.Fatalf("registry results %+v %+v %+v (the bare digest has no registry)", lines[0].Registry, lines[1].Registry, lines[2].Registry)
	}
	if r := runCLI(t, w.env(), "", "check", "--source", "all", signer.Public().String(), ref); r.code != 0 {
		t.Fatalf("check: %+v", r)
	}
}

// accountTransactions lists the transactions of one account.
func (w *world) accountTransactions(addr string) []string {
	var ids []string
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr {
			ids = append(ids, tx.ID)
		}
	}
	return ids
}
