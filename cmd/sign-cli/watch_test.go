package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// clientScript is a Node.js script of testdata that drives one of the
// ecosystem's clients while the test runs sign-cli: it prints one JSON
// line when it is ready, waits for a line on its standard input, and
// prints one JSON line of what it saw.
type clientScript struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr strings.Builder
}

// startClientScript starts script with cfg (and the node_modules
// directory) as its JSON argument and waits for its ready line. Like
// every Node.js test it is skipped without node and the npm packages,
// unless CI is set.
func startClientScript(t *testing.T, script string, cfg map[string]any) *clientScript {
	t.Helper()
	cfg["modules"] = nekotontest.NodeModules(t)
	arg, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	s := &clientScript{cmd: exec.CommandContext(ctx, "node", "testdata/"+script, string(arg))}
	s.cmd.Stderr = &s.stderr
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.lines = bufio.NewScanner(stdout)
	s.lines.Buffer(nil, 1<<20)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Wait() })
	var ready struct{ Subscribed bool }
	s.next(t, &ready)
	return s
}

// next decodes the script's next line into out.
func (s *clientScript) next(t *testing.T, out any) {
	t.Helper()
	if !s.lines.Scan() {
		_ = s.cmd.Wait()
		t.Fatalf("node %s ended: %v\n%s", s.cmd.Args[1], s.lines.Err(), s.stderr.String())
	}
	if err := json.Unmarshal(s.lines.Bytes(), out); err != nil {
		t.Fatalf("node %s printed %q: %v", s.cmd.Args[1], s.lines.Text(), err)
	}
}

// finish tells the script to go on and decodes its last line into out.
func (s *clientScript) finish(t *testing.T, out any) {
	t.Helper()
	if _, err := io.WriteString(s.stdin, "go\n"); err != nil {
		t.Fatalf("node %s: %v\n%s", s.cmd.Args[1], err, s.stderr.String())
	}
	s.next(t, out)
}

// watchedTx is a transaction as the client's subscription delivered it.
type watchedTx struct {
	ID         string `json:"id"`
	Lt         string `json:"lt"`
	Aborted    bool   `json:"aborted"`
	OrigStatus string `json:"origStatus"`
	EndStatus  string `json:"endStatus"`
}

// watchedProof is what watch-proof.cjs saw of a proof address.
type watchedProof struct {
	Transactions []watchedTx `json:"transactions"`
	State        struct {
		Balance    string `json:"balance"`
		IsDeployed bool   `json:"isDeployed"`
		CodeHash   string `json:"codeHash"`
		BOC        string `json:"boc"`
		LastLt     string `json:"lastLt"`
	} `json:"state"`
	Fields   proofFields `json:"fields"`
	Deployed struct {
		Address string `json:"address"`
		Funding struct {
			ID      string `json:"id"`
			Aborted bool   `json:"aborted"`
		} `json:"funding"`
		Transaction struct {
			ID       string `json:"id"`
			Aborted  bool   `json:"aborted"`
			ExitCode int    `json:"exitCode"`
		} `json:"transaction"`
		Fields     proofFields    `json:"fields"`
		Local      map[string]any `json:"local"`
		ByCodeHash []string       `json:"byCodeHash"`
		Fetched    *struct {
			ID         string `json:"id"`
			Lt         string `json:"lt"`
			OrigStatus string `json:"origStatus"`
			EndStatus  string `json:"endStatus"`
			InMessage  string `json:"inMessage"`
		} `json:"fetched"`
	} `json:"deployed"`
}

// proofFields are a proof's fields as the client decodes them.
type proofFields struct {
	PublicKey   string `json:"_pubkey"`
	Timestamp   string `json:"_timestamp"`
	Constructed bool   `json:"_constructorFlag"`
	Content     string `json:"content"`
	DeployedAt  string `json:"deployedAt"`
}

