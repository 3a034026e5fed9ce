package contract

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// realKinds are the wallets whose real code the tests run: read at test
// time from the npm package that carries it (WalletCode), never committed.
var realKinds = []WalletKind{EverWallet, HighloadWalletV2}

// walletCode is the kind's real code from node_modules.
func walletCode(t testing.TB, k WalletKind) *cell.Cell {
	t.Helper()
	code, err := k.WalletCode(nekotontest.NodeModules(t))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// deployWallet puts a wallet of kind k with its real code, owned by owner,
// on a new account with balance, deployed by an internal message carrying
// its StateInit.
func (e *executor) deployWallet(k WalletKind, owner ed25519.PrivateKey, balance uint64) (*cell.Address, string) {
	e.t.Helper()
	init, addr, err := k.NewStateInit(walletCode(e.t, k), pubOf(owner))
	if err != nil {
		e.t.Fatal(err)
	}
	acc := e.fund("", addr, balance, init, chainTime-100)
	a := accountState(e.t, acc)
	want, _ := k.CodeHash()
	if a.Status != account.Active || a.Code.Hash() != want {
		e.t.Fatalf("%s not deployed: %s", k, a.Status)
	}
	return addr, acc
}

func randomTransfers(r *rand.Rand, k WalletKind, n int) []Transfer {
	ts := make([]Transfer, n)
	for i := range ts {
		ts[i] = Transfer{Dest: randomAddress(r), Value: 1_000_000 + r.Uint64N(1_000_000_000), Bounce: r.IntN(2) == 0, Flags: MultisigFlags}
		if i%3 == 1 {
			ts[i].Payload = mustCell(cell.BeginCell().StoreUInt(r.Uint64(), 64))
		}
	}
	return ts
}

// TestRealWalletTransfers runs transfers of one and of the most transfers
// a message can carry on EverWallet's and the highload wallet's real code
// with Everscale's executor: the wallet accepts them and pays exactly the
// addresses and amounts asked, refuses the same message again, and refuses
// a message signed by another key.
func TestRealWalletTransfers(t *testing.T) {
	e := newExecutor(t)
	tests := []struct {
		kind WalletKind
		n    int
		// replay and otherKey are the exit codes the real code refuses
		// with: EverWallet's time header must grow (52) and its pubkey
		// header be the owner's (100); the highload wallet remembers the
		// query id (32) and checks the signature (35).
		replay, otherKey int
	}{
		{EverWallet, 1, 52, 100},
		{EverWallet, 2, 52, 100},
		{EverWallet, EverWalletMaxTransfers, 52, 100},
		{HighloadWalletV2, 1, 32, 35},
		{HighloadWalletV2, 17, 32, 35},
		{HighloadWalletV2, HighloadMaxTransfers, 32, 35},
	}
	for i, tt := range tests {
		t.Run(tt.kind.String()+"/"+uintString(uint64(tt.n)), func(t *testing.T) {
			e := &executor{t: t, nk: e.nk}
			r := rand.New(rand.NewPCG(uint64(i), 77))
			owner := testKey(700 + uint64(i))
			wallet, acc := e.deployWallet(tt.kind, owner, 1_000_000_000_000)
			ts := randomTransfers(r, tt.kind, tt.n)
			const ms = chainTime * 1000
			msg, err := tt.kind.TransfersMessage(wallet, ts, owner, ms, chainTime+60)
			if err != nil {
				t.Fatal(err)
			}
			x := e.run(acc, msg, chainTime)
			if x.Rejected || x.Transaction.Aborted {
				t.Fatalf("refused: rejected=%v exit %d aborted=%v", x.Rejected, x.ExitCode, x.Transaction.Aborted)
			}
			out := x.Transaction.OutMessages
			if len(out) != len(ts) {
				t.Fatalf("sent %d messages, want %d", len(out), len(ts))
			}
			got := map[string]Transfer{}
			for _, o := range out {
				v, _ := new(big.Int).SetString(o.Value, 10)
				got[o.Dst] = Transfer{Value: v.Uint64(), Bounce: o.Bounce}
			}
			for _, tr := range ts {
				g, ok := got[tr.Dest.String()]
				if !ok || g.Value != tr.Value || g.Bounce != tr.Bounce {
					t.Fatalf("to %s: sent %+v (found %v), want %d bounce=%v", tr.Dest, g, ok, tr.Value, tr.Bounce)
				}
			}
			after := x.Account
			if o, err := tt.kind.OwnerKey(accountState(t, after).Data.ToBOC()); err != nil || !bytes.Equal(o, pubOf(owner)) {
				t.Fatalf("OwnerKey = %x, %v", o, err)
			}

			if x := e.run(after, msg, chainTime+1); !x.Rejected || x.ExitCode != tt.replay {
				t.Errorf("replay: rejected=%v exit %d, want %d", x.Rejected, x.ExitCode, tt.replay)
			}
			other, err := tt.kind.TransfersMessage(wallet, ts, testKey(9999), ms+1, chainTime+61)
			if err != nil {
				t.Fatal(err)
			}
			if x := e.run(after, other, chainTime+1); !x.Rejected || x.ExitCode != tt.otherKey {
				t.Errorf("another key: rejected=%v exit %d, want %d", x.Rejected, x.ExitCode, tt.otherKey)
			}
			// A new call by the owner still goes through after both.
			next, err := tt.kind.TransfersMessage(wallet, ts[:1], owner, ms+2, chainTime+62)
			if err != nil {
				t.Fatal(err)
			}
			if x := e.run(after, next, chainTime+2); x.Rejected || x.Transaction.Aborted || len(x.Transaction.OutMessages) != 1 {
				t.Errorf("next call: rejected=%v exit %d", x.Rejected, x.ExitCode)
			}
		})
	}
}

// TestRealWalletExpiry: both real wallets refuse a message past its expiry.
func TestRealWalletExpiry(t *testing.T) {
	e := newExecutor(t)
	r := rand.New(rand.NewPCG(5, 5))
	for i, tt := range []struct {
		kind WalletKind
		exit int
	}{{EverWallet, 57}, {HighloadWalletV2, 35}} {
		owner := testKey(800 + uint64(i))
		wallet, acc := e.deployWallet(tt.kind, owner, 1_000_000_000_000)
		msg, err := tt.kind.TransfersMessage(wallet, randomTransfers(r, tt.kind, 1), owner, chainTime*1000, chainTime+60)
		if err != nil {
			t.Fatal(err)
		}
		if x := e.run(acc, msg, chainTime+61); !x.Rejected || x.ExitCode != tt.exit {
			t.Errorf("%s: expired call: rejected=%v exit %d, want %d", tt.kind, x.Rejected, x.ExitCode, tt.exit)
		}
	}
}

// TestNekotonBuiltEverWalletCall: nekoton's own sendTransaction message,
// built from the ABI this package describes EverWallet with, is the one
// the package builds, and the real code accepts it.
func TestNekotonBuiltEverWalletCall(t *testing.T) {
	e := newExecutor(t)
	owner := testKey(850)
	wallet, acc := e.deployWallet(EverWallet, owner, 1_000_000_000_000)
	dest := randomAddress(rand.New(rand.NewPCG(1, 2)))
	m, err := e.nk.ExternalMessage(nekoton.ExternalMessageParams{
		Dst: wallet.String(), ABI: EverWallet.ABI(), Method: "sendTransaction",
		Input:     map[string]any{"dest": dest.String(), "value": "5000000", "bounce": false, "flags": 3, "payload": cell.EmptyCell.ToBase64()},
		SecretKey: seedHex(owner), NowMs: chainTime * 1000, ExpireAt: chainTime + 60,
	})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := EverWallet.TransferMessage(wallet, Transfer{Dest: dest, Value: 5000000, Flags: 3}, owner, chainTime*1000, chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	if ours.ToBase64() != m.BOC {
		t.Fatalf("message differs from nekoton's:\n go  %s\n nek %s", ours.ToBase64(), m.BOC)
	}
	if x := e.run(acc, ours, chainTime); x.Rejected || len(x.Transaction.OutMessages) != 1 || x.Transaction.OutMessages[0].Dst != dest.String() {
		t.Fatalf("refused: %+v", x)
	}
}

func TestTransfersMessageRefuses(t *testing.T) {
	key := testKey(1)
	wallet := cell.NewStdAddress(0, [32]byte{1})
	r := rand.New(rand.NewPCG(9, 9))
	tests := []struct {
		name string
		kind WalletKind
		ts   []Transfer
	}{
		{"none", EverWallet, nil},
		{"five to EverWallet", EverWallet, randomTransfers(r, EverWallet, 5)},
		{"255 to the highload wallet", HighloadWalletV2, randomTransfers(r, HighloadWalletV2, 255)},
		{"two to a multisig", SafeMultisig, randomTransfers(r, SafeMultisig, 2)},
		{"external destination", HighloadWalletV2, []Transfer{{Dest: &cell.Address{Type: cell.AddrNone}}}},
		{"giver with flags", LocalGiver, []Transfer{{Dest: wallet, Flags: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.kind.TransfersMessage(wallet, tt.ts, key, chainTime*1000, chainTime+60); err == nil {
				t.Fatal("built")
			}
		})
	}
}

// TestWalletCodeMissing: without the package, or with a file that holds
// other code, WalletCode says what is missing and how to install it.
func TestWalletCodeMissing(t *testing.T) {
	dir := t.TempDir()
	for _, k := range realKinds {
		if _, err := k.WalletCode(dir); !errors.Is(err, ErrNoWalletCode) || !bytes.Contains([]byte(err.Error()), []byte("npm")) {
			t.Errorf("%s without the package: %v", k, err)
		}
	}
	js := filepath.Join(dir, "everscale-standalone-client", "dist", "cjs", "client", "AccountsStorage")
	if err := os.MkdirAll(js, 0o755); err != nil {
		t.Fatal(err)
	}
	other := "const EVER_WALLET_CODE = '" + GiverCode().ToBase64() + "';\n"
	if err := os.WriteFile(filepath.Join(js, "EverWallet.js"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := EverWallet.WalletCode(dir); !errors.Is(err, ErrNoWalletCode) {
		t.Errorf("other code: %v", err)
	}
	if _, err := SafeMultisig.WalletCode(dir); !errors.Is(err, ErrNoWalletCode) {
		t.Errorf("a stand-in kind: %v", err)
	}
	if _, _, err := EverWallet.NewStateInit(GiverCode(), pubOf(testKey(1))); !errors.Is(err, ErrNoWalletCode) {
		t.Errorf("StateInit with other code: %v", err)
	}
}

// TestRealWalletKinds: the real wallets' code hashes name their kinds,
// and --wallet-type names parse.
func TestRealWalletKinds(t *testing.T) {
	for _, k := range realKinds {
		code := walletCode(t, k)
		if got, err := WalletKindByCodeHash(code.Hash()); err != nil || got != k {
			t.Errorf("%s code hash gives %v, %v", k, got, err)
		}
		if got, err := ParseWalletKind(k.String()); err != nil || got != k {
			t.Errorf("ParseWalletKind(%q) = %v, %v", k, got, err)
		}
		if !k.TakesFlags() || k.IsMultisig() {
			t.Errorf("%s: takes flags %v, multisig %v", k, k.TakesFlags(), k.IsMultisig())
		}
	}
}
