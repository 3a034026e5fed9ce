package contract

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

func TestWalletKindByCodeHash(t *testing.T) {
	tests := []struct {
		hash string
		want WalletKind
	}{
		{"80d6c47c4a25543c9b397b71716f3fae1e2c5d247174c52e2c19bd896442b105", SafeMultisig},
		{"e2b60b6b602c10ced7ea8ede4bdf96342c97570a3798066f3fb50a4b2b27a208", SetcodeMultisig},
		{"207dc560c5956de1a2c1479356f8f3ee70a59767db2bf4788b1d61ad42cdad82", SurfMultisig},
		{"7377910a1b5d0c8073ba02523e139c7f42f9772fe0076a4d0b211ccec071eb7a", Multisig2},
		{"d66d198766abdbe1253f3415826c946c371f5112552408625aeb0b31e0ef2df3", Multisig2},
		{"4e92716de61d456e58f16e4e867e3e93a7548321eace86301b51c8b80ca6239b", GiverV2},
		{giverCode().HashHex(), LocalGiver},
		{strings.Repeat("00", 32), WalletUnknown},
		{proofCode().HashHex(), WalletUnknown},
	}
	for _, tt := range tests {
		var h [32]byte
		if _, err := hex.Decode(h[:], []byte(tt.hash)); err != nil {
			t.Fatal(err)
		}
		got, err := WalletKindByCodeHash(h)
		if got != tt.want || (tt.want == WalletUnknown) != errors.Is(err, ErrUnknownWallet) {
			t.Errorf("WalletKindByCodeHash(%s) = %v, %v; want %v", tt.hash[:8], got, err, tt.want)
		}
	}
}

