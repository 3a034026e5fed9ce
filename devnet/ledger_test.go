package devnet

import (
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/account"
)

// A Ledger runs messages through its Executor with no server in front of
// it, and its state directory brings it back as it was.
func TestLedgerAlone(t *testing.T) {
	dir := t.TempDir()
	clk := NewManualClock(time.Unix(1_700_000_000, 0))
	l, err := NewLedger(WithStateDir(dir), WithClock(clk), WithAddr("ignored"),
		WithAccounts(Account{Address: testAddr(2), Type: account.Active, Balance: bigInt(100)}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value   int64
		wantBal int64
		wantLt  uint64
	}{
		// An account's lt is the one after its last transaction's.
		{value: 5, wantBal: 5, wantLt: 2},
		{value: 7, wantBal: 12, wantLt: 4},
	}
	for _, tt := range tests {
		clk.Advance(time.Second)
		if err := l.Deliver(must(BuildInternalMessage(testAddr(2), testAddr(1), bigInt(tt.value), false, false, nil)), time.Time{}); err != nil {
			t.Fatal(err)
		}
		a, ok := l.Account(testAddr(1))
		if !ok || a.Type != account.Uninit || a.Balance.Int64() != tt.wantBal || a.LastTransLt != tt.wantLt {
			t.Fatalf("after %d: %+v (found %v), want uninit holding %d at lt %d", tt.value, a, ok, tt.wantBal, tt.wantLt)
		}
		if a.LastPaid != uint32(clk.Now().Unix()) {
			t.Errorf("last paid %d, want the ledger's clock %d", a.LastPaid, clk.Now().Unix())
		}
	}
	l.Close()
	l.Close()
	again, err := NewLedger(WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, want := len(again.Transactions()), len(tests); got != want {
		t.Errorf("restored %d transactions, want %d", got, want)
	}
	if a, ok := again.Account(testAddr(1)); !ok || a.Balance.Int64() != 12 {
		t.Errorf("restored %+v (found %v), want a balance of 12", a, ok)
	}
	// After Close nothing is taken.
	again.Close()
	boc, _, err := extMessage(testAddr(2), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(boc)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.post(m, time.Time{}); err != errClosing {
		t.Errorf("posting to a closed ledger: %v, want %v", err, errClosing)
	}
}

// An account put in place with a logical time makes the chain's time pass
// it: the account's next transaction comes after its last one.
func TestSetAccountAdvancesLt(t *testing.T) {
	l := must(NewLedger(WithAccounts(activeAccount(t, 1, 5))))
	defer l.Close()
	a := activeAccount(t, 2, 5)
	a.LastTransLt = 1000
	if err := l.SetAccount(a); err != nil {
		t.Fatal(err)
	}
	if err := l.Deliver(must(BuildInternalMessage(testAddr(3), testAddr(2), bigInt(1), false, false, nil)), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if txs := l.Transactions(); len(txs) != 1 || txs[0].Lt <= 1000 {
		t.Errorf("transactions %+v, want one after lt 1000", txs)
	}
}
