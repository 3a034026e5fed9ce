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
		w.checkExternal(t, dst, init, body)
	})
}

// checkExternal runs an external message with body (and init) to dst on
// the emulator: it is rejected, or its one transaction leaves a balance
// that is not negative, moved by what the transaction says, down.
func (w *worlds) checkExternal(t *testing.T, dst *cell.Address, init, body *cell.Cell) {
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
}

// FuzzRealWallets sends EverWallet and the highload wallet arbitrary calls
// signed by their owner (the fuzzed bytes are everything after the
// signature, so the checks after it and after ACCEPT are reached too). The
// executor must never fail other than by rejecting, never leave a negative
// balance, and report what the balance did.
func FuzzRealWallets(f *testing.F) {
	owner := ed25519.NewKeyFromSeed(make([]byte, 32))
	codes := map[contract.WalletKind]*cell.Cell{}
	for _, k := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
		codes[k] = realCode(f, k)
		a, err := RealWalletAccount(k, codes[k], pubOf(owner), big.NewInt(1e12))
		if err != nil {
			f.Fatal(err)
		}
		ts := []contract.Transfer{{Dest: cell.MustParseAddress(a.Address), Value: 1e6, Flags: 3}, {Dest: cell.NewStdAddress(0, [32]byte{1}), Value: 2e6, Flags: 2}}
		m, err := k.TransfersMessage(cell.MustParseAddress(a.Address), ts, owner, chainTime*1000, chainTime+60)
		if err != nil {
			f.Fatal(err)
		}
		body := bodyOf(f, m).BeginParse()
		if k == contract.EverWallet {
			body.Skip(1)
		}
		body.Skip(512)
		after, err := body.ToCell()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(k), after.ToBOC())
	}
	f.Fuzz(func(t *testing.T, target uint8, unsignedBOC []byte) {
		unsigned, err := cell.FromBOC(unsignedBOC)
		if err != nil || unsigned.BitsSize() > cell.MaxBits-513 {
			return // not a body after a signature
		}
		k := contract.EverWallet
		if target%2 == 1 {
			k = contract.HighloadWalletV2
		}
		w := emulator(t)
		dst := w.add(RealWalletAccount(k, codes[k], pubOf(owner), big.NewInt(1e12)))
		var body *cell.Cell
		if k == contract.EverWallet {
			body = signed(t, dst, owner, unsigned.BeginParse().ToBuilder())
		} else {
			h := unsigned.Hash()
			b := cell.BeginCell().StoreBytes(ed25519.Sign(owner, h[:])).StoreSlice(unsigned.BeginParse())
			if body, err = b.EndCell(); err != nil {
				return
			}
		}
		w.checkExternal(t, dst, nil, body)
	})
}