func TestParseWalletKind(t *testing.T) {
	for k := SafeMultisig; k <= LocalGiver; k++ {
		got, err := ParseWalletKind(strings.ToLower(k.String()))
		if err != nil || got != k {
			t.Errorf("ParseWalletKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ParseWalletKind("wallet-v3"); !errors.Is(err, ErrUnknownWallet) {
		t.Errorf("unknown name: err = %v", err)
	}
}

func randomAddress(r *rand.Rand) *cell.Address {
	var id [32]byte
	for i := range id {
		id[i] = byte(r.UintN(256))
	}
	wc := int8(0)
	if r.IntN(4) == 0 {
		wc = -1
	}
	return cell.NewStdAddress(wc, id)
}

// TestWalletMessagesMatchNekoton builds every kind's transfer in Go and with
// nekoton's createExternalMessage from that wallet's ABI JSON: the messages
// are byte-identical, and nekoton's decoder reads back the arguments.
func TestWalletMessagesMatchNekoton(t *testing.T) {
	nk := nekotontest.Start(t)
	r := rand.New(rand.NewPCG(3, 3))
	for k := SafeMultisig; k <= LocalGiver; k++ {
		t.Run(k.String(), func(t *testing.T) {
			abiJSON := k.ABI()
			for i := range 8 {
				key := testKey(uint64(k)*100 + uint64(i))
				wallet := randomAddress(r)
				tr := Transfer{Dest: randomAddress(r), Value: r.Uint64() >> uint(r.IntN(64)), Bounce: r.IntN(2) == 0}
				input := map[string]any{"dest": tr.Dest.String(), "value": uintString(tr.Value), "bounce": tr.Bounce}
				if k.IsMultisig() {
					tr.Flags = uint8(r.UintN(256))
					payload := cell.EmptyCell
					if i%2 == 1 {
						payload = mustCell(cell.BeginCell().StoreUInt(r.Uint64(), 64).StoreRef(cell.EmptyCell))
						tr.Payload = payload
					}
					input["flags"] = int(tr.Flags)
					input["payload"] = payload.ToBase64()
				}
				timeMs := uint64(chainTime)*1000 + uint64(r.IntN(100000))
				expire := uint32(timeMs/1000) + 1 + uint32(r.IntN(600))
				msg, err := k.TransferMessage(wallet, tr, key, timeMs, expire)
				if err != nil {
					t.Fatal(err)
				}
				want, err := nk.ExternalMessage(nekoton.ExternalMessageParams{
					Dst: wallet.String(), ABI: abiJSON, Method: "sendTransaction", Input: input,
					SecretKey: seedHex(key), NowMs: int64(timeMs), ExpireAt: expire,
				})
				if err != nil {
					t.Fatal(err)
				}
				if msg.ToBase64() != want.BOC {
					t.Fatalf("ABI %s message differs from nekoton's:\n go  %s\n nek %s\n%s", k.ABIVersion(), msg.ToBase64(), want.BOC, msg)
				}
				info, err := nk.MessageInfo(msg.ToBase64())
				if err != nil {
					t.Fatal(err)
				}
				var dec struct {
					Method string
					Input  map[string]any
				}
				if err := nk.CallInto(&dec, "decodeInput", info.Body, abiJSON, "sendTransaction", false); err != nil {
					t.Fatal(err)
				}
				if dec.Input["dest"] != tr.Dest.String() || dec.Input["value"] != uintString(tr.Value) || dec.Input["bounce"] != tr.Bounce {
					t.Fatalf("nekoton decodes %v", dec.Input)
				}
			}
		})
	}
}

func TestTransferMessageRefuses(t *testing.T) {
	key := testKey(1)
	wallet := cell.NewStdAddress(0, [32]byte{1})
	dest := cell.NewStdAddress(0, [32]byte{2})
	tests := []struct {
		name string
		kind WalletKind
		tr   Transfer
	}{
		{"unknown kind", WalletUnknown, Transfer{Dest: dest}},
		{"no destination", SafeMultisig, Transfer{}},
		{"external destination", SafeMultisig, Transfer{Dest: &cell.Address{Type: cell.AddrNone}}},
		{"giver with flags", GiverV2, Transfer{Dest: dest, Flags: 3}},
		{"giver with payload", LocalGiver, Transfer{Dest: dest, Payload: cell.EmptyCell}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.kind.TransferMessage(wallet, tt.tr, key, 1, 2); err == nil {
				t.Fatal("built")
			}
		})
	}
}

// TestFundProofMessage: for every kind, the funding transfer goes to the
// proof's address, not bounceable, with MultisigFlags for multisigs, as
// nekoton decodes it.
func TestFundProofMessage(t *testing.T) {
	nk := nekotontest.Start(t)
	p, err := NewProof(pubOf(testKey(1)), "sha256:"+strings.Repeat("cd", 32))
	if err != nil {
		t.Fatal(err)
	}
	wallet := cell.NewStdAddress(0, [32]byte{7})
	for k := SafeMultisig; k <= LocalGiver; k++ {
		msg, err := k.FundProofMessage(wallet, p, DefaultTopUp, testKey(2), chainTime*1000, chainTime+60)
		if err != nil {
			t.Fatal(err)
		}
		info, err := nk.MessageInfo(msg.ToBase64())
		if err != nil {
			t.Fatal(err)
		}
		var dec struct{ Input map[string]any }
		if err := nk.CallInto(&dec, "decodeInput", info.Body, k.ABI(), "sendTransaction", false); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		in := dec.Input
		if in["dest"] != p.Address().String() || in["bounce"] != false || in["value"] != uintString(DefaultTopUp) {
			t.Fatalf("%s: decoded %v", k, in)
		}
		if k.IsMultisig() && in["flags"] != float64(MultisigFlags) && in["flags"] != "3" {
			t.Fatalf("%s: flags %v", k, in["flags"])
		}
	}
	if _, err := LocalGiver.FundProofMessage(wallet, p, 1, testKey(2), chainTime*1000, chainTime); err == nil {
		t.Fatal("a message that expires when it is made was built")
	}
}
