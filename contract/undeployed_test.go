package contract

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// walletDataFields are the data layouts everscale-standalone-client packs
// for a new wallet (EverWallet.js, HighloadWalletV2.js: makeStateInit),
// with the values it gives them.
var walletDataFields = map[WalletKind]struct {
	fields []map[string]string
	values func(pub string) map[string]any
}{
	EverWallet: {
		fields: []map[string]string{{"name": "publicKey", "type": "uint256"}, {"name": "timestamp", "type": "uint64"}},
		values: func(pub string) map[string]any { return map[string]any{"publicKey": pub, "timestamp": 0} },
	},
	HighloadWalletV2: {
		fields: []map[string]string{{"name": "walletId", "type": "uint32"}, {"name": "lastCleaned", "type": "uint64"}, {"name": "publicKey", "type": "uint256"}, {"name": "queries", "type": "bool"}},
		values: func(pub string) map[string]any {
			return map[string]any{"walletId": HighloadWalletID, "lastCleaned": 0, "publicKey": pub, "queries": false}
		},
	},
}

// TestUndeployedStateInitMatchesNekoton: the StateInit and address of a
// new wallet are the ones nekoton makes from the data layout the EVER
// Wallet extension's client packs (packIntoCell, then mergeTvc), for both
// kinds; UndeployedStateInit gives that StateInit for its address and
// refuses another key's or kind's address.
func TestUndeployedStateInitMatchesNekoton(t *testing.T) {
	e := newExecutor(t)
	for _, k := range realKinds {
		code := walletCode(t, k)
		for i := range 4 {
			owner := testKey(900 + uint64(i))
			init, addr, err := k.NewStateInit(code, pubOf(owner))
			if err != nil {
				t.Fatal(err)
			}
			layout := walletDataFields[k]
			var packed struct{ Hash, BOC string }
			if err := e.nk.CallInto(&packed, "packIntoCell", layout.fields, layout.values("0x"+hexString(pubOf(owner))), "2.3"); err != nil {
				t.Fatal(err)
			}
			var merged struct{ Hash, BOC string }
			if err := e.nk.CallInto(&merged, "mergeTvc", code.ToBase64(), packed.BOC); err != nil {
				t.Fatal(err)
			}
			if "0:"+merged.Hash != addr.String() || merged.BOC != init.ToBase64() {
				t.Fatalf("%s key %d: address %s, nekoton's 0:%s (StateInit equal: %v)", k, i, addr, merged.Hash, merged.BOC == init.ToBase64())
			}
			got, err := k.UndeployedStateInit(code, pubOf(owner), addr)
			if err != nil || got.Hash() != init.Hash() {
				t.Fatalf("%s: UndeployedStateInit for its own address: %v", k, err)
			}
			if _, err := k.UndeployedStateInit(code, pubOf(testKey(999)), addr); !errors.Is(err, ErrNotWalletAddress) {
				t.Errorf("%s: another key's StateInit for the address: %v", k, err)
			}
		}
	}
	everCode := walletCode(t, EverWallet)
	_, everAddr, err := EverWallet.NewStateInit(everCode, pubOf(testKey(900)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := HighloadWalletV2.UndeployedStateInit(walletCode(t, HighloadWalletV2), pubOf(testKey(900)), everAddr); !errors.Is(err, ErrNotWalletAddress) {
		t.Errorf("the highload wallet's StateInit for an EverWallet's address: %v", err)
	}
	if _, err := SafeMultisig.UndeployedStateInit(everCode, pubOf(testKey(900)), everAddr); !errors.Is(err, ErrNoWalletCode) {
		t.Errorf("a multisig's StateInit: %v", err)
	}
}

// TestUndeployedWalletFirstTransfer: on Everscale's executor, a wallet of
// either kind that holds tokens but was never deployed runs the package's
// first transfers when WithStateInit attaches its StateInit (deploying it
// with the key's data), refuses the same transfers without it, and takes
// the next ones without it.
func TestUndeployedWalletFirstTransfer(t *testing.T) {
	e := newExecutor(t)
	r := rand.New(rand.NewPCG(31, 31))
	for i, k := range realKinds {
		t.Run(k.String(), func(t *testing.T) {
			e := &executor{t: t, nk: e.nk}
			owner := testKey(950 + uint64(i))
			init, addr, err := k.NewStateInit(walletCode(t, k), pubOf(owner))
			if err != nil {
				t.Fatal(err)
			}
			acc := e.fund("", addr, 50_000_000_000, nil, chainTime-100)
			if st := accountState(t, acc).Status; st != account.Uninit {
				t.Fatalf("funded address is %s", st)
			}
			ts := randomTransfers(r, k, min(k.MaxTransfers(), 4))
			const ms = chainTime * 1000
			bare, err := k.TransfersMessage(addr, ts, owner, ms, chainTime+60)
			if err != nil {
				t.Fatal(err)
			}
			// The executor refuses it outright: no state to run.
			if x, err := e.nk.Execute(acc, bare.ToBase64(), chainTime); err == nil && !x.Rejected {
				t.Fatalf("taken without its StateInit: %+v", x)
			}
			deploying, err := WithStateInit(bare, init)
			if err != nil {
				t.Fatal(err)
			}
			x := e.run(acc, deploying, chainTime)
			if x.Rejected || x.Transaction.Aborted || len(x.Transaction.OutMessages) != len(ts) {
				t.Fatalf("first transfer: rejected=%v exit %d, %d messages", x.Rejected, x.ExitCode, len(x.Transaction.OutMessages))
			}
			after := accountState(t, x.Account)
			want, _ := k.CodeHash()
			if after.Status != account.Active || after.Code.Hash() != want {
				t.Fatalf("after the first transfer: %s", after.Status)
			}
			if o, err := k.OwnerKey(after.Data.ToBOC()); err != nil || !o.Equal(pubOf(owner)) {
				t.Fatalf("owner %x, %v", o, err)
			}
			next, err := k.TransfersMessage(addr, ts[:1], owner, ms+1, chainTime+61)
			if err != nil {
				t.Fatal(err)
			}
			if x := e.run(x.Account, next, chainTime+1); x.Rejected || len(x.Transaction.OutMessages) != 1 {
				t.Fatalf("next transfer: rejected=%v exit %d", x.Rejected, x.ExitCode)
			}
		})
	}
}

// TestWithStateInitRefuses: a StateInit that does not deploy the message's
// destination, and a message that is not an external call, are refused.
func TestWithStateInitRefuses(t *testing.T) {
	owner := testKey(1)
	_, giverAddr, err := localGiver(pubOf(owner))
	if err != nil {
		t.Fatal(err)
	}
	otherInit, _, err := localGiver(pubOf(testKey(2)))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := LocalGiver.TransferMessage(giverAddr, Transfer{Dest: giverAddr, Value: 1}, owner, chainTime*1000, chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WithStateInit(msg, otherInit); err == nil {
		t.Error("another address's StateInit attached")
	}
	internal, err := abi.NewInternalMessage(giverAddr, nil, false, nil, nil).Cell()
	if err != nil {
		t.Fatal(err)
	}
	ownInit, _, _ := localGiver(pubOf(owner))
	if _, err := WithStateInit(internal, ownInit); err == nil {
		t.Error("a StateInit attached to an internal message")
	}
	if m, err := WithStateInit(msg, ownInit); err != nil {
		t.Fatal(err)
	} else if p, err := abi.ParseMessage(m); err != nil || p.Init == nil || p.Body.Hash() != mustBody(t, msg).Hash() {
		t.Fatalf("the message with its StateInit: %v", err)
	}
}

func mustBody(t *testing.T, msg *cell.Cell) *cell.Cell {
	t.Helper()
	p, err := abi.ParseMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	return p.Body
}

// TestParseCode: code handed over is accepted only with the kind's code
// hash.
func TestParseCode(t *testing.T) {
	for _, k := range realKinds {
		code := walletCode(t, k)
		if got, err := k.ParseCode(code.ToBOC()); err != nil || got.Hash() != code.Hash() {
			t.Errorf("%s: its own code: %v", k, err)
		}
		if _, err := k.ParseCode(GiverCode().ToBOC()); !errors.Is(err, ErrNoWalletCode) {
			t.Errorf("%s: the giver's code: %v", k, err)
		}
		if _, err := k.ParseCode([]byte("not a bag of cells")); !errors.Is(err, ErrNoWalletCode) {
			t.Errorf("%s: garbage: %v", k, err)
		}
	}
}
