package devnet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// TestExecutorTransactionBOCs: a transaction an executor serialized keeps
// its lt and is linked by the ledger to the account's previous one, its id
// the hash of the linked BOC; one that is not a transaction is refused.
func TestExecutorTransactionBOCs(t *testing.T) {
	var broken bool
	ex := ExecutorFunc(func(env Env, in Inbound, st State) (*Result, error) {
		res, err := DefaultExecutor{}.Execute(env, in, st)
		if err != nil {
			return nil, err
		}
		tx := &res.Transactions[0]
		tx.Lt, tx.Now = env.Lt, uint32(env.Now.Unix())
		a := &res.Accounts[0]
		a.LastTransLt, a.BOC = env.Lt+1, nil
		a.BOC = must(a.MarshalBOC())
		if broken {
			tx.BOC = must(cell.BeginCell().StoreUInt(0b0110, 4).EndCell()).ToBOC()
			return res, nil
		}
		root, err := buildTransaction(txCell{tx: tx, in: in.Root, oldHash: noneHash, newHash: noneHash})
		if err != nil {
			return nil, err
		}
		tx.BOC = root.ToBOC()
		return res, nil
	})
	var logs []string
	srv := NewServer(WithExecutor(ex), WithAccounts(activeAccount(t, 1, 5)),
		WithLogf(func(f string, args ...any) { logs = append(logs, fmt.Sprintf(f, args...)) }))
	defer srv.Close()
	for i := range 3 {
		b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, uint64(i)))
		if err := srv.Deliver(b, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	txs := srv.Transactions()
	if len(txs) != 3 {
		t.Fatalf("%d transactions", len(txs))
	}
	for i, tx := range txs {
		root := must(cell.FromBOC(tx.BOC))
		h, err := readTxHeader(root)
		if err != nil {
			t.Fatal(err)
		}
		if tx.ID != root.HashHex() || h.lt != tx.Lt {
			t.Errorf("transaction %d: id %s lt %d, its BOC hashes to %s and says lt %d", i, tx.ID, tx.Lt, root.HashHex(), h.lt)
		}
		var prevHash [32]byte
		var prevLt uint64
		if i > 0 {
			prevHash, prevLt = txHash(txs[i-1].ID), txs[i-1].Lt
		}
		if h.prevHash != prevHash || h.prevLt != prevLt {
			t.Errorf("transaction %d links to %x at %d, want %x at %d", i, h.prevHash, h.prevLt, prevHash, prevLt)
		}
	}
	if a, _ := srv.Account(testAddr(1)); a.LastTransLt != txs[2].Lt+1 {
		t.Errorf("last_trans_lt %d, want %d", a.LastTransLt, txs[2].Lt+1)
	}
	broken = true
	b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, 9))
	srv.Deliver(b, time.Time{})
	if n := len(srv.Transactions()); n != 3 || len(logs) != 1 || !strings.Contains(logs[0], "transaction") {
		t.Errorf("a broken transaction BOC: %d transactions, logs %q", n, logs)
	}
}

// TestMessageStateInitFields: the code and data a message's StateInit
// carries, and the fees of its header.
func TestMessageStateInitFields(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	code, data := cellOf16(t, 1), cellOf16(t, 2)
	si := &abi.StateInit{Code: code, Data: data}
	h := must(si.Hash())
	dst := cell.NewStdAddress(0, h)
	msg := abi.NewInternalMessage(dst, bigInt(1000), false, si, nil)
	msg.Src = cell.MustParseAddress(testAddr(2))
	b := must(msg.ToBOC())
	if err := srv.Deliver(b, time.Time{}); err != nil {
		t.Fatal(err)
	}
	id := hexID(must(ParseMessage(b)).Hash)
	_, r := post(t, srv.URL, `{messages(filter:{id:{eq:"`+id+`"}}){code code_hash data data_hash ihr_fee fwd_fee import_fee ihr_disabled body body_hash}}`, nil)
	m := r.Get("data.messages.0")
	for path, want := range map[string]string{
		"code": code.ToBase64(), "code_hash": code.HashHex(), "data": data.ToBase64(), "data_hash": data.HashHex(),
		"ihr_fee": "0x0", "fwd_fee": "0x0", "import_fee": "", "ihr_disabled": "true", "body": "", "body_hash": "",
	} {
		if got := m.Get(path).String(); got != want {
			t.Errorf("%s = %q, want %q (%s)", path, got, want, r.Raw)
		}
	}
}
