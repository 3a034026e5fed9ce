package devnet

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/gosh-sh/sign-cli/account"
)

// TestExecutorAccountBOC: an account BOC that an executor produced is
// what the server keeps, answers with and saves; a BOC an executor only
// passed along with changed fields is built again from them.
func TestExecutorAccountBOC(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		produce  bool // the executor builds the BOC itself
		wantOwn  bool
		newValue int64
	}{
		{"produced by the executor", true, true, 7},
		{"passed along stale", false, false, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var own []byte
			ex := ExecutorFunc(func(env Env, in Inbound, st State) (*Result, error) {
				a, ok := st.Account(testAddr(1))
				if !ok || a.BOC == nil {
					t.Fatalf("the executor got %+v", a)
				}
				a.Balance = big.NewInt(tc.newValue)
				if tc.produce {
					b := a
					// The lt after the transaction's own (env.Lt).
					b.BOC, b.LastTransLt, b.LastPaid = nil, env.Lt+1, 987654321
					own = must(b.MarshalBOC())
					a.BOC, a.LastTransLt, a.LastPaid = own, b.LastTransLt, b.LastPaid
				}
				return &Result{Accounts: []Account{a}, Transactions: []Transaction{{Account: a.Address, InMsg: hexID(in.Hash)}}}, nil
			})
			sub := t.TempDir()
			if tc.produce {
				sub = dir
			}
			srv := NewServer(WithExecutor(ex), WithStateDir(sub), WithAccounts(Account{Address: testAddr(1), Type: account.Uninit, Balance: bigInt(5)}))
			msg := must(BuildInternalMessage(testAddr(2), testAddr(1), bigInt(1), false, false, nil))
			if err := srv.Deliver(msg, srv.Now().Add(60e9)); err != nil {
				t.Fatal(err)
			}
			a, _ := srv.Account(testAddr(1))
			srv.Close()
			want := Account{Address: testAddr(1), Type: account.Uninit, Balance: bigInt(tc.newValue), LastTransLt: a.LastTransLt, LastPaid: a.LastPaid}
			built := must(want.MarshalBOC())
			switch {
			case tc.wantOwn && !bytes.Equal(a.BOC, own):
				t.Fatalf("the server answers with %x, not the executor's %x", a.BOC, own)
			case !tc.wantOwn && !bytes.Equal(a.BOC, built):
				t.Fatalf("the server answers with %x, not the BOC of the new fields %x", a.BOC, built)
			}
			if tc.produce {
				// The state directory keeps the executor's BOC.
				again := NewServer(WithStateDir(dir))
				defer again.Close()
				if b, _ := again.Account(testAddr(1)); !bytes.Equal(b.BOC, own) {
					t.Fatalf("after a restart the server answers with %x, not %x", b.BOC, own)
				}
			}
		})
	}
}
