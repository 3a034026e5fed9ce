package devnet

import (
	"encoding/hex"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

func deployable(t *testing.T, n uint64) (*abi.StateInit, string) {
	t.Helper()
	code, _ := cell.BeginCell().StoreUInt(0xC0DE, 16).EndCell()
	data, _ := cell.BeginCell().StoreUInt(n, 64).EndCell()
	init := &abi.StateInit{Code: code, Data: data}
	h, err := init.Hash()
	if err != nil {
		t.Fatal(err)
	}
	return init, "0:" + hex.EncodeToString(h[:])
}

func TestDefaultExecutor(t *testing.T) {
	// transfer is an internal message of value from testAddr(2) to testAddr(1).
	transfer := func(value int64, bounce bool) func() []byte {
		return func() []byte {
			return must(BuildInternalMessage(testAddr(2), testAddr(1), bigInt(value), bounce, false, nil))
		}
	}
	init, deployAddr := deployable(t, 1)
	_, otherAddr := deployable(t, 2)
	type want struct {
		txs     int
		aborted bool
		skipped bool
		// state of the destination afterwards
		typ     account.Status
		balance int64
	}
	tests := []struct {
		name     string
		accounts []Account
		msg      func() []byte
		dst      string
		want     want
		// bounced value arrives back at this account with this balance
		backTo  string
		backBal int64
	}{
		{name: "external to active", accounts: []Account{{Address: testAddr(1), Type: account.Active, Balance: bigInt(10)}},
			msg: func() []byte { b, _, _ := extMessage(testAddr(1), nil, nil); return b }, dst: testAddr(1),
			want: want{txs: 1, typ: account.Active, balance: 10}},
		{name: "external to missing account rejected",
			msg: func() []byte { b, _, _ := extMessage(testAddr(1), nil, nil); return b }, dst: testAddr(1),
			want: want{txs: 0, typ: account.NonExist}},
		{name: "external to uninit without init rejected", accounts: []Account{{Address: testAddr(1), Type: account.Uninit, Balance: bigInt(10)}},
			msg: func() []byte { b, _, _ := extMessage(testAddr(1), nil, nil); return b }, dst: testAddr(1),
			want: want{txs: 0, typ: account.Uninit, balance: 10}},
		{name: "external deploy to funded uninit", accounts: []Account{{Address: deployAddr, Type: account.Uninit, Balance: bigInt(10)}},
			msg: func() []byte { b, _, _ := extMessage(deployAddr, init, nil); return b }, dst: deployAddr,
			want: want{txs: 1, typ: account.Active, balance: 10}},
		{name: "external deploy without funds rejected",
			msg: func() []byte { b, _, _ := extMessage(deployAddr, init, nil); return b }, dst: deployAddr,
			want: want{txs: 0, typ: account.NonExist}},
		{name: "StateInit of another address dropped", accounts: []Account{{Address: otherAddr, Type: account.Uninit, Balance: bigInt(10)}},
			msg: func() []byte { b, _, _ := extMessage(otherAddr, init, nil); return b }, dst: otherAddr,
			want: want{txs: 0, typ: account.Uninit, balance: 10}},
		{name: "internal credits active", accounts: []Account{{Address: testAddr(1), Type: account.Active, Balance: bigInt(10)}},
			msg: transfer(5, true), dst: testAddr(1),
			want: want{txs: 1, typ: account.Active, balance: 15}},
		// No code runs on an account without code: the compute phase is
		// skipped, which makes the transaction aborted, though the value
		// stays unless it bounces.
		{name: "internal non-bounceable creates uninit",
			msg: transfer(5, false), dst: testAddr(1),
			want: want{txs: 1, aborted: true, skipped: true, typ: account.Uninit, balance: 5}},
		{name: "internal non-bounceable credits uninit", accounts: []Account{{Address: testAddr(1), Type: account.Uninit, Balance: bigInt(3)}},
			msg: transfer(5, false), dst: testAddr(1),
			want: want{txs: 1, aborted: true, skipped: true, typ: account.Uninit, balance: 8}},
		{name: "internal bounceable without value creates uninit",
			msg: transfer(0, true), dst: testAddr(1),
			want: want{txs: 1, aborted: true, skipped: true, typ: account.Uninit, balance: 0}},
		{name: "internal bounceable to missing bounces", accounts: []Account{{Address: testAddr(2), Type: account.Active, Balance: bigInt(100)}},
			msg: transfer(5, true), dst: testAddr(1),
			want: want{txs: 2, aborted: true, skipped: true, typ: account.NonExist}, backTo: testAddr(2), backBal: 105},
		{name: "internal bounceable to uninit bounces", accounts: []Account{{Address: testAddr(1), Type: account.Uninit, Balance: bigInt(3)}, {Address: testAddr(2), Type: account.Active, Balance: bigInt(100)}},
			msg: transfer(5, true), dst: testAddr(1),
			want: want{txs: 2, aborted: true, skipped: true, typ: account.Uninit, balance: 3}, backTo: testAddr(2), backBal: 105},
		{name: "internal bounceable to frozen bounces", accounts: []Account{{Address: testAddr(1), Type: account.Frozen, Balance: bigInt(3)}, {Address: testAddr(2), Type: account.Active, Balance: bigInt(100)}},
			msg: transfer(5, true), dst: testAddr(1),
			want: want{txs: 2, aborted: true, skipped: true, typ: account.Frozen, balance: 3}, backTo: testAddr(2), backBal: 105},
		{name: "internal with StateInit deploys",
			msg: func() []byte {
				m := abi.NewInternalMessage(cell.MustParseAddress(deployAddr), bigInt(7), true, init, nil)
				m.Src = cell.MustParseAddress(testAddr(2))
				return must(m.ToBOC())
			}, dst: deployAddr,
			want: want{txs: 1, typ: account.Active, balance: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(WithAccounts(tt.accounts...))
			defer srv.Close()
			if err := srv.Deliver(tt.msg(), time.Time{}); err != nil {
				t.Fatal(err)
			}
			txs := srv.Transactions()
			if len(txs) != tt.want.txs {
				t.Fatalf("%d transactions, want %d: %+v", len(txs), tt.want.txs, txs)
			}
			if tt.want.txs > 0 {
				tx := txs[0]
				if tx.Account != tt.dst || tx.Aborted != tt.want.aborted || tx.ComputeSkipped != tt.want.skipped || tx.EndStatus != tt.want.typ {
					t.Errorf("transaction %+v", tx)
				}
			}
			a, ok := srv.Account(tt.dst)
			if !ok {
				a = Account{Type: account.NonExist, Balance: new(big.Int)}
			}
			if a.Type != tt.want.typ || a.Balance.Int64() != tt.want.balance {
				t.Errorf("destination %v balance %v, want %v %d", a.Type, a.Balance, tt.want.typ, tt.want.balance)
			}
			if tt.want.typ == account.Active && tt.dst == deployAddr {
				code, _ := cell.FromBOC(a.Code)
				if code == nil || !code.Equal(init.Code) {
					t.Error("deployed code differs from the StateInit's")
				}
			}
			if tt.backTo != "" {
				b, _ := srv.Account(tt.backTo)
				if b.Balance.Int64() != tt.backBal {
					t.Errorf("bounced back: balance %v, want %d", b.Balance, tt.backBal)
				}
				if len(txs[0].OutMsgs) != 1 {
					t.Errorf("bouncing transaction out_msgs %v", txs[0].OutMsgs)
				}
			}
		})
	}
}

func TestExecutorLtAndIDs(t *testing.T) {
	srv := NewServer(WithAccounts(Account{Address: testAddr(1), Type: account.Active, Balance: bigInt(1)}))
	defer srv.Close()
	for i := 0; i < 3; i++ {
		body, _ := cell.BeginCell().StoreUInt(uint64(i), 8).EndCell()
		b, _, _ := extMessage(testAddr(1), nil, body)
		srv.Deliver(b, time.Time{})
	}
	txs := srv.Transactions()
	ids := map[string]bool{}
	for i, tx := range txs {
		if i > 0 && tx.Lt <= txs[i-1].Lt {
			t.Errorf("lt not increasing: %d after %d", tx.Lt, txs[i-1].Lt)
		}
		if len(tx.ID) != 64 || ids[tx.ID] {
			t.Errorf("transaction id %q", tx.ID)
		}
		ids[tx.ID] = true
	}
	a, _ := srv.Account(testAddr(1))
	if a.LastTransLt != txs[2].Lt+1 {
		t.Errorf("last_trans_lt %d, want the one after the last transaction's %d", a.LastTransLt, txs[2].Lt)
	}
	// Expired: dropped before execution.
	b, _, _ := extMessage(testAddr(1), nil, nil)
	srv.Deliver(b, time.Now().Add(-time.Second))
	if n := len(srv.Transactions()); n != 3 {
		t.Errorf("expired message executed (%d transactions)", n)
	}
}
