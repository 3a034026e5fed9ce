package nekotonexec

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// TestTransactionBOCs runs every kind of transaction the emulator makes on
// both executors (a giver's transfer, a transfer arriving at a new address,
// a bounce off an uninit and off a non-existent address, a proof's
// deployment, a transfer to the proof, a refused deployment) and reads
// each transaction BOC with nekoton's own parser: its hash is the id, its
// fields are the ones recorded, and it links to the account's previous
// transaction. Each account's last_trans_lt is its BOC's: the lt after its
// last transaction and that transaction's out messages.
func TestTransactionBOCs(t *testing.T) {
	b := nekotontest.Start(t)
	for _, tc := range bothExecutors(b) {
		t.Run(tc.name, func(t *testing.T) {
			owner, g := fundedGiver(t)
			_, signer, _ := ed25519.GenerateKey(rand.Reader)
			l, err := devnet.NewLedger(devnet.WithExecutor(tc.ex), devnet.WithAccounts(g))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			giver := cell.MustParseAddress(g.Address)
			p, err := contract.NewProof(signer.Public().(ed25519.PublicKey), "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
			if err != nil {
				t.Fatal(err)
			}
			var nowhere [32]byte
			rand.Read(nowhere[:])
			ms := uint64(l.Now().UnixMilli())
			expire := uint32(l.Now().Unix()) + 60
			deliver := func(what string, msg *cell.Cell, err error) int {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				n := len(l.Transactions())
				if err := l.Deliver(msg.ToBOC(), l.Now().Add(time.Minute)); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				return len(l.Transactions()) - n
			}
			transfer := func(dst *cell.Address, value uint64, bounce bool) (*cell.Cell, error) {
				ms++
				return contract.LocalGiver.TransferMessage(giver, contract.Transfer{Dest: dst, Value: value, Bounce: bounce}, owner, ms, expire)
			}
			steps := []struct {
				name string
				msg  func() (*cell.Cell, error)
				txs  int
			}{
				{"funding a new address", func() (*cell.Cell, error) {
					ms++
					return contract.LocalGiver.FundProofMessage(giver, p, contract.DefaultTopUp, owner, ms, expire)
				}, 2},
				{"bounce off an uninit address", func() (*cell.Cell, error) { return transfer(p.Address(), 1e8, true) }, 3},
				{"deployment", func() (*cell.Cell, error) { return p.DeployMessage(signer, l.Now(), expire) }, 1},
				{"transfer to the proof", func() (*cell.Cell, error) { return transfer(p.Address(), 1e8, true) }, 2},
				{"bounce off a non-existent address", func() (*cell.Cell, error) {
					return transfer(cell.NewStdAddress(0, nowhere), 1e8, true)
				}, 3},
				{"transfer of more than the giver holds (the action phase fails)", func() (*cell.Cell, error) {
					return transfer(p.Address(), 2_000_000e9, false)
				}, 1},
				{"refused second deployment", func() (*cell.Cell, error) {
					return p.DeployMessage(signer, l.Now().Add(time.Second), expire)
				}, 0},
			}
			for _, s := range steps {
				msg, err := s.msg()
				if n := deliver(s.name, msg, err); n != s.txs {
					t.Errorf("%s: %d transactions, want %d", s.name, n, s.txs)
				}
			}
			failed := false
			for _, tx := range l.Transactions() {
				failed = failed || (tx.ResultCode != 0 && tx.Aborted)
			}
			if !failed {
				t.Error("no transaction with a failed action phase")
			}
			checkTransactionBOCs(t, b, l)
		})
	}
}

// checkTransactionBOCs reads every transaction of l with nekoton.
func checkTransactionBOCs(t *testing.T, b *nekoton.Bridge, l *devnet.Ledger) {
	t.Helper()
	last := map[string]devnet.Transaction{}
	newest := map[string][32]byte{} // each account's hash after its last transaction
	for i, tx := range l.Transactions() {
		name := fmt.Sprintf("transaction %d (lt %d on %s)", i, tx.Lt, tx.Account)
		if len(tx.BOC) == 0 {
			t.Errorf("%s: no BOC", name)
			continue
		}
		got, err := b.ParseTransaction(base64.StdEncoding.EncodeToString(tx.BOC))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var outs []string
		for _, m := range got.OutMessages {
			outs = append(outs, m.Hash)
		}
		want := []struct {
			field     string
			got, want any
		}{
			{"id", got.ID.Hash, tx.ID},
			{"lt", got.ID.LT, strconv.FormatUint(tx.Lt, 10)},
			{"now", got.CreatedAt, tx.Now},
			{"aborted", got.Aborted, tx.Aborted},
			{"orig status", statusByName[got.OrigStatus], tx.OrigStatus},
			{"end status", statusByName[got.EndStatus], tx.EndStatus},
			{"total fees", got.TotalFees, tx.TotalFees.String()},
			{"in message", got.InMessage.Hash, tx.InMsg},
			{"out messages", fmt.Sprint(outs), fmt.Sprint(tx.OutMsgs)},
		}
		if got.ResultCode != nil {
			want = append(want, struct {
				field     string
				got, want any
			}{"result code", *got.ResultCode, tx.ResultCode})
		}
		if got.ExitCode != nil && !tx.ComputeSkipped {
			want = append(want, struct {
				field     string
				got, want any
			}{"exit code", *got.ExitCode, tx.ExitCode})
		}
		for _, w := range want {
			if fmt.Sprint(w.got) != fmt.Sprint(w.want) {
				t.Errorf("%s: %s %v in the BOC, %v recorded", name, w.field, w.got, w.want)
			}
		}
		info, err := b.TransactionInfo(base64.StdEncoding.EncodeToString(tx.BOC))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		phases := []struct {
			field     string
			got, want any
		}{
			{"aborted", info.Aborted, tx.Aborted},
			{"compute skipped", info.ComputeSkipped != nil, tx.ComputeSkipped},
			{"out messages", info.OutMsgs, len(tx.OutMsgs)},
			{"now", info.Now, tx.Now},
		}
		if !tx.ComputeSkipped {
			phases = append(phases, []struct {
				field     string
				got, want any
			}{{"exit code", info.ExitCode, tx.ExitCode}, {"compute success", info.Success, tx.ComputeSuccess()}}...)
		}
		if tx.ComputeSuccess() {
			phases = append(phases, struct {
				field     string
				got, want any
			}{"action result code", info.ActionResultCode, tx.ResultCode})
		}
		for _, w := range phases {
			if fmt.Sprint(w.got) != fmt.Sprint(w.want) {
				t.Errorf("%s: description: %s %v, %v recorded", name, w.field, w.got, w.want)
			}
		}
		old, updated := stateUpdate(t, tx.BOC)
		prev, linked := last[tx.Account]
		if linked {
			if _, prevNew := stateUpdate(t, prev.BOC); old != prevNew {
				t.Errorf("%s: the state update starts from %x, the previous one ended at %x", name, old, prevNew)
			}
		}
		newest[tx.Account] = updated
		switch {
		case !linked && got.PrevTransactionID != nil:
			t.Errorf("%s: the first on its account links to %+v", name, *got.PrevTransactionID)
		case linked && (got.PrevTransactionID == nil || got.PrevTransactionID.Hash != prev.ID || got.PrevTransactionID.LT != strconv.FormatUint(prev.Lt, 10)):
			t.Errorf("%s: links to %+v, the previous transaction is %s at %d", name, got.PrevTransactionID, prev.ID, prev.Lt)
		case linked && tx.Lt <= prev.Lt+uint64(len(prev.OutMsgs)):
			t.Errorf("%s: lt %d not past the previous transaction's %d and its %d messages", name, tx.Lt, prev.Lt, len(prev.OutMsgs))
		}
		last[tx.Account] = tx
	}
	for _, addr := range slices.Sorted(func(yield func(string) bool) {
		for a := range last {
			if !yield(a) {
				return
			}
		}
	}) {
		a, ok := l.Account(addr)
		if !ok {
			if none := must(cell.BeginCell().StoreBool(false).EndCell()).Hash(); newest[addr] != none {
				t.Errorf("account %s does not exist, its last state update ends at %x", addr, newest[addr])
			}
			continue // a bounce left it non-existent
		}
		if h := must(cell.FromBOC(a.BOC)).Hash(); newest[addr] != h {
			t.Errorf("account %s hashes to %x, its last state update ends at %x", addr, h, newest[addr])
		}
		acc, err := contract.DecodeAccount(a.BOC)
		if err != nil {
			t.Fatalf("account %s: %v", addr, err)
		}
		tx := last[addr]
		if want := tx.Lt + 1 + uint64(len(tx.OutMsgs)); a.LastTransLt != acc.LastTransLT || a.LastTransLt != want {
			t.Errorf("account %s: last_trans_lt %d, its BOC's %d, want %d (after the transaction at %d)", addr, a.LastTransLt, acc.LastTransLT, want, tx.Lt)
		}
	}
}

// stateUpdate reads a transaction's HASH_UPDATE Account.
func stateUpdate(t *testing.T, boc []byte) (old, updated [32]byte) {
	t.Helper()
	s := must(cell.FromBOC(boc)).Ref(1).BeginParse()
	if tag, err := s.LoadUInt(8); err != nil || tag != 0x72 {
		t.Fatalf("state update tag %x", tag)
	}
	copy(old[:], must(s.LoadBytes(32)))
	copy(updated[:], must(s.LoadBytes(32)))
	return old, updated
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestNekotonPagesThroughHistory: nekoton's GqlTransport, reading an
// account's transactions from the devnet a page at a time, follows the
// links of the transaction BOCs to the account's first transaction, on
// both executors.
func TestNekotonPagesThroughHistory(t *testing.T) {
	b := nekotontest.Start(t)
	for _, tc := range bothExecutors(b) {
		t.Run(tc.name, func(t *testing.T) {
			srv, g := giverTransfers(t, tc.ex, 5)
			var want []devnet.Transaction
			for _, tx := range srv.Transactions() {
				if tx.Account == g.Address {
					want = append([]devnet.Transaction{tx}, want...)
				}
			}
			got, err := b.AccountTransactions(srv.URL, g.Address, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(want) != 5 {
				t.Fatalf("nekoton read %d transactions, the giver has %d: %+v", len(got), len(want), got)
			}
			for i, w := range want {
				if got[i].ID.Hash != w.ID || got[i].ID.LT != strconv.FormatUint(w.Lt, 10) {
					t.Errorf("transaction %d: nekoton read %+v, want %s at %d", i, got[i].ID, w.ID, w.Lt)
				}
			}
		})
	}
}

// bothExecutors are the devnet's two executors, Everscale's on b.
func bothExecutors(b *nekoton.Bridge) []struct {
	name string
	ex   devnet.Executor
} {
	return []struct {
		name string
		ex   devnet.Executor
	}{{"go executor", contracts.New()}, {"everscale executor", New(b)}}
}

// fundedGiver is a local giver holding a million tokens, and its owner.
func fundedGiver(t *testing.T) (ed25519.PrivateKey, devnet.Account) {
	t.Helper()
	_, owner, _ := ed25519.GenerateKey(rand.Reader)
	g, err := contracts.GiverAccount(owner.Public().(ed25519.PublicKey), big.NewInt(1_000_000e9))
	if err != nil {
		t.Fatal(err)
	}
	return owner, g
}

// TestNekotonReadsBlocks: nekoton's block walking, the way its
// subscriptions follow an account, finds the devnet's latest shard block
// and, parsing each shard block's BOC with Everscale's ton_block, the
// account's transactions in it, on both executors.
func TestNekotonReadsBlocks(t *testing.T) {
	b := nekotontest.Start(t)
	for _, tc := range bothExecutors(b) {
		t.Run(tc.name, func(t *testing.T) {
			srv, g := giverTransfers(t, tc.ex, 3)
			var ids []string
			var want [][]string
			for _, blk := range srv.Blocks() {
				if blk.Signatures != nil {
					continue // masterchain blocks
				}
				ids = append(ids, blk.ID)
				var mine []string
				for _, tx := range srv.Transactions() {
					if tx.BlockID == blk.ID && tx.Account == g.Address {
						mine = append(mine, tx.ID)
					}
				}
				want = append(want, mine)
			}
			walk, err := b.BlockTransactions(srv.URL, g.Address, ids)
			if err != nil {
				t.Fatal(err)
			}
			if walk.Latest.ID != ids[len(ids)-1] {
				t.Errorf("nekoton's latest block %s, the devnet's %s", walk.Latest.ID, ids[len(ids)-1])
			}
			if len(ids) != 3 || fmt.Sprint(walk.Found) != fmt.Sprint(want) {
				t.Errorf("nekoton found %v in blocks %v, want %v", walk.Found, ids, want)
			}
		})
	}
}

// giverTransfers starts a devnet on ex whose funded giver has sent n
// transfers; the test's end stops it.
func giverTransfers(t *testing.T, ex devnet.Executor, n int) (*devnet.Server, devnet.Account) {
	t.Helper()
	owner, g := fundedGiver(t)
	srv := devnet.NewServer(devnet.WithExecutor(ex), devnet.WithAccounts(g))
	t.Cleanup(srv.Close)
	giver := cell.MustParseAddress(g.Address)
	ms := uint64(srv.Now().UnixMilli())
	for i := range n {
		var dst [32]byte
		dst[0] = byte(i + 1)
		msg, err := contract.LocalGiver.TransferMessage(giver, contract.Transfer{Dest: cell.NewStdAddress(0, dst), Value: 1e9}, owner, ms+uint64(i), uint32(srv.Now().Unix())+60)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Deliver(msg.ToBOC(), srv.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	return srv, g
}
