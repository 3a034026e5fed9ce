package contracts

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

func TestPublishedCodeHash(t *testing.T) {
	for k := contract.SafeMultisig; k <= contract.LocalGiver; k++ {
		h, err := PublishedCodeHash(k)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if got, err := contract.WalletKindByCodeHash(h); err != nil || got != k {
			t.Errorf("%s: code hash %x is %v (%v) for package contract", k, h, got, err)
		}
	}
	if _, err := PublishedCodeHash(contract.WalletUnknown); !errors.Is(err, contract.ErrUnknownWallet) {
		t.Errorf("unknown kind: %v", err)
	}
}

// emulator is the Go side of worlds alone, for contracts that only the
// emulator can run.
func emulator(t testing.TB) *worlds {
	return &worlds{t: t, ex: New(), goAcc: map[string]devnet.Account{}, verdicts: map[string]int{}}
}

func (w *worlds) add(a devnet.Account, err error) *cell.Address {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
	w.goAcc[a.Address] = a
	addr, err := cell.ParseAddress(a.Address)
	if err != nil {
		w.t.Fatal(err)
	}
	return addr
}

// signByRule signs a sendTransaction call of kind to wallet by the rule of
// ABI 2.3 (addressed) or of 2.0-2.2 (the body alone), whatever the kind's
// own version is.
func signByRule(t testing.TB, kind contract.WalletKind, wallet *cell.Address, key ed25519.PrivateKey, args map[string]any, ms uint64, expire uint32, addressed bool) []byte {
	t.Helper()
	a, err := abi.Parse([]byte(kind.ABI()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := a.Function("sendTransaction")
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.EncodeExternal(abi.ExternalCall{Args: args, PubKey: pubOf(key), Time: ms, Expire: expire, Dst: wallet})
	if err != nil {
		t.Fatal(err)
	}
	h := u.Body.Hash()
	if addressed {
		h = mustCell(t, cell.BeginCell().StoreAddress(wallet).StoreSlice(u.Body.BeginParse())).Hash()
	}
	body, err := u.WithSignature(ed25519.Sign(key, h[:]))
	if err != nil {
		t.Fatal(err)
	}
	return extMsg(t, wallet, nil, body)
}

func sendArgs(kind contract.WalletKind, dest *cell.Address, value int64, bounce bool, flags int64) map[string]any {
	args := map[string]any{"dest": dest, "value": big.NewInt(value), "bounce": bounce}
	if kind.IsMultisig() {
		args["flags"] = big.NewInt(flags)
		args["payload"] = cell.EmptyCell
	}
	return args
}

// TestWalletStandIns runs every wallet kind's transfers on its stand-in:
// messages built by package contract and by nekoton from the kind's ABI
// are accepted and send what they say; replays, other keys, expired calls
// and signatures by the other ABI rule are refused with the giver's codes.
func TestWalletStandIns(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	now := uint32(chainTime)
	ms := uint64(now) * 1000
	for k := contract.SafeMultisig; k <= contract.LocalGiver; k++ {
		t.Run(k.String(), func(t *testing.T) {
			w := emulator(t)
			owner, other := randKey(r), randKey(r)
			const balance = 100e9
			wallet := w.add(WalletAccount(k, pubOf(owner), big.NewInt(balance)))
			wa := wallet.String()
			dest := randAddress(r)
			value := 1 + r.Int64N(1e9)
			tr := contract.Transfer{Dest: dest, Value: uint64(value)}
			if k.IsMultisig() {
				tr.Flags = contract.MultisigFlags
			}
			expect := func(name string, msg []byte, at uint32, want string) outcome {
				t.Helper()
				o := w.runGo(wa, msg, at)
				if o.verdict() != want {
					t.Errorf("%s: %s, want %s", name, o, want)
				}
				return o
			}
			first := transferMsg(t, k, wallet, tr, owner, ms, now+60)
			o := expect("transfer", first, now, vAccepted)
			fees := DefaultFees.WalletTransfer + DefaultFees.Forward
			if len(o.out) != 1 || o.out[0].dst != dest.String() || o.out[0].value.Int64() != value || o.out[0].bounce {
				t.Fatalf("transfer sent %+v", o.out)
			}
			if o.delta.Int64() != -value-int64(fees) {
				t.Errorf("wallet balance moved by %s, want %d", o.delta, -value-int64(fees))
			}
			expect("the same transfer again", first, now+1, exit(52))
			otherWant := exit(100) // the signer's key goes into the pubkey header
			if k == contract.GiverV2 || k == contract.LocalGiver {
				otherWant = exit(40)
			}
			expect("transfer signed by another key", transferMsg(t, k, wallet, tr, other, ms+1, now+60), now, otherWant)
			expect("expired transfer", transferMsg(t, k, wallet, tr, owner, ms-100_000, now-50), now, exit(57))
			expect("transfer expiring too late", transferMsg(t, k, wallet, tr, owner, ms, now+maxLifetime+5), now, exit(102))
			// A call made for another wallet of the same owner: from ABI
			// 2.3 on the signature covers the address; before, it does not.
			addressed := k.ABIVersion() >= "2.3"
			elsewhere, err := k.TransferMessage(randAddress(r), tr, owner, ms+2, now+60)
			if err != nil {
				t.Fatal(err)
			}
			want := vAccepted
			if addressed {
				want = exit(40)
			}
			expect("transfer made for another wallet", extMsg(t, wallet, nil, bodyOf(t, elsewhere)), now, want)

			// Signed by the other version's rule.
			if k != contract.LocalGiver {
				expect("signed by the other ABI rule", signByRule(t, k, wallet, owner, sendArgs(k, dest, value, false, 3), ms+3, now+60, !addressed), now, exit(40))
				expect("signed by its own ABI rule", signByRule(t, k, wallet, owner, sendArgs(k, dest, value, false, 3), ms+3, now+60, addressed), now, vAccepted)
			}

			// More than the balance: the action phase fails, unless a
			// multisig says to ignore errors (flag 2).
			tooMuch := contract.Transfer{Dest: dest, Value: 2 * balance}
			o = expect("transfer of more than the balance", transferMsg(t, k, wallet, tooMuch, owner, ms+6, now+60), now+3, vAborted)
			if o.resultCode != resultNotEnoughValue || o.delta.Int64() != -int64(DefaultFees.WalletTransfer) {
				t.Errorf("transfer of more than the balance: result %d, balance moved by %s", o.resultCode, o.delta)
			}
			if k.IsMultisig() {
				tooMuch.Flags = 3
				o = expect("transfer of more than the balance, errors ignored", transferMsg(t, k, wallet, tooMuch, owner, ms+7, now+60), now+3, vAccepted)
				if len(o.out) != 0 {
					t.Errorf("a transfer the wallet cannot pay was sent: %+v", o.out)
				}
				// Flags 0: the forwarding fee comes out of the value, and
				// the payload is the message's body.
				payload := mustCell(t, cell.BeginCell().StoreUInt(0xC0FFEE, 24))
				o = expect("transfer with flags 0 and a payload", transferMsg(t, k, wallet, contract.Transfer{Dest: dest, Value: 5e8, Payload: payload}, owner, ms+8, now+60), now+3, vAccepted)
				if len(o.out) != 1 || o.out[0].value.Int64() != 5e8-int64(DefaultFees.Forward) {
					t.Fatalf("flags 0 sent %+v", o.out)
				}
				sent, err := devnet.ParseMessage(o.out[0].boc)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := sent.Body().ToCell(); err != nil || got.Hash() != payload.Hash() {
					t.Errorf("the payload did not become the body: %v", err)
				}
			}

			// Built by nekoton from the kind's ABI.
			nk := nekotontest.Start(t)
			input := map[string]any{"dest": dest.String(), "value": fmt.Sprint(value), "bounce": true}
			if k.IsMultisig() {
				input["flags"] = "3"
				input["payload"] = cell.EmptyCell.ToBase64()
			}
			m, err := nk.ExternalMessage(nekoton.ExternalMessageParams{
				Dst: wa, ABI: k.ABI(), Method: "sendTransaction", Input: input,
				SecretKey: hex.EncodeToString(owner.Seed()), NowMs: int64(ms) + 9, ExpireAt: now + 30,
			})
			if err != nil {
				t.Fatal(err)
			}
			o = expect("nekoton-built transfer", mustB64(t, m.BOC), now+4, vAccepted)
			if len(o.out) != 1 || !o.out[0].bounce || o.out[0].dst != dest.String() {
				t.Errorf("nekoton-built transfer sent %+v", o.out)
			}
		})
	}
}

// TestStandInsOnServer: a stand-in wallet on an emulator funds a new
// address through the server, and a bounceable transfer to nowhere comes
// back to the wallet.
func TestStandInsOnServer(t *testing.T) {
	owner := randKey(rand.New(rand.NewPCG(1, 2)))
	acc, err := WalletAccount(contract.SafeMultisig, pubOf(owner), big.NewInt(10e9))
	if err != nil {
		t.Fatal(err)
	}
	clk := devnet.NewManualClock(time.Unix(chainTime, 0))
	srv := NewServer(devnet.WithClock(clk), devnet.WithAccounts(acc))
	defer srv.Close()
	wallet := cell.MustParseAddress(acc.Address)
	dest, nowhere := cell.NewStdAddress(0, [32]byte{1}), cell.NewStdAddress(0, [32]byte{2})
	for i, tr := range []contract.Transfer{{Dest: dest, Value: 1e9, Flags: 3}, {Dest: nowhere, Value: 2e9, Bounce: true, Flags: 3}} {
		msg, err := contract.SafeMultisig.TransferMessage(wallet, tr, owner, chainTime*1000+uint64(i), chainTime+60)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Deliver(msg.ToBOC(), time.Unix(chainTime+60, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if a, ok := srv.Account(dest.String()); !ok || a.Type != account.Uninit || a.Balance.Int64() != 1e9 {
		t.Errorf("destination: %+v", a)
	}
	if a, ok := srv.Account(nowhere.String()); ok {
		t.Errorf("the bounced transfer created %+v", a)
	}
	a, _ := srv.Account(wallet.String())
	spent := 10e9 - a.Balance.Int64()
	f := DefaultFees
	want := 1e9 + 2*int64(f.WalletTransfer+f.Forward) + int64(f.Forward) + int64(f.Internal) // the bounce keeps 2e9 less its forwarding fee
	if spent != want {
		t.Errorf("the wallet spent %d, want %d", spent, want)
	}
	var bounced bool
	for _, tx := range srv.Transactions() {
		if tx.Account == nowhere.String() && tx.Aborted && len(tx.OutMsgs) == 1 {
			bounced = true
		}
	}
	if !bounced {
		t.Error("no aborted transaction bounced the transfer to nowhere")
	}
}

// TestStandInAtChosenAddress: a stand-in moved to another address works
// there, with calls signed for that address (ABI 2.3 binds them to it).
func TestStandInAtChosenAddress(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
	owner := randKey(r)
	for _, k := range []contract.WalletKind{contract.SafeMultisig, contract.Multisig2, contract.GiverV3} {
		acc, err := WalletAccount(k, pubOf(owner), big.NewInt(5e9))
		if err != nil {
			t.Fatal(err)
		}
		moved := randAddress(r)
		acc.Address = moved.String()
		w := emulator(t)
		w.add(acc, nil)
		msg := transferMsg(t, k, moved, contract.Transfer{Dest: randAddress(r), Value: 1e9, Flags: map[bool]uint8{true: 3}[k.IsMultisig()]}, owner, chainTime*1000, chainTime+60)
		if o := w.runGo(moved.String(), msg, chainTime); o.verdict() != vAccepted || len(o.out) != 1 {
			t.Errorf("%s at %s: %s", k, moved, o)
		}
	}
}
