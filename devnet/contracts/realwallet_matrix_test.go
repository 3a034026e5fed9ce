package contracts

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// realCode is the real code of kind, read from node_modules at test time
// (never committed: see contract/wallets/README.md).
func realCode(t testing.TB, kind contract.WalletKind) *cell.Cell {
	t.Helper()
	code, err := kind.WalletCode(nekotontest.NodeModules(t))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// deployReal puts a wallet of kind with its real code on both sides,
// funded by an internal message that carries its StateInit.
func (w *worlds) deployReal(kind contract.WalletKind, owner ed25519.PrivateKey, balance uint64, now uint32) *cell.Address {
	w.t.Helper()
	init, addr, err := kind.NewStateInit(realCode(w.t, kind), pubOf(owner))
	if err != nil {
		w.t.Fatal(err)
	}
	w.expect("deploying "+kind.String(), addr.String(), w.internalMessage("", addr.String(), balance, false, init), now, vAccepted)
	return addr
}

func rawMsg(t testing.TB, dest *cell.Address, value uint64, bounce bool) *cell.Cell {
	t.Helper()
	c, err := abi.NewInternalMessage(dest, new(big.Int).SetUint64(value), bounce, nil, nil).Cell()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// everHeaders is an EverWallet call after the signature: pubkey header
// (when pub is not nil), time, expire and method id.
func everHeaders(pub ed25519.PublicKey, ms uint64, expire uint32, fid uint32) *cell.Builder {
	b := cell.BeginCell()
	if pub == nil {
		b.StoreBool(false)
	} else {
		b.StoreBool(true).StoreBytes(pub)
	}
	return b.StoreUInt(ms, 64).StoreUInt(uint64(expire), 32).StoreUInt(uint64(fid), 32)
}

// seeded is a random source seeded from the clock, the seed logged.
func seeded(t testing.TB, stream uint64) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	return rand.New(rand.NewPCG(seed, stream))
}

// TestEverWalletMatrix runs EverWallet's message matrix through its real
// code on Everscale's executor and through Executor's Go rules, and
// delivers what it sends on both sides.
func TestEverWalletMatrix(t *testing.T) {
	w, r := newWorlds(t), seeded(t, 11)
	for round := range 2 {
		owner, other := randKey(r), randKey(r)
		now := uint32(chainTime + round*10000)
		const balance = 50_000_000_000
		wallet := w.deployReal(contract.EverWallet, owner, balance, now-100)
		a := wallet.String()
		name := func(s string) string { return fmt.Sprintf("round %d: EverWallet %s", round, s) }
		ms := uint64(now)*1000 - uint64(r.IntN(30000))
		expire := now + 1 + uint32(r.IntN(3600))
		dest := randAddress(r)
		value := 1 + r.Uint64N(5e9)
		args := mustCell(t, cell.BeginCell().StoreAddress(dest).StoreUInt(value, 128).StoreBool(false).StoreUInt(3, 8).StoreRef(cell.EmptyCell))
		send := func(pub ed25519.PublicKey, m uint64, exp uint32) *cell.Builder {
			return everHeaders(pub, m, exp, everSendTransaction).StoreRef(args)
		}
		raw := func(m uint64, pairs ...*cell.Cell) *cell.Builder {
			b := everHeaders(pubOf(owner), m, expire, everSendTransactionRaw)
			for i, p := range pairs {
				b.StoreUInt(uint64(i%2*2+1), 8).StoreRef(p)
			}
			return b
		}
		msg := func(body *cell.Cell) []byte { return extMsg(t, wallet, nil, body) }
		var k crypto.Signer = owner
		cases := []struct {
			name string
			body *cell.Cell
			want string
		}{
			{"call with another key's pubkey header", signed(t, wallet, other, send(pubOf(other), ms, expire)), exit(100)},
			{"call signed by another key, no pubkey header", signed(t, wallet, other, send(nil, ms, expire)), exit(40)},
			{"call signed for another wallet", signed(t, randAddress(r), k, send(pubOf(owner), ms, expire)), exit(40)},
			{"corrupted signature", flipBit(t, signed(t, wallet, k, send(pubOf(owner), ms, expire)), 1+r.IntN(512)), exit(40)},
			{"unsigned call", signed(t, wallet, nil, send(pubOf(owner), ms, expire)), exit(58)},
			{"expired call", signed(t, wallet, k, send(pubOf(owner), ms, now-uint32(r.IntN(100)))), exit(57)},
			{"time too far ahead", signed(t, wallet, k, send(pubOf(owner), (uint64(now)+1801)*1000, expire)), exit(52)},
			{"time zero", signed(t, wallet, k, send(pubOf(owner), 0, expire)), exit(52)},
			{"another function", signed(t, wallet, k, everHeaders(pubOf(owner), ms, expire, everSendTransaction^(1<<r.IntN(32))).StoreRef(args)), exit(60)},
			{"no arguments", signed(t, wallet, k, everHeaders(pubOf(owner), ms, expire, everSendTransaction)), exit(9)},
			{"arguments cut short", signed(t, wallet, k, everHeaders(pubOf(owner), ms, expire, everSendTransaction).StoreRef(mustCell(t, cell.BeginCell().StoreAddress(dest).StoreUInt(1, 64)))), exit(9)},
			{"arguments without payload", signed(t, wallet, k, everHeaders(pubOf(owner), ms, expire, everSendTransaction).StoreRef(mustCell(t, cell.BeginCell().StoreAddress(dest).StoreUInt(value, 128).StoreBool(false).StoreUInt(3, 8)))), exit(9)},
			{"value of 2^120", signed(t, wallet, k, everHeaders(pubOf(owner), ms, expire, everSendTransaction).StoreRef(mustCell(t, cell.BeginCell().StoreAddress(dest).StoreBigUInt(maxGrams, 128).StoreBool(false).StoreUInt(3, 8).StoreRef(cell.EmptyCell)))), vAborted},
			{"raw call with a flags byte and no message", signed(t, wallet, k, raw(ms).StoreUInt(3, 8)), vAborted},
			{"raw call with a transfer of more than the balance", signed(t, wallet, k, everHeaders(pubOf(owner), ms, expire, everSendTransactionRaw).StoreUInt(1, 8).StoreRef(rawMsg(t, dest, 2*balance, false))), vAborted},
			{"empty body", cell.EmptyCell, exit(9)},
		}
		for _, c := range cases {
			w.expect(name(c.name), a, msg(c.body), now, c.want)
		}

		// One transfer with sendTransaction, then the same call again.
		first := signed(t, wallet, k, send(pubOf(owner), ms, expire))
		nk, goo := w.expect(name("sendTransaction"), a, msg(first), now, vAccepted)
		w.deliver(name("sendTransaction"), nk, goo, now)
		w.expect(name("the same call again"), a, msg(first), now+1, exit(52))
		w.expect(name("an older time"), a, msg(signed(t, wallet, k, send(pubOf(owner), ms-1, expire))), now+1, exit(52))

		// Up to four messages with sendTransactionRaw, one of them more
		// than the wallet holds under mode 2 (ignore errors), bounceable
		// to nowhere.
		pairs := []*cell.Cell{rawMsg(t, randAddress(r), 1e9, false), rawMsg(t, randAddress(r), 2*balance, false), rawMsg(t, randAddress(r), 1e9, true), rawMsg(t, dest, 1e8, false)}
		for n := 1; n <= 4; n++ {
			m := ms + uint64(n)
			nk, goo := w.expect(name(fmt.Sprintf("sendTransactionRaw with %d messages", n)), a, msg(signed(t, wallet, k, raw(m, pairs[:n]...))), now+1, vAccepted)
			w.deliver(name("sendTransactionRaw"), nk, goo, now+1)
		}
		w.expect(name("raw call with trailing bits"), a, msg(signed(t, wallet, k, raw(ms+10, pairs[0]).StoreUInt(1, 3))), now+2, vAborted)

		// Built by nekoton from the ABI the package describes the wallet with.
		later := now + 5
		m, err := w.nk.ExternalMessage(nekoton.ExternalMessageParams{
			Dst: a, ABI: contract.EverWallet.ABI(), Method: "sendTransaction",
			Input:     map[string]any{"dest": dest.String(), "value": "12345", "bounce": r.IntN(2) == 0, "flags": 3, "payload": cell.EmptyCell.ToBase64()},
			SecretKey: fmt.Sprintf("%x", owner.Seed()), NowMs: int64(later) * 1000, ExpireAt: later + 60,
		})
		if err != nil {
			t.Fatal(err)
		}
		nk, goo = w.expect(name("nekoton-built sendTransaction"), a, mustB64(t, m.BOC), later, vAccepted)
		w.deliver(name("nekoton-built"), nk, goo, later)
		// A wallet that was never deployed: its address holds tokens, and
		// the first call carries the StateInit (as the EVER Wallet
		// extension sends it).
		fresh := randKey(r)
		init, faddr, err := contract.EverWallet.NewStateInit(realCode(t, contract.EverWallet), pubOf(fresh))
		if err != nil {
			t.Fatal(err)
		}
		fa := faddr.String()
		w.expect(name("tokens to an undeployed wallet"), fa, w.internalMessage("", fa, 5e9, false, nil), later, vAborted)
		call := signed(t, faddr, fresh, everHeaders(pubOf(fresh), uint64(later)*1000, later+60, everSendTransaction).StoreRef(args))
		w.expect(name("first call without its StateInit"), fa, extMsg(t, faddr, nil, call), later, nodeRejected)
		otherInit, _, err := contract.EverWallet.NewStateInit(realCode(t, contract.EverWallet), pubOf(other))
		if err != nil {
			t.Fatal(err)
		}
		w.expect(name("first call with another key's StateInit"), fa, extMsg(t, faddr, otherInit, call), later, nodeRejected)
		w.expect(name("first call with its StateInit, signed by another key"), fa, extMsg(t, faddr, init, signed(t, faddr, other, everHeaders(nil, uint64(later)*1000, later+60, everSendTransaction).StoreRef(args))), later, exit(40))
		w.expect(name("first call with its StateInit, expired"), fa, extMsg(t, faddr, init, signed(t, faddr, fresh, everHeaders(pubOf(fresh), uint64(later)*1000, later-1, everSendTransaction).StoreRef(args))), later, exit(57))
		nk, goo = w.expect(name("first call with its StateInit"), fa, extMsg(t, faddr, init, call), later, vAccepted)
		w.deliver(name("first call"), nk, goo, later)
		// Sent again (a retry that did not read the wallet first): the
		// StateInit of a deployed wallet is ignored, the call is a replay.
		w.expect(name("the deploying call again"), fa, extMsg(t, faddr, init, call), later+1, exit(52))
		nk, goo = w.expect(name("a later call with its StateInit"), fa, extMsg(t, faddr, init, signed(t, faddr, fresh, everHeaders(pubOf(fresh), uint64(later+1)*1000, later+60, everSendTransaction).StoreRef(args))), later+1, vAccepted)
		w.deliver(name("a later call with its StateInit"), nk, goo, later+1)

		// The package's deploying message: a batch of sendTransactionRaw
		// with the StateInit WithStateInit attaches.
		fresh2 := randKey(r)
		init2, faddr2, err := contract.EverWallet.NewStateInit(realCode(t, contract.EverWallet), pubOf(fresh2))
		if err != nil {
			t.Fatal(err)
		}
		w.expect(name("tokens to another undeployed wallet"), faddr2.String(), w.internalMessage("", faddr2.String(), 5e9, false, nil), later, vAborted)
		rawTs := make([]contract.Transfer, contract.EverWalletMaxTransfers)
		for i := range rawTs {
			rawTs[i] = contract.Transfer{Dest: randAddress(r), Value: 1e7, Flags: contract.MultisigFlags}
		}
		deploying, err := contract.EverWallet.TransfersMessage(faddr2, rawTs, fresh2, uint64(later)*1000, later+60)
		if err != nil {
			t.Fatal(err)
		}
		if deploying, err = contract.WithStateInit(deploying, init2); err != nil {
			t.Fatal(err)
		}
		nk, goo = w.expect(name("TransfersMessage with its StateInit"), faddr2.String(), deploying.ToBOC(), later, vAccepted)
		w.deliver(name("TransfersMessage with its StateInit"), nk, goo, later)

		// The package's own batches.
		ts := make([]contract.Transfer, contract.EverWalletMaxTransfers)
		for i := range ts {
			ts[i] = contract.Transfer{Dest: randAddress(r), Value: 1e7, Flags: contract.MultisigFlags}
		}
		batch, err := contract.EverWallet.TransfersMessage(wallet, ts, owner, uint64(later+1)*1000, later+60)
		if err != nil {
			t.Fatal(err)
		}
		nk, goo = w.expect(name("TransfersMessage"), a, batch.ToBOC(), later+1, vAccepted)
		w.deliver(name("TransfersMessage"), nk, goo, later+1)
	}
	t.Logf("verdicts compared: %v", w.verdicts)
}

// highloadBody is a highload wallet call: signed by key (over everything
// after the signature) with subwallet id, query id and message entries
// (key, mode, message), and extra bits after the dictionary.
func highloadBody(t testing.TB, key crypto.Signer, subwallet uint32, query uint64, entries map[uint16]*cell.Builder, extra int) *cell.Cell {
	t.Helper()
	var es []cell.DictEntry
	for k, v := range entries {
		es = append(es, cell.DictEntry{Key: []byte{byte(k >> 8), byte(k)}, Value: v})
	}
	dict, err := cell.BuildDict(16, es)
	if err != nil {
		t.Fatal(err)
	}
	u := mustCell(t, cell.BeginCell().StoreUInt(uint64(subwallet), 32).StoreUInt(query, 64).StoreMaybeRef(dict).StoreUInt(0, extra))
	h := u.Hash()
	sig, err := key.Sign(nil, h[:], crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	return mustCell(t, cell.BeginCell().StoreBytes(sig).StoreSlice(u.BeginParse()))
}

// TestHighloadMatrix runs the highload wallet v2's message matrix through
// its real code on Everscale's executor and through Executor's Go rules.
func TestHighloadMatrix(t *testing.T) {
	w, r := newWorlds(t), seeded(t, 12)
	for round := range 2 {
		owner, other := randKey(r), randKey(r)
		now := uint32(chainTime + round*10000)
		const balance = 500_000_000_000
		wallet := w.deployReal(contract.HighloadWalletV2, owner, balance, now-100)
		a := wallet.String()
		name := func(s string) string { return fmt.Sprintf("round %d: highload %s", round, s) }
		expire := now + 1 + uint32(r.IntN(3600))
		query := uint64(expire)<<32 | uint64(r.Uint32())
		entry := func(mode uint8, m *cell.Cell) *cell.Builder {
			return cell.BeginCell().StoreUInt(uint64(mode), 8).StoreRef(m)
		}
		one := map[uint16]*cell.Builder{0: entry(3, rawMsg(t, randAddress(r), 1e9, false))}
		msg := func(body *cell.Cell) []byte { return extMsg(t, wallet, nil, body) }
		many := func(n int, from uint16) map[uint16]*cell.Builder {
			m := map[uint16]*cell.Builder{}
			for i := range n {
				m[from+uint16(i)] = entry(3, rawMsg(t, randAddress(r), 1e6, false))
			}
			return m
		}
		cases := []struct {
			name string
			body *cell.Cell
			want string
		}{
			{"signed by another key", highloadBody(t, other, 0, query, one, 0), exit(35)},
			{"corrupted signature", flipBit(t, highloadBody(t, owner, 0, query, one, 0), r.IntN(512)), exit(35)},
			{"another subwallet", highloadBody(t, owner, 1+r.Uint32N(100), query, one, 0), exit(34)},
			{"expired query id", highloadBody(t, owner, 0, uint64(now-1)<<32|uint64(r.Uint32()), one, 0), exit(35)},
			{"trailing bits", highloadBody(t, owner, 0, query, one, 1+r.IntN(8)), exit(9)},
			{"body cut short", mustCell(t, cell.BeginCell().StoreZeros(512+40)), exit(9)},
			{"entry without a message", highloadBody(t, owner, 0, query+1, map[uint16]*cell.Builder{0: cell.BeginCell().StoreUInt(3, 8)}, 0), vAborted},
			{"transfer of more than the balance", highloadBody(t, owner, 0, query+2, map[uint16]*cell.Builder{0: entry(1, rawMsg(t, randAddress(r), 2*balance, false))}, 0), vAborted},
			{"empty body", cell.EmptyCell, exit(9)},
		}
		for _, c := range cases {
			w.expect(name(c.name), a, msg(c.body), now, c.want)
		}

		first := highloadBody(t, owner, 0, query, one, 0)
		nk, goo := w.expect(name("one transfer"), a, msg(first), now, vAccepted)
		w.deliver(name("one transfer"), nk, goo, now)
		w.expect(name("the same query again"), a, msg(first), now+1, exit(32))
		w.expect(name("the same query id, other messages"), a, msg(highloadBody(t, owner, 0, query, many(2, 0), 0)), now+1, exit(32))

		// Negative keys are never sent; mode 2 skips a transfer the
		// wallet cannot pay.
		mixed := many(3, 0)
		mixed[0x8000] = entry(3, rawMsg(t, randAddress(r), 1e6, false))
		mixed[5] = entry(2, rawMsg(t, randAddress(r), 2*balance, false))
		nk, goo = w.expect(name("negative key and an unpayable transfer under mode 2"), a, msg(highloadBody(t, owner, 0, query+3, mixed, 0)), now+1, vAccepted)
		if len(nk.out) != 3 {
			t.Errorf("%s: the executor sent %d messages, want 3", name("negative key"), len(nk.out))
		}
		w.deliver(name("mixed"), nk, goo, now+1)

		// The most a call may carry, and one more.
		nk, _ = w.expect(name("254 transfers"), a, msg(highloadBody(t, owner, 0, query+4, many(contract.HighloadMaxTransfers, 0), 0)), now+2, vAccepted)
		if len(nk.out) != contract.HighloadMaxTransfers {
			t.Errorf("%s: the executor sent %d messages", name("254 transfers"), len(nk.out))
		}
		w.expect(name("256 transfers"), a, msg(highloadBody(t, owner, 0, query+5, many(256, 0), 0)), now+2, vAborted)

		// Long after the first queries expired, a new one cleans them up
		// (the data, compared bit for bit, says how).
		later := expire + 100
		ts := []contract.Transfer{{Dest: randAddress(r), Value: 1e7, Flags: contract.MultisigFlags}, {Dest: randAddress(r), Value: 2e7, Flags: contract.MultisigFlags}}
		batch, err := contract.HighloadWalletV2.TransfersMessage(wallet, ts, owner, 0, later+60)
		if err != nil {
			t.Fatal(err)
		}
		nk, goo = w.expect(name("TransfersMessage after the others expired"), a, batch.ToBOC(), later, vAccepted)
		w.deliver(name("TransfersMessage"), nk, goo, later)
		w.expect(name("TransfersMessage again"), a, batch.ToBOC(), later+1, exit(32))

		// A wallet that was never deployed: its first call carries its
		// StateInit, as the EVER Wallet extension and sign-cli send it.
		fresh := randKey(r)
		init, faddr, err := contract.HighloadWalletV2.NewStateInit(realCode(t, contract.HighloadWalletV2), pubOf(fresh))
		if err != nil {
			t.Fatal(err)
		}
		otherInit, _, err := contract.HighloadWalletV2.NewStateInit(realCode(t, contract.HighloadWalletV2), pubOf(other))
		if err != nil {
			t.Fatal(err)
		}
		fa := faddr.String()
		w.expect(name("tokens to an undeployed wallet"), fa, w.internalMessage("", fa, 5e10, false, nil), later, vAborted)
		fq := uint64(later+60)<<32 | uint64(r.Uint32())
		call := highloadBody(t, fresh, 0, fq, one, 0)
		w.expect(name("first call without its StateInit"), fa, extMsg(t, faddr, nil, call), later, nodeRejected)
		w.expect(name("first call with another key's StateInit"), fa, extMsg(t, faddr, otherInit, call), later, nodeRejected)
		w.expect(name("first call with its StateInit, signed by another key"), fa, extMsg(t, faddr, init, highloadBody(t, other, 0, fq, one, 0)), later, exit(35))
		w.expect(name("first call with its StateInit, another subwallet"), fa, extMsg(t, faddr, init, highloadBody(t, fresh, 1, fq, one, 0)), later, exit(34))
		w.expect(name("first call with its StateInit, expired"), fa, extMsg(t, faddr, init, highloadBody(t, fresh, 0, uint64(later-1)<<32, one, 0)), later, exit(35))
		nk, goo = w.expect(name("first call with its StateInit"), fa, extMsg(t, faddr, init, call), later, vAccepted)
		w.deliver(name("first call"), nk, goo, later)
		w.expect(name("the deploying call again"), fa, extMsg(t, faddr, init, call), later+1, exit(32))
		next, err := contract.HighloadWalletV2.TransfersMessage(faddr, ts, fresh, 0, later+61)
		if err != nil {
			t.Fatal(err)
		}
		if next, err = contract.WithStateInit(next, init); err != nil {
			t.Fatal(err)
		}
		nk, goo = w.expect(name("a later TransfersMessage with its StateInit"), fa, next.ToBOC(), later+1, vAccepted)
		w.deliver(name("a later TransfersMessage with its StateInit"), nk, goo, later+1)
	}
	t.Logf("verdicts compared: %v", w.verdicts)
}
