package devnet

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/account"
)

// TestJournal: a ledger restarted from its state directory has every
// change, whether the changes are in the journal or were folded into a
// new snapshot, and a torn last entry is dropped.
func TestJournal(t *testing.T) {
	for _, tc := range []struct {
		name       string
		minJournal int64
		torn       bool
	}{
		{"journal", 4 << 20, false},
		{"snapshots", 1, false}, // the journal may grow only to the snapshot's size
		{"torn entry", 4 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(v int64) { minJournal = v }(minJournal)
			minJournal = tc.minJournal
			dir := t.TempDir()
			l := must(NewLedger(WithStateDir(dir), WithAccounts(activeAccount(t, 1, 1000000000))))
			for i := range 5 {
				b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, uint64(i)))
				if err := l.Deliver(b, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Deliver(must(BuildInternalMessage(testAddr(2), testAddr(9), bigInt(5000), true, false, nil)), time.Time{}); err != nil {
				t.Fatal(err)
			}
			if err := l.SetAccount(Account{Address: testAddr(1), Type: account.NonExist}); err != nil {
				t.Fatal(err)
			}
			want, wantAcc := l.Transactions(), l.accounts
			l.Close()
			// A journal kept small was folded into a new snapshot.
			if snap := must(readSnapshot(dir)); (snap.Seq > 0) != (tc.minJournal == 1) {
				t.Errorf("the snapshot holds %d changes (journal limit %d)", snap.Seq, tc.minJournal)
			}
			if tc.torn {
				f := must(os.OpenFile(filepath.Join(dir, journalFile), os.O_WRONLY|os.O_APPEND, 0))
				f.WriteString(`{"seq":99,"lt":`)
				f.Close()
			}
			again := must(NewLedger(WithStateDir(dir)))
			defer again.Close()
			got := again.Transactions()
			if len(got) != len(want) {
				t.Fatalf("%d transactions after a restart, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID || !bytes.Equal(got[i].BOC, want[i].BOC) || len(got[i].OutMsgs) != len(want[i].OutMsgs) {
					t.Errorf("transaction %d: %+v, want %+v", i, got[i], want[i])
				}
			}
			if len(again.accounts) != len(wantAcc) || again.accounts[testAddr(1)] != nil {
				t.Errorf("accounts after a restart %v, want %v", again.accounts, wantAcc)
			}
			for addr, st := range wantAcc {
				if g := again.accounts[addr]; g == nil || !bytes.Equal(g.BOC, st.BOC) || g.LastTransLt != st.LastTransLt {
					t.Errorf("account %s after a restart %+v, want %+v", addr, g, st)
				}
			}
			if again.lt != l.lt || len(again.msgList) != len(l.msgList) {
				t.Errorf("lt %d and %d messages after a restart, want %d and %d", again.lt, len(again.msgList), l.lt, len(l.msgList))
			}
			// Changes after the restart are kept as well.
			if err := again.Deliver(must(BuildInternalMessage(testAddr(3), testAddr(2), bigInt(7), false, false, nil)), time.Time{}); err != nil {
				t.Fatal(err)
			}
			again.Close()
			third := must(NewLedger(WithStateDir(dir)))
			defer third.Close()
			if n := len(third.Transactions()); n != len(want)+1 {
				t.Errorf("%d transactions after a second restart, want %d", n, len(want)+1)
			}
		})
	}
}
