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
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
)

const (
	vAccepted    = "accepted"
	vAborted     = "aborted"
	nodeRejected = "rejected by the node"
)

func exit(code int) string { return fmt.Sprintf("rejected, exit %d", code) }

// extMsg is an external message to dst with an optional StateInit.
func extMsg(t testing.TB, dst *cell.Address, init *cell.Cell, body *cell.Cell) []byte {
	t.Helper()
	var si *abi.StateInit
	if init != nil {
		var err error
		if si, err = abi.ParseStateInit(init); err != nil {
			t.Fatal(err)
		}
	}
	b, err := abi.NewExternalInMessage(dst, si, body).ToBOC()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bodyOf is the body of a message cell.
func bodyOf(t testing.TB, msg *cell.Cell) *cell.Cell {
	t.Helper()
	m, err := abi.ParseMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	return m.Body
}

// signed is 1 | signature | call, the signature by key by the ABI 2.3
// rule for dst; with key nil the body is unsigned (0 | call).
func signed(t testing.TB, dst *cell.Address, key crypto.Signer, call *cell.Builder) *cell.Cell {
	t.Helper()
	u := mustCell(t, call)
	if key == nil {
		return mustCell(t, cell.BeginCell().StoreBool(false).StoreSlice(u.BeginParse()))
	}
	h := mustCell(t, cell.BeginCell().StoreAddress(dst).StoreSlice(u.BeginParse())).Hash()
	sig, err := key.Sign(nil, h[:], crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	return mustCell(t, cell.BeginCell().StoreBool(true).StoreBytes(sig).StoreSlice(u.BeginParse()))
}

// ctorCall is the proof constructor call after the signature.
func ctorCall(pub ed25519.PublicKey, ms uint64, expire uint32, fid uint32) *cell.Builder {
	b := cell.BeginCell()
	if pub == nil {
		b.StoreBool(false)
	} else {
		b.StoreBool(true).StoreBytes(pub)
	}
	return b.StoreUInt(ms, 64).StoreUInt(uint64(expire), 32).StoreUInt(uint64(fid), 32)
}

// flipBit returns c with one data bit inverted.
func flipBit(t testing.TB, c *cell.Cell, bit int) *cell.Cell {
	t.Helper()
	data := c.Data()
	data[bit/8] ^= 0x80 >> (bit % 8)
	b := cell.BeginCell().StoreBits(data, c.BitsSize())
	for _, r := range c.Refs() {
		b.StoreRef(r)
	}
	return mustCell(t, b)
}

// groupOrder is L, the order of Ed25519's base point.
var groupOrder, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// malleate replaces the S half of a signed body's signature by S + L: the
// same group element, an encoding that verifiers must refuse.
func malleate(t testing.TB, body *cell.Cell) *cell.Cell {
	t.Helper()
	data := body.Data()
	sig := bitsAt(data, 1, 512)
	le := sig[32:]
	be := make([]byte, 32)
	for i := range be {
		be[i] = le[31-i]
	}
	sv := new(big.Int).Add(new(big.Int).SetBytes(be), groupOrder).FillBytes(make([]byte, 32))
	for i := range le {
		le[i] = sv[31-i]
	}
	b := cell.BeginCell().StoreBool(true).StoreBytes(sig)
	rest := body.BeginParse()
	if err := rest.Skip(513); err != nil {
		t.Fatal(err)
	}
	return mustCell(t, b.StoreSlice(rest))
}

// bitsAt copies n bits of data from bit offset off.
func bitsAt(data []byte, off, n int) []byte {
	out := make([]byte, (n+7)/8)
	for i := range n {
		if data[(off+i)/8]&(0x80>>((off+i)%8)) != 0 {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	return out
}

func newProof(t testing.TB, key ed25519.PrivateKey, content string) *contract.Proof {
	t.Helper()
	p, err := contract.NewProof(pubOf(key), content)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func deployMsg(t testing.TB, p *contract.Proof, key ed25519.PrivateKey, ms uint64, expire uint32) *cell.Cell {
	t.Helper()
	m, err := p.DeployMessage(key, time.UnixMilli(int64(ms)), expire)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestProofMatrix runs the proof contract's message matrix, with random
// keys, contents and times, through Everscale's executor and through
// Executor, and requires the same verdicts, exit codes, data (bit for bit),
// balance directions and sent messages.
func TestProofMatrix(t *testing.T) {
	w := newWorlds(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	const topUp = contract.DefaultTopUp
	for round := range rounds {
		owner, other := randKey(r), randKey(r)
		content := randContent(r)
		p := newProof(t, owner, content)
		addr := p.Address()
		a := addr.String()
		now := uint32(chainTime + round*10000)
		ms := uint64(now)*1000 - uint64(r.IntN(60000))
		expire := now + 1 + uint32(r.IntN(3600))
		name := func(s string) string { return fmt.Sprintf("round %d (%d bytes): %s", round, len(content), s) }
		deploy := deployMsg(t, p, owner, ms, expire)

		// An address with no balance cannot pay for the message.
		w.expect(name("deploy with no balance"), a, deploy.ToBOC(), now, nodeRejected)
		// Funding creates the account, uninit; with no code to run, the
		// transaction counts as aborted though the value stays.
		nk, goo := w.expect(name("top-up of a new address"), a, w.internalMessage("", a, topUp, false, nil), now-10, vAborted)
		if goo.status != account.Uninit || goo.delta.Cmp(big.NewInt(topUp)) != 0 || nk.status != account.Uninit {
			t.Errorf("%s: after funding executor %s, emulator %s", name("top-up"), nk, goo)
		}
		// A bounceable top-up of an uninit account comes back.
		nk, goo = w.expect(name("bounceable top-up of an uninit address"), a, w.internalMessage(w.sender(t), a, 5e8, true, nil), now-9, vAborted)
		w.deliver(name("bounce"), nk, goo, now-9)

		otherContent := newProof(t, owner, content+"!")
		otherKey := newProof(t, other, content)
		init := p.StateInit()
		msg := func(body *cell.Cell) []byte { return extMsg(t, addr, init, body) }
		good := signed(t, addr, owner, ctorCall(pubOf(owner), ms, expire, proofConstructorID))
		cases := []struct {
			name string
			body *cell.Cell
			want string
		}{
			{"signed by another key, owner's pubkey header", signed(t, addr, other, ctorCall(pubOf(owner), ms, expire, proofConstructorID)), exit(40)},
			{"signed by another key, no pubkey header", signed(t, addr, other, ctorCall(nil, ms, expire, proofConstructorID)), exit(40)},
			{"signed by another key, its pubkey header", signed(t, addr, other, ctorCall(pubOf(other), ms, expire, proofConstructorID)), exit(100)},
			{"corrupted signature", flipBit(t, good, 1+r.IntN(512)), exit(40)},
			{"malleated signature (s + L)", malleate(t, good), exit(40)},
			{"corrupted signed bits", flipBit(t, good, 1+512+1+256+r.IntN(64)), exit(40)},
			{"deploy body of other content replayed here", bodyOf(t, deployMsg(t, otherContent, owner, ms, expire)), exit(40)},
			{"deploy body of another key replayed here", bodyOf(t, deployMsg(t, otherKey, other, ms, expire)), exit(100)},
			{"signed for another address", signed(t, otherContent.Address(), owner, ctorCall(pubOf(owner), ms, expire, proofConstructorID)), exit(40)},
			{"expired", signed(t, addr, owner, ctorCall(pubOf(owner), ms, now-1-uint32(r.IntN(1000)), proofConstructorID)), exit(57)},
			{"expires now", signed(t, addr, owner, ctorCall(pubOf(owner), ms, now, proofConstructorID)), exit(57)},
			{"no signature", signed(t, addr, nil, ctorCall(pubOf(owner), ms, expire, proofConstructorID)), exit(58)},
			{"no signature, no pubkey", signed(t, addr, nil, ctorCall(nil, ms, expire, proofConstructorID)), exit(58)},
			{"wrong function id", signed(t, addr, owner, ctorCall(pubOf(owner), ms, expire, proofConstructorID^(1<<r.IntN(32)))), exit(60)},
			{"trailing bits", signed(t, addr, owner, ctorCall(pubOf(owner), ms, expire, proofConstructorID).StoreUInt(0, 1+r.IntN(8))), exit(101)},
			{"trailing reference", signed(t, addr, owner, ctorCall(pubOf(owner), ms, expire, proofConstructorID).StoreRef(cell.EmptyCell)), exit(101)},
			{"empty body", cell.EmptyCell, exit(9)},
			{"body cut inside the signature", mustCell(t, cell.BeginCell().StoreBool(true).StoreZeros(1+r.IntN(500))), exit(9)},
			{"body cut before the function id", mustCell(t, cell.BeginCell().StoreBool(true).StoreZeros(512).StoreBool(false).StoreUInt(ms, 64).StoreUInt(uint64(expire), 32)), exit(9)},
		}
		for _, c := range cases {
			w.expect(name(c.name), a, msg(c.body), now, c.want)
		}
		// The right message, with or without the pubkey header, is accepted.
		body := good
		if r.IntN(2) == 0 {
			body = signed(t, addr, owner, ctorCall(nil, ms, expire, proofConstructorID))
		}
		nk, goo = w.expect(name("valid deploy"), a, msg(body), now, vAccepted)
		if st := checkProof(t, p, w.goAcc[a]); st != nil && (st.Timestamp != ms || st.DeployedAt != now) {
			t.Errorf("%s: emulator's proof has timestamp %d deployedAt %d, want %d and %d", name("valid deploy"), st.Timestamp, st.DeployedAt, ms, now)
		}
		if !withinFactor(new(big.Int).Neg(goo.delta), new(big.Int).Neg(nk.delta), 2) {
			t.Errorf("%s: the emulator charges %s, the executor %s", name("deploy fee"), new(big.Int).Neg(goo.delta), new(big.Int).Neg(nk.delta))
		}
		// Once constructed, neither the same message nor a fresh one.
		w.expect(name("the same deploy again"), a, deploy.ToBOC(), now+1, exit(51))
		w.expect(name("a fresh valid deploy"), a, deployMsg(t, p, owner, uint64(now+2)*1000, now+100).ToBOC(), now+2, exit(51))
		// Top-ups of a constructed proof change only its balance.
		for i, bounce := range []bool{false, true} {
			w.expect(name(fmt.Sprintf("top-up %d of the proof, bounce=%v", i, bounce)), a, w.internalMessage(w.sender(t), a, uint64(1e6+r.IntN(1e9)), bounce, nil), now+3, vAccepted)
		}
		w.expect(name("top-up with the StateInit again"), a, w.internalMessage("", a, 1e7, false, init), now+4, vAccepted)
		checkProof(t, p, w.goAcc[a])
	}
	t.Logf("verdicts compared: %v", w.verdicts)
}

// sender is a fixed internal address that is never an account here.
func (w *worlds) sender(testing.TB) string {
	return cell.NewStdAddress(0, [32]byte{0xee, 1}).String()
}

// checkProof checks the emulator's account with package contract: it must
// be p, constructed.
func checkProof(t testing.TB, p *contract.Proof, a devnet.Account) *contract.ProofState {
	t.Helper()
	acc := &contract.Account{Status: a.Type, Balance: a.Balance}
	var err error
	if acc.Address, err = cell.ParseAddress(a.Address); err != nil {
		t.Fatal(err)
	}
	if acc.Code, err = decodeCell(a.Code); err != nil {
		t.Fatal(err)
	}
	if acc.Data, err = decodeCell(a.Data); err != nil {
		t.Fatal(err)
	}
	st, err := p.Check(acc)
	if err != nil {
		t.Errorf("the emulator's account %s is not the proof: %v", a.Address, err)
		return nil
	}
	return st
}

// withinFactor reports whether a is between b/f and b*f.
func withinFactor(a, b *big.Int, f int64) bool {
	lo := new(big.Int).Div(b, big.NewInt(f))
	hi := new(big.Int).Mul(b, big.NewInt(f))
	return a.Cmp(lo) >= 0 && a.Cmp(hi) <= 0
}
