package contracts

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

// giverCall is a giver call after the signature: time, expire, function id
// and the arguments' reference.
func giverCall(ms uint64, expire uint32, fid uint32, args *cell.Cell) *cell.Builder {
	b := cell.BeginCell().StoreUInt(ms, 64).StoreUInt(uint64(expire), 32).StoreUInt(uint64(fid), 32)
	if args != nil {
		b.StoreRef(args)
	}
	return b
}

func giverArgs(t testing.TB, dest *cell.Address, value *big.Int, bounce bool) *cell.Builder {
	t.Helper()
	return cell.BeginCell().StoreAddress(dest).StoreBigUInt(value, 128).StoreBool(bounce)
}

func randAddress(r *rand.Rand) *cell.Address {
	var id [32]byte
	for i := range id {
		id[i] = byte(r.UintN(256))
	}
	return cell.NewStdAddress(0, id)
}

// deployGiver puts the local giver of owner on both sides, funded with an
// internal message that carries its StateInit.
func (w *worlds) deployGiver(owner ed25519.PrivateKey, balance uint64, now uint32) *cell.Address {
	w.t.Helper()
	init, err := contract.LocalGiverStateInit(pubOf(owner))
	if err != nil {
		w.t.Fatal(err)
	}
	addr, err := contract.LocalGiverAddress(pubOf(owner))
	if err != nil {
		w.t.Fatal(err)
	}
	w.expect("deploying the giver", addr.String(), w.internalMessage("", addr.String(), balance, false, init), now, vAccepted)
	return addr
}

func transferMsg(t testing.TB, kind contract.WalletKind, wallet *cell.Address, tr contract.Transfer, key ed25519.PrivateKey, ms uint64, expire uint32) []byte {
	t.Helper()
	m, err := kind.TransferMessage(wallet, tr, key, ms, expire)
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBOC()
}