// TestClientWatchesSign: everscale-standalone-client, subscribed through
// its normal API to a proof address before the proof exists, sees the
// transactions `sign-cli sign` makes there (the funding transfer, then
// the deployment), the ones the devnet holds, in order; and the account's
// full state, decoded by the client with the proof's ABI, is the proof
// that `sign-cli check -o json` reports. Then the client deploys a proof
// of its own from a StateInit, as a locklift user deploys a contract, and
// sign-cli verifies it. On both executors.
func TestClientWatchesSign(t *testing.T) { inBothModes(t, testClientWatchesSign) }

func testClientWatchesSign(t *testing.T, w *world) {
	signer, keyPath := w.keyFile("signer.json")
	content := digestOf("watched by a client")
	p, err := contract.NewProof(signer.Public().Ed25519(), content)
	if err != nil {
		t.Fatal(err)
	}
	addr := p.Address().String()
	// The client deploys a proof of its own afterwards, from a StateInit
	// of another proof that it fills with its init params.
	other := digestOf("deployed by a client")
	p2, err := contract.NewProof(signer.Public().Ed25519(), other)
	if err != nil {
		t.Fatal(err)
	}
	watcher := startClientScript(t, "watch-proof.cjs", map[string]any{
		"url": w.chain.URL, "address": addr, "abi": contract.ProofABI, "want": 2,
		"keys": map[string]any{
			"giver":  map[string]string{"public": w.giver.Public().String(), "secret": w.giver.SecretHex()},
			"signer": map[string]string{"public": signer.Public().String(), "secret": signer.SecretHex()},
		},
		"deploy": map[string]any{
			"tvc": base64.StdEncoding.EncodeToString(p.StateInit().ToBOC()), "signer": signer.Public().String(), "content": other,
			"giver": w.chain.GiverAddress, "giverAbi": contract.GiverABI, "giverPublic": w.giver.Public().String(), "value": "100000000",
		},
	})

	r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--no-registry", "-o", "json", content)
	if r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	signed := decodeLines[signedLine](t, r.stdout)[0]
	r = runCLI(t, w.env(), "", "check", "-o", "json", signer.Public().String(), content)
	if r.code != 0 {
		t.Fatalf("check: %+v", r)
	}
	checked := decodeLines[checkedJSON](t, r.stdout)[0]
	var seen watchedProof
	watcher.finish(t, &seen)

	// The proof's history: the transfer the wallet's top-up sent, then
	// the deployment.
	var held, funding []string
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr {
			held = append(held, tx.ID)
		}
		if signed.Proof != nil && tx.ID == signed.Proof.TopUp {
			funding = tx.OutMsgs
		}
	}
	var fundedBy []string
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr && slices.Contains(funding, tx.InMsg) {
			fundedBy = append(fundedBy, tx.ID)
		}
	}
	got := seen.Transactions
	slices.SortFunc(got, func(a, b watchedTx) int {
		return cmp.Compare(mustUint(t, a.Lt), mustUint(t, b.Lt))
	})
	var ids []string
	for _, tx := range got {
		ids = append(ids, tx.ID)
	}
	if signed.Proof == nil || len(fundedBy) != 1 || !slices.Equal(held, []string{fundedBy[0], signed.Proof.Transaction}) {
		t.Fatalf("the devnet holds %v for %s, sign reported %+v", held, addr, signed.Proof)
	}
	if !slices.Equal(ids, held) {
		t.Errorf("the client saw the transactions %v, the devnet holds %v (funding, deployment)", ids, held)
	}
	// A transfer to an address with no code skips the compute phase: the
	// network calls that transaction aborted.
	if len(got) == 2 && (got[0].EndStatus != "uninit" || got[1].Aborted || got[1].EndStatus != "active") {
		t.Errorf("the client saw %+v", got)
	}

	a, _ := w.chain.Account(addr)
	code := contract.ProofCodeHash()
	if !seen.State.IsDeployed || seen.State.Balance != a.Balance.String() || seen.State.CodeHash != hex.EncodeToString(code[:]) ||
		mustUint(t, seen.State.LastLt) != a.LastTransLt || seen.State.BOC == "" {
		t.Errorf("the client read the proof as %+v, the devnet holds balance %s, code %x, last lt %d", seen.State, a.Balance, code, a.LastTransLt)
	}
	// The client's BOC is the account without its account$1 tag (nekoton
	// keeps and serializes the AccountStuff): with the tag, the devnet's.
	if stuff, err := base64.StdEncoding.DecodeString(seen.State.BOC); err != nil {
		t.Errorf("the client's account BOC: %v", err)
	} else if c, err := cell.FromBOC(stuff); err != nil {
		t.Errorf("the client's account BOC: %v", err)
	} else if tagged, err := cell.BeginCell().StoreBool(true).StoreSlice(c.BeginParse()).EndCell(); err != nil || tagged.HashHex() != mustCell(t, a.BOC).HashHex() {
		t.Errorf("the client's account is %s (%v), the devnet's %s", tagged, err, mustCell(t, a.BOC))
	}

	f := seen.Fields
	pub, ok := new(big.Int).SetString(f.PublicKey, 0)
	if !ok {
		t.Fatalf("the client decoded _pubkey %q", f.PublicKey)
	}
	if !checked.Verified || checked.Chain == nil || checked.Chain.Address != addr {
		t.Fatalf("check: %+v", checked)
	}
	if key := hex.EncodeToString(pub.FillBytes(make([]byte, 32))); key != checked.Public || f.Content != checked.Digest || !f.Constructed ||
		mustUint(t, f.Timestamp) != uint64(checked.Chain.SignedAt.UnixMilli()) || mustUint(t, f.DeployedAt) != uint64(checked.Chain.DeployedAt.Unix()) {
		t.Errorf("the client decoded %+v; check reported key %s, digest %s, signed at %s, deployed at %s",
			f, checked.Public, checked.Digest, checked.Chain.SignedAt, checked.Chain.DeployedAt)
	}

	// The client's own deployment is a proof that sign-cli verifies; run
	// locally by the client, the proof refuses an unsigned call (58) and
	// a second deployment (51).
	d := seen.Deployed
	if d.Address != p2.Address().String() || d.Funding.ID == "" || d.Funding.Aborted || d.Transaction.Aborted || d.Transaction.ExitCode != 0 {
		t.Errorf("the client deployed %+v, want a proof at %s", d, p2.Address())
	}
	if !d.Fields.Constructed || d.Fields.Content != other {
		t.Errorf("the client read its proof as %+v", d.Fields)
	}
	if d.Local["call"] != float64(58) || d.Local["again"] != float64(51) {
		t.Errorf("run locally by the client: %v, want exit codes 58 (no signature) and 51 (constructed)", d.Local)
	}
	deployedBy := ""
	for _, tx := range w.chain.Transactions() {
		if tx.Account == p2.Address().String() && tx.EndStatus == everos.Active && tx.OrigStatus != everos.Active {
			deployedBy = tx.ID
		}
	}
	if deployedBy == "" || deployedBy != d.Transaction.ID {
		t.Errorf("the devnet deployed the client's proof in %q, the client saw %q", deployedBy, d.Transaction.ID)
	}
	// Both proofs run the proof's code, and no other account does.
	byCode := slices.Sorted(slices.Values(d.ByCodeHash))
	if want := slices.Sorted(slices.Values([]string{addr, p2.Address().String()})); !slices.Equal(byCode, want) {
		t.Errorf("getAccountsByCodeHash: %v, want the two proofs %v", byCode, want)
	}
	var deployTx *devnet.Transaction
	for _, tx := range w.chain.Transactions() {
		if tx.ID == d.Transaction.ID {
			deployTx = &tx
		}
	}
	if f := d.Fetched; f == nil || deployTx == nil || f.ID != deployTx.ID || mustUint(t, f.Lt) != deployTx.Lt || f.InMessage != deployTx.InMsg || f.EndStatus != "active" {
		t.Errorf("getTransaction gave %+v, the devnet holds %+v", f, deployTx)
	}
	r = runCLI(t, w.env(), "", "check", signer.Public().String(), other)
	if r.code != 0 {
		t.Errorf("check of the client's proof: %+v", r)
	}
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return n
}

func mustCell(t *testing.T, boc []byte) *cell.Cell {
	t.Helper()
	c, err := cell.FromBOC(boc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
