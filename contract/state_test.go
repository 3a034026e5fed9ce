package contract

import (
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// TestDecodeAccountMatchesNekoton decodes accounts the executor produced
// (none, uninit with a balance, a constructed proof, a giver) and compares
// with nekoton's parseFullAccountBoc.
func TestDecodeAccountMatchesNekoton(t *testing.T) {
	e := newExecutor(t)
	key := testKey(70)
	p, uninit := e.funded(key, "sha256:00")
	msg, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	active := e.run(uninit, msg, chainTime).Account
	_, giver := e.deployGiver(testKey(71), 5_000_000_000)
	var none string
	if err := e.nk.CallInto(&none, "makeFullAccountBoc", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		account string
		status  account.Status
	}{
		{"none", none, account.NonExist},
		{"uninit", uninit, account.Uninit},
		{"proof", active, account.Active},
		{"giver", giver, account.Active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := accountState(t, tt.account)
			if a.Status != tt.status {
				t.Fatalf("status %s, want %s", a.Status, tt.status)
			}
			var st *struct {
				Balance    string
				IsDeployed bool
				CodeHash   string
			}
			if err := e.nk.CallInto(&st, "parseFullAccountBoc", tt.account); err != nil {
				t.Fatal(err)
			}
			if st == nil {
				if tt.status != account.NonExist {
					t.Fatal("nekoton sees no account")
				}
				return
			}
			if a.Balance.String() != st.Balance {
				t.Fatalf("balance %s, nekoton %s", a.Balance, st.Balance)
			}
			if (a.Status == account.Active) != st.IsDeployed {
				t.Fatalf("active %v, nekoton deployed %v", a.Status == account.Active, st.IsDeployed)
			}
			if a.Code != nil && a.Code.HashHex() != st.CodeHash {
				t.Fatalf("code hash %s, nekoton %s", a.Code.HashHex(), st.CodeHash)
			}
		})
	}
	// The data BOC alone, as the GraphQL API's `data` field gives it.
	a := accountState(t, active)
	st, err := DecodeProofData(a.Data.ToBOC())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckState(st); err != nil {
		t.Fatal(err)
	}
	// Check refuses the proof of other content at the same account.
	q, err := NewProof(pubOf(key), "other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Check(a); !errors.Is(err, ErrProofMismatch) {
		t.Fatalf("Check of other content = %v, want ErrProofMismatch", err)
	}
	if _, err := p.Check(accountState(t, uninit)); !errors.Is(err, ErrNotDeployed) {
		t.Fatalf("Check of uninit = %v, want ErrNotDeployed", err)
	}
	if _, err := p.Check(accountState(t, giver)); !errors.Is(err, ErrProofMismatch) {
		t.Fatalf("Check of the giver = %v, want ErrProofMismatch", err)
	}
	ga := accountState(t, giver)
	ga.Address = nil
	if _, err := p.Check(ga); !errors.Is(err, ErrNotProof) {
		t.Fatalf("Check of giver code = %v, want ErrNotProof", err)
	}
}

// TestParseAccountForms builds accounts by the TL-B: both StorageUsed
// forms, frozen, with extra bits that must be refused.
func TestParseAccountForms(t *testing.T) {
	addr := cell.NewStdAddress(0, [32]byte{5})
	base := func(counters int) *cell.Builder {
		b := cell.BeginCell().StoreBool(true).StoreAddress(addr)
		for i := range counters {
			b.StoreVarUInt(big.NewInt(int64(i+1)), 3)
		}
		return b.StoreUInt(chainTime, 32).StoreBool(false).StoreUInt(77, 64).StoreCoinsUint64(12345).StoreBool(false)
	}
	frozenHash := [32]byte{1, 2, 3}
	tests := []struct {
		name    string
		b       *cell.Builder
		status  account.Status
		wantErr bool
	}{
		{"uninit, three counters", base(3).StoreUInt(0, 2), account.Uninit, false},
		{"uninit, two counters", base(2).StoreUInt(0, 2), account.Uninit, false},
		{"frozen", base(3).StoreUInt(1, 2).StoreBytes(frozenHash[:]), account.Frozen, false},
		{"active", base(3).StoreBool(true).StoreUInt(0b00110, 5).StoreRef(proofCode()).StoreRef(cell.EmptyCell), account.Active, false},
		{"init code hash absent", base(3).StoreUInt(0, 2).StoreBool(false), account.Uninit, false},
		{"garbage after the state", base(3).StoreUInt(0, 2).StoreUInt(5, 9), 0, true},
		{"truncated", cell.BeginCell().StoreBool(true).StoreAddress(addr), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAccount(mustCell(tt.b))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("decoded %+v", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tt.status || a.Balance.Int64() != 12345 || a.LastTransLT != 77 || !a.Address.Equal(addr) {
				t.Fatalf("decoded %+v", a)
			}
			if tt.status == account.Frozen && a.StateHash != frozenHash {
				t.Fatal("frozen state hash")
			}
		})
	}
	if _, err := DecodeAccount([]byte{1, 2, 3}); err == nil {
		t.Fatal("garbage BOC decoded")
	}
	if _, err := DecodeAccount(mustB64(t, "te6ccgEBAQEAAwAAAUA=")); err != nil {
		t.Fatalf("account_none: %v", err)
	}
}

func mustB64(t *testing.T, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
