package nekotonexec

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
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

// TestTonClientJS drives ton-client-js 0.28.1's GraphQL queries against
// the devnet, on both executors: query_collection on blocks, accounts,
// messages and transactions; wait_for_collection for a transaction that
// comes only after the wait began; a subscription on accounts.
func TestTonClientJS(t *testing.T) {
	b := nekotontest.Start(t)
	for _, tc := range bothExecutors(b) {
		t.Run(tc.name, func(t *testing.T) {
			srv, g, owner := giverTransfersBy(t, tc.ex, 2)
			var dst [32]byte
			dst[0] = 0x33
			msg, err := contract.LocalGiver.TransferMessage(cell.MustParseAddress(g.Address), contract.Transfer{Dest: cell.NewStdAddress(0, dst), Value: 1e9},
				owner, uint64(srv.Now().UnixMilli())+10, uint32(srv.Now().Unix())+60)
			if err != nil {
				t.Fatal(err)
			}
			hash := msg.Hash()
			var out struct {
				Masterchain []struct {
					ID         string `json:"id"`
					SeqNo      uint32 `json:"seq_no"`
					Signatures struct {
						ListHash float64 `json:"validator_list_hash_short"`
					} `json:"signatures"`
				} `json:"masterchain"`
				KeyBlocks    []struct{ ID string } `json:"keyBlocks"`
				Accounts     []struct{ ID, Balance string }
				Transactions []struct {
					ID          string  `json:"id"`
					BlockID     string  `json:"block_id"`
					MasterSeqNo float64 `json:"master_seq_no"`
				} `json:"transactions"`
				Messages []struct{ ID, BlockID string } `json:"messages"`
				Waited   struct {
					ID      string `json:"id"`
					BlockID string `json:"block_id"`
				} `json:"waited"`
				Subscribed struct{ ID, Balance string } `json:"subscribed"`
			}
			runClientScript(t, "ton-client.cjs", map[string]any{
				"server": strings.TrimSuffix(srv.URL, "/graphql"), "giver": g.Address,
				"message": map[string]string{"id": base64.StdEncoding.EncodeToString(hash[:]), "body": base64.StdEncoding.EncodeToString(msg.ToBOC()), "hash": hex.EncodeToString(hash[:])},
			}, &out)
			blocks := srv.Blocks()
			if len(out.Masterchain) != 1 || len(out.KeyBlocks) != 1 || out.KeyBlocks[0].ID != blocks[0].ID || out.Masterchain[0].Signatures.ListHash == 0 {
				t.Errorf("blocks: latest masterchain %+v, key blocks %+v", out.Masterchain, out.KeyBlocks)
			}
			if len(out.Accounts) != 1 || out.Accounts[0].ID != g.Address {
				t.Errorf("accounts: %+v", out.Accounts)
			}
			if len(out.Transactions) != 2 || len(out.Messages) != 2 || out.Transactions[0].BlockID == "" || out.Transactions[0].MasterSeqNo == 0 {
				t.Errorf("transactions %+v, messages %+v", out.Transactions, out.Messages)
			}
			final := srv.Transactions()
			var made devnet.Transaction
			for _, tx := range final {
				if tx.InMsg == hex.EncodeToString(hash[:]) {
					made = tx
				}
			}
			if made.ID == "" || out.Waited.ID != made.ID || out.Waited.BlockID != made.BlockID {
				t.Errorf("waited for %+v, the devnet made %+v", out.Waited, made)
			}
			after, _ := srv.Account(g.Address)
			if out.Subscribed.ID != g.Address || out.Subscribed.Balance == "" || after.Balance.Cmp(mustBig(t, out.Subscribed.Balance)) != 0 {
				t.Errorf("the subscription saw %+v, the giver holds %s", out.Subscribed, after.Balance)
			}
		})
	}
}

func mustBig(t *testing.T, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
	if !ok {
		t.Fatalf("balance %q", s)
	}
	return n
}
