package contracts

import (
	"crypto/ed25519"
	"encoding/hex"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// A client recognizes a stand-in wallet by its code hash, as it recognizes
// the real wallet on the network.
func TestStandInRecognizedByCodeHash(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 21))
	var accs []devnet.Account
	for k := contract.SafeMultisig; k <= contract.LocalGiver; k++ {
		a, err := WalletAccount(k, pubOf(randKey(r)), big.NewInt(1e9))
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a)
	}
	srv := NewServer(devnet.WithAccounts(accs...))
	defer srv.Close()
	c, err := everos.New(everos.Config{Endpoints: []string{srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := 0, contract.SafeMultisig; k <= contract.LocalGiver; i, k = i+1, k+1 {
		t.Run(k.String(), func(t *testing.T) {
			a, err := c.Account(ctxFor(t), accs[i].Address)
			if err != nil {
				t.Fatal(err)
			}
			var h [32]byte
			copy(h[:], a.CodeHash)
			got, err := contract.WalletKindByCodeHash(h)
			if err != nil || got != k {
				t.Fatalf("code hash %x is %v (%v), want %v", a.CodeHash, got, err, k)
			}
			if want, _ := PublishedCodeHash(k); h != want {
				t.Errorf("code hash %x, want %x", h, want)
			}
		})
	}
}

// The executor runs a stand-in by its marker code, whatever code hash the
// account reports, and keeps the reported hash through its transactions.
func TestStandInDispatchedByCode(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 22))
	owner := randKey(r)
	now := uint32(chainTime)
	tests := []struct {
		name     string
		account  func() devnet.Account
		executed bool // by the stand-in: the transfer goes out
	}{
		{"stand-in", func() devnet.Account {
			a, _ := WalletAccount(contract.SafeMultisig, pubOf(owner), big.NewInt(100e9))
			return a
		}, true},
		{"stand-in reporting another hash", func() devnet.Account {
			a, _ := WalletAccount(contract.SafeMultisig, pubOf(owner), big.NewInt(100e9))
			a.CodeHash = hex.EncodeToString(make([]byte, 32))
			return a
		}, true},
		{"other code reporting the multisig's hash", func() devnet.Account {
			a, _ := WalletAccount(contract.SafeMultisig, pubOf(owner), big.NewInt(100e9))
			a.Code = mustCell(t, cell.BeginCell().StoreUInt(0xC0DE, 16)).ToBOC()
			return a
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := emulator(t)
			acc := tt.account()
			wallet := w.add(acc, nil)
			dest := randAddress(r)
			msg, err := contract.SafeMultisig.TransferMessage(wallet, contract.Transfer{Dest: dest, Value: 1e9, Flags: contract.MultisigFlags}, owner, uint64(now)*1000, now+60)
			if err != nil {
				t.Fatal(err)
			}
			o := w.runGo(wallet.String(), msg.ToBOC(), now)
			if sent := len(o.out) == 1; sent != tt.executed || o.rejected {
				t.Fatalf("%s: the stand-in ran: %v, want %v", o, sent, tt.executed)
			}
			if got := w.goAcc[wallet.String()].CodeHash; got != acc.CodeHash {
				t.Errorf("code hash after the transfer %q, want %q", got, acc.CodeHash)
			}
		})
	}
}

// A stand-in deployed by the StateInit a message carries reports the
// published code hash too.
func TestStandInDeployedReportsPublishedHash(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 23))
	for k := contract.SafeMultisig; k <= contract.GiverV3; k++ {
		t.Run(k.String(), func(t *testing.T) {
			w := emulator(t)
			data, err := newWalletData(pubOf(randKey(r)))
			if err != nil {
				t.Fatal(err)
			}
			si := &abi.StateInit{Code: StandInCode(k), Data: data}
			dst, err := si.Address(0)
			if err != nil {
				t.Fatal(err)
			}
			msg := abi.NewInternalMessage(dst, big.NewInt(5e9), false, si, nil)
			msg.Src = randAddress(r)
			boc, err := msg.ToBOC()
			if err != nil {
				t.Fatal(err)
			}
			if o := w.runGo(dst.String(), boc, chainTime); o.rejected || o.status != account.Active {
				t.Fatalf("deployment: %s", o)
			}
			want, _ := PublishedCodeHash(k)
			if got := w.goAcc[dst.String()].CodeHash; got != hex.EncodeToString(want[:]) {
				t.Errorf("code hash %q, want %x", got, want)
			}
		})
	}
}

// sign-cli's use case pays for a proof from a wallet whose kind it finds by
// the wallet's code hash, as on the network: a stand-in of every kind
// passes for the real wallet.
func TestSignFromStandInOfUnknownKind(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 24))
	for k := contract.SafeMultisig; k <= contract.GiverV3; k++ {
		t.Run(k.String(), func(t *testing.T) {
			owner, err := keys.KeyFromSeed(randKey(r).Seed())
			if err != nil {
				t.Fatal(err)
			}
			signer, err := keys.KeyFromSeed(randKey(r).Seed())
			if err != nil {
				t.Fatal(err)
			}
			w, err := WalletAccount(k, owner.Ed25519().Public().(ed25519.PublicKey), big.NewInt(100e9))
			if err != nil {
				t.Fatal(err)
			}
			srv := NewServer(devnet.WithAccounts(w))
			defer srv.Close()
			c, err := everos.New(everos.Config{Endpoints: []string{srv.URL}})
			if err != nil {
				t.Fatal(err)
			}
			chain := &proof.Deployer{Client: c, Wallet: &proof.Wallet{Address: cell.MustParseAddress(w.Address), Key: owner}, BalancePoll: 10 * time.Millisecond}
			d, err := chain.Deploy(ctxFor(t), signer, "sha256:"+strings.Repeat("ab", 32))
			if err != nil {
				t.Fatalf("deploying a proof paid by a %s stand-in: %v", k, err)
			}
			if d.TopUp == "" || d.State == nil || !d.State.Constructed {
				t.Errorf("deployment %+v", d)
			}
		})
	}
}