// TestGiverMatrix runs the local giver's message matrix, with random owners,
// destinations, values and times, through Everscale's executor and through
// Executor, delivering what the giver sends (and what bounces) on both
// sides.
func TestGiverMatrix(t *testing.T) {
	w := newWorlds(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 8))
	rounds := 4
	if testing.Short() {
		rounds = 1
	}
	for round := range rounds {
		owner, other := randKey(r), randKey(r)
		now := uint32(chainTime + round*10000)
		const balance = 50_000_000_000
		giver := w.deployGiver(owner, balance, now-100)
		g := giver.String()
		name := func(s string) string { return fmt.Sprintf("round %d: giver %s", round, s) }
		ms := uint64(now)*1000 - uint64(r.IntN(30000))
		expire := now + 1 + uint32(r.IntN(maxLifetime))
		value := big.NewInt(1 + r.Int64N(5e9))
		dest := randAddress(r)
		args := giverArgs(t, dest, value, false)
		msg := func(body *cell.Cell) []byte { return extMsg(t, giver, nil, body) }
		call := func(exp uint32, a *cell.Builder) *cell.Builder {
			return giverCall(ms, exp, giverSendID, mustCell(t, a))
		}
		cases := []struct {
			name string
			body *cell.Cell
			want string
		}{
			{"call signed by another key", signed(t, giver, other, call(expire, args)), exit(40)},
			{"call signed for another giver", signed(t, randAddress(r), owner, call(expire, args)), exit(40)},
			{"corrupted signature", flipBit(t, signed(t, giver, owner, call(expire, args)), 1+r.IntN(512)), exit(40)},
			{"unsigned call", signed(t, giver, nil, call(expire, args)), exit(58)},
			{"expired call", signed(t, giver, owner, call(now-uint32(r.IntN(100)), args)), exit(57)},
			{"call expiring too late", signed(t, giver, owner, call(now+maxLifetime+1+uint32(r.IntN(100)), args)), exit(102)},
			{"another function", signed(t, giver, owner, giverCall(ms, expire, giverSendID^(1<<r.IntN(32)), mustCell(t, args))), exit(60)},
			{"value of 2^120", signed(t, giver, owner, call(expire, giverArgs(t, dest, maxGrams, false))), exit(103)},
			{"trailing bits", signed(t, giver, owner, call(expire, args).StoreBool(true)), exit(101)},
			{"trailing argument bits", signed(t, giver, owner, call(expire, giverArgs(t, dest, value, false).StoreUInt(0, 3))), exit(101)},
			{"no arguments", signed(t, giver, owner, giverCall(ms, expire, giverSendID, nil)), exit(9)},
			{"arguments cut short", signed(t, giver, owner, call(expire, cell.BeginCell().StoreAddress(dest).StoreUInt(1, 64))), exit(9)},
			{"destination addr_none", signed(t, giver, owner, call(expire, cell.BeginCell().StoreUInt(0, 2).StoreBigUInt(value, 128).StoreBool(false))), vAborted},
			{"destination addr_extern", signed(t, giver, owner, call(expire, cell.BeginCell().StoreUInt(1, 2).StoreUInt(8, 9).StoreUInt(0xab, 8).StoreBigUInt(value, 128).StoreBool(false))), vAborted},
			{"destination addr_var", signed(t, giver, owner, call(expire, cell.BeginCell().StoreUInt(3, 2).StoreBool(false).StoreUInt(256, 9).StoreUInt(0, 32).StoreBytes(dest.Data).StoreBigUInt(value, 128).StoreBool(false))), vAccepted},
			{"destination with anycast", signed(t, giver, owner, call(expire, cell.BeginCell().StoreUInt(2, 2).StoreBool(true).StoreUInt(3, 5).StoreUInt(0, 3).StoreUInt(0, 8).StoreBytes(dest.Data).StoreBigUInt(value, 128).StoreBool(false))), vAborted},
			{"destination cut short", signed(t, giver, owner, call(expire, cell.BeginCell().StoreUInt(2, 2).StoreBool(false).StoreUInt(0, 8).StoreUInt(0, 100))), exit(9)},
			{"empty body", cell.EmptyCell, exit(9)},
		}
		for _, c := range cases {
			w.expect(name(c.name), g, msg(c.body), now, c.want)
		}

		// A transfer to a new address, not bounceable: the destination
		// becomes uninit with the value.
		first := transferMsg(t, contract.LocalGiver, giver, contract.Transfer{Dest: dest, Value: value.Uint64()}, owner, ms, expire)
		nk, goo := w.expect(name("transfer, bounce=false, to a new address"), g, first, now, vAccepted)
		if !withinFactor(new(big.Int).Neg(goo.delta), new(big.Int).Neg(nk.delta), 2) {
			t.Errorf("%s: the emulator's giver lost %s, the executor's %s", name("transfer"), new(big.Int).Neg(goo.delta), new(big.Int).Neg(nk.delta))
		}
		w.deliver(name("transfer"), nk, goo, now)
		if a := w.goAcc[dest.String()]; a.Balance == nil || a.Balance.Cmp(value) != 0 {
			t.Errorf("%s: destination holds %v, want %s", name("transfer"), a.Balance, value)
		}
		w.expect(name("the same transfer again"), g, first, now+1, exit(52))

		// Bounceable, to an address that does not exist: the value comes
		// back, less the fees.
		nowhere := randAddress(r)
		bounceMsg := transferMsg(t, contract.LocalGiver, giver, contract.Transfer{Dest: nowhere, Value: 1e9, Bounce: true}, owner, ms+1, expire)
		nk, goo = w.expect(name("transfer, bounce=true, to a non-existent address"), g, bounceMsg, now+1, vAccepted)
		w.deliver(name("bounceable transfer"), nk, goo, now+1)
		if _, ok := w.goAcc[nowhere.String()]; ok {
			t.Errorf("%s: the bounced transfer created the destination", name("bounceable transfer"))
		}

		// A transfer of more than the giver has fails in the action phase.
		big := transferMsg(t, contract.LocalGiver, giver, contract.Transfer{Dest: dest, Value: 2 * balance}, owner, ms+2, expire)
		w.expect(name("transfer of more than the balance"), g, big, now+2, vAborted)

		// A call built by nekoton from the giver's ABI, after the first
		// calls expired: the giver forgets them (the data says how).
		later := expire + 10
		m, err := w.nk.ExternalMessage(nekoton.ExternalMessageParams{
			Dst: g, ABI: contract.GiverABI, Method: "sendTransaction",
			Input:     map[string]any{"dest": dest.String(), "value": "12345", "bounce": r.IntN(2) == 0},
			SecretKey: hex.EncodeToString(owner.Seed()), NowMs: int64(later) * 1000, ExpireAt: later + 60,
		})
		if err != nil {
			t.Fatal(err)
		}
		nk, goo = w.expect(name("nekoton-built transfer after the others expired"), g, mustB64(t, m.BOC), later, vAccepted)
		w.deliver(name("nekoton-built transfer"), nk, goo, later)
	}
	t.Logf("verdicts compared: %v", w.verdicts)
}
