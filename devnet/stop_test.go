package devnet

import (
	"encoding/hex"
	"testing"
	"time"
)

// TestStopBeforeBlock: a ledger stopped while the external messages it
// took wait for their block restarts as a node would: what was sealed is
// there once, what was not is not there at all and runs when it is posted
// again, and nothing runs twice.
func TestStopBeforeBlock(t *testing.T) {
	for _, tc := range []struct {
		name string
		// sealed waits for the block before the ledger stops.
		sealed bool
	}{
		{"taken, not yet in a block", false},
		{"in a block", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			interval := time.Hour // no block comes before the stop
			if tc.sealed {
				interval = 20 * time.Millisecond
			}
			l := must(NewLedger(WithStateDir(dir), WithBlockInterval(interval), WithAccounts(activeAccount(t, 1, 1000000000))))
			var msgs []*Message
			for i := range 3 {
				b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, uint64(i)))
				m := must(ParseMessage(b))
				if err := l.post(m, time.Now().Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				msgs = append(msgs, m)
			}
			want := 0
			if n := l.Taken(); !tc.sealed && n != len(msgs) {
				t.Errorf("%d messages taken and waiting for their block, want %d", n, len(msgs))
			}
			if tc.sealed {
				want = len(msgs)
				waitTransactions(t, l, want)
			}
			l.Close()

			again := must(NewLedger(WithStateDir(dir), WithBlockInterval(20*time.Millisecond)))
			defer again.Close()
			if n := len(again.Transactions()); n != want {
				t.Fatalf("%d transactions after a restart, want %d", n, want)
			}
			for _, m := range msgs {
				if err := again.post(m, time.Now().Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			waitTransactions(t, again, len(msgs))
			// Posted again, each ran once in all.
			seen := map[string]int{}
			for _, tx := range again.Transactions() {
				seen[tx.InMsg]++
			}
			for _, m := range msgs {
				if n := seen[hex.EncodeToString(m.Hash[:])]; n != 1 {
					t.Errorf("message %x ran %d times", m.Hash, n)
				}
			}
		})
	}
}

// waitTransactions waits until l has made n transactions, and fails when
// it makes more or none come for a minute.
func waitTransactions(t *testing.T, l *Ledger, n int) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		var got int
		changed := l.read(func() { got = len(l.txs) })
		switch {
		case got == n:
			return
		case got > n:
			t.Fatalf("%d transactions, want %d", got, n)
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("%d transactions after a minute, want %d", got, n)
		}
	}
}
