package nekotonexec

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// runClientScript runs a Node.js script of testdata that drives one of
// the ecosystem's own clients against a devnet, with cfg (and the
// node_modules directory) as its JSON argument, and decodes the JSON line
// it prints into out. Like every Node.js test it is skipped without node
// and the npm packages, unless CI is set.
func runClientScript(t *testing.T, script string, cfg map[string]any, out any) {
	t.Helper()
	nekotontest.Start(t)
	modules, err := nekoton.FindNodeModules("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg["modules"] = modules
	arg, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "node", "testdata/"+script, string(arg))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("node %s printed %q: %v", script, stdout.String(), err)
	}
}

// TestStandaloneClient drives everscale-standalone-client (connection
// type graphql, local) against the devnet, on both executors: it reads
// the giver's full state, sends transfers through the giver's ABI with the
// normal API (sendExternal, which walks the devnet's blocks until the
// transaction), receives the next transaction of a subscription, and
// pages through the giver's history.
func TestStandaloneClient(t *testing.T) {
	b := nekotontest.Start(t)
	for _, tc := range bothExecutors(b) {
		t.Run(tc.name, func(t *testing.T) {
			srv, g, owner := giverTransfersBy(t, tc.ex, 3)
			var out struct {
				State struct {
					Balance  string `json:"balance"`
					Deployed bool   `json:"isDeployed"`
					CodeHash string `json:"codeHash"`
					LastLt   string `json:"lastLt"`
				} `json:"state"`
				Sent, SentOther struct {
					ID      string `json:"id"`
					Aborted bool   `json:"aborted"`
				}
				Subscribed []string   `json:"subscribed"`
				Pages      [][]string `json:"pages"`
			}
			before, _ := srv.Account(g.Address)
			code, err := cell.FromBOC(before.Code)
			if err != nil {
				t.Fatal(err)
			}
			runClientScript(t, "standalone-client.cjs", map[string]any{
				"url": srv.URL, "giver": g.Address, "abi": contract.GiverABI, "value": "1000000000",
				"publicKey": hex.EncodeToString(owner.Public().(ed25519.PublicKey)), "secretKey": hex.EncodeToString(owner.Seed()),
				"dest": "0:" + hex.EncodeToString(bytes.Repeat([]byte{0x11}, 32)), "dest2": "0:" + hex.EncodeToString(bytes.Repeat([]byte{0x22}, 32)),
			}, &out)
			if !out.State.Deployed || out.State.Balance != before.Balance.String() || out.State.CodeHash != code.HashHex() {
				t.Errorf("the client read the giver as %+v, the devnet holds %s with code %s", out.State, before.Balance, code.HashHex())
			}
			var history []string
			for _, tx := range srv.Transactions() {
				if tx.Account == g.Address {
					history = append([]string{tx.ID}, history...)
				}
			}
			if out.Sent.Aborted || out.SentOther.Aborted || !slices.Contains(history, out.Sent.ID) || len(history) != 5 || history[0] != out.SentOther.ID {
				t.Errorf("sent %+v and %+v; the giver's transactions %v", out.Sent, out.SentOther, history)
			}
			if !slices.Equal(out.Subscribed, []string{out.SentOther.ID}) {
				t.Errorf("the subscription received %v, want the second transfer %s", out.Subscribed, out.SentOther.ID)
			}
			if got := slices.Concat(out.Pages...); !slices.Equal(got, history) || len(out.Pages) != 3 {
				t.Errorf("paged through %v, the giver's history is %v", out.Pages, history)
			}
		})
	}
}
