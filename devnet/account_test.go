package devnet

import (
	"math/big"
	"testing"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
)

// An account's BOC is the blockchain's: package contract, which reads the
// accounts the real API returns, reads it back.
func TestAccountMarshalBOC(t *testing.T) {
	code, _ := cell.BeginCell().StoreUInt(0xC0DE, 16).EndCell()
	data, _ := cell.BeginCell().StoreUInt(42, 64).StoreRef(code).EndCell()
	tests := []struct {
		name string
		a    Account
		want account.Status
	}{
		{"active", Account{Address: testAddr(1), Type: account.Active, Balance: bigInt(12345), Code: code.ToBOC(), Data: data.ToBOC(), LastTransLt: 77, LastPaid: 1700000000}, account.Active},
		{"active without data", Account{Address: testAddr(2), Type: account.Active, Balance: bigInt(1), Code: code.ToBOC()}, account.Active},
		{"uninit", Account{Address: testAddr(3), Type: account.Uninit, Balance: bigInt(5)}, account.Uninit},
		{"uninit with no balance given", Account{Address: testAddr(4), Type: account.Uninit}, account.Uninit},
		{"frozen", Account{Address: testAddr(5), Type: account.Frozen, Balance: bigInt(0), Code: code.ToBOC(), Data: data.ToBOC()}, account.Frozen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.a.MarshalBOC()
			if err != nil {
				t.Fatal(err)
			}
			got, err := contract.DecodeAccount(b)
			if err != nil {
				t.Fatal(err)
			}
			balance := tt.a.Balance
			if balance == nil {
				balance = new(big.Int)
			}
			if got.Status != tt.want || got.Address.String() != tt.a.Address || got.Balance.Cmp(balance) != 0 ||
				got.LastTransLT != tt.a.LastTransLt || got.LastPaid != tt.a.LastPaid {
				t.Errorf("decoded %+v", got)
			}
			if tt.want == account.Active && (!got.Code.Equal(code) || (tt.a.Data != nil) != (got.Data != nil)) {
				t.Errorf("code %v data %v", got.Code, got.Data)
			}
			if tt.want == account.Frozen {
				h := must((&abi.StateInit{Code: code, Data: data}).Hash())
				if got.StateHash != h {
					t.Errorf("state hash %x, want %x", got.StateHash, h)
				}
			}
		})
	}
	for name, a := range map[string]Account{
		"non-existent": {Address: testAddr(1), Type: account.NonExist},
		"bad address":  {Address: "0:zz", Type: account.Uninit},
		"bad code":     {Address: testAddr(1), Type: account.Active, Code: []byte("not a boc")},
	} {
		if _, err := a.MarshalBOC(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
