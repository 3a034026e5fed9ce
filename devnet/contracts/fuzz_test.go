package contracts

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
)

// FuzzExecutor sends arbitrary external bodies to every contract the
// executor knows (a funded proof address with its StateInit, the local
// giver, each wallet stand-in). The executor must never fail other than by
// rejecting, never leave a negative balance, and report in the transaction
// what the account's balance did (an accepted call always costs something).
func FuzzExecutor(f *testing.F) {
	owner := ed25519.NewKeyFromSeed(make([]byte, 32))
	p, err := contract.NewProof(pubOf(owner), "fuzzed proof")
	if err != nil {
		f.Fatal(err)
	}
	deploy, err := p.DeployMessage(owner, time.Unix(chainTime, 0), chainTime+60)
	if err != nil {
		f.Fatal(err)
	}
	seedBody := func(m *cell.Cell) []byte { return bodyOf(f, m).ToBOC() }
	f.Add(uint8(0), seedBody(deploy))
	f.Add(uint8(0), cell.EmptyCell.ToBOC())
	for k := contract.SafeMultisig; k <= contract.LocalGiver; k++ {
		a, err := WalletAccount(k, pubOf(owner), big.NewInt(1e9))
		if err != nil {
			f.Fatal(err)
		}
		m, err := k.TransferMessage(cell.MustParseAddress(a.Address), contract.Transfer{Dest: p.Address(), Value: 1e6}, owner, chainTime*1000, chainTime+60)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(k), seedBody(m))
	}
	f.Fuzz(func(t *testing.T, target uint8, bodyBOC []byte) {
		body, err := cell.FromBOC(bodyBOC)
		if err != nil {
			return
		}
		w := emulator(t)
		var dst *cell.Address
		var init *cell.Cell
		k := contract.WalletKind(target % uint8(contract.LocalGiver+1))
		if k == contract.WalletUnknown {
			dst, init = p.Address(), p.StateInit()
			w.goAcc[dst.String()] = devnet.Account{Address: dst.String(), Type: account.Uninit, Balance: big.NewInt(contract.DefaultTopUp)}
		} else {
			dst = w.add(WalletAccount(k, pubOf(owner), big.NewInt(1e9)))
		}
		before := w.goAcc[dst.String()]
		m, err := devnet.ParseMessage(extMsg(t, dst, init, body))
		if err != nil {
			return
		}
		res, err := w.ex.Execute(devnet.Env{Now: time.Unix(chainTime, 0)}, devnet.Inbound{Message: m}, w)
		if err != nil {
			if !errors.Is(err, devnet.ErrRejected) || res != nil {
				t.Fatalf("not a rejection: %v (result %v)", err, res)
			}
			return
		}
		if len(res.Transactions) != 1 || len(res.Accounts) != 1 {
			t.Fatalf("%d transactions and %d accounts for one message", len(res.Transactions), len(res.Accounts))
		}
		after := res.Accounts[0]
		if after.Balance.Sign() < 0 {
			t.Fatalf("negative balance %s", after.Balance)
		}
		if d := new(big.Int).Sub(after.Balance, before.Balance); d.Cmp(res.Transactions[0].BalanceDelta) != 0 {
			t.Fatalf("the balance moved by %s, the transaction says %s", d, res.Transactions[0].BalanceDelta)
		}
		if d := new(big.Int).Neg(res.Transactions[0].BalanceDelta); d.Sign() <= 0 {
			t.Fatalf("an external message gained the account %s", res.Transactions[0].BalanceDelta)
		}
	})
}
