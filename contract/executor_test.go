package contract

import (
	"crypto"
	"crypto/ed25519"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

// proofTopUp is what the tests put on a proof address before deploying.
const proofTopUp = 100_000_000 // 0.1

// funded returns a proof of content by key and the uninit account at its
// address holding proofTopUp.
func (e *executor) funded(key ed25519.PrivateKey, content string) (*Proof, string) {
	e.t.Helper()
	p, err := NewProof(pubOf(key), content)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, e.fund("", p.Address(), proofTopUp, nil, chainTime-10)
}

// deployed checks that x constructed proof p and returns its state.
func (e *executor) deployed(p *Proof, x nekoton.Execution, signMs uint64, now uint32) *ProofState {
	e.t.Helper()
	if x.Rejected {
		e.t.Fatalf("deploy refused with exit code %d", x.ExitCode)
	}
	if x.Transaction.Aborted || x.Transaction.EndStatus != "active" {
		e.t.Fatalf("deploy transaction aborted=%v end status %s", x.Transaction.Aborted, x.Transaction.EndStatus)
	}
	acc := accountState(e.t, x.Account)
	st, err := p.Check(acc)
	if err != nil {
		e.t.Fatalf("deployed proof does not check: %v", err)
	}
	if st.Timestamp != signMs || st.DeployedAt != now {
		e.t.Fatalf("timestamp %d deployedAt %d, want %d and %d", st.Timestamp, st.DeployedAt, signMs, now)
	}
	// nekoton decodes the same data with our ABI.
	var full struct{ Boc string }
	if err := e.nk.CallInto(&full, "parseFullAccountBoc", x.Account); err != nil {
		e.t.Fatal(err)
	}
	var fields map[string]any
	if err := e.nk.CallInto(&fields, "unpackContractFields", ProofABI, full.Boc, false); err != nil {
		e.t.Fatal(err)
	}
	if fields["content"] != p.Content() || fields["_constructorFlag"] != true ||
		fields["_timestamp"] != uintString(signMs) || fields["deployedAt"] != uintString(uint64(now)) {
		e.t.Fatalf("nekoton decodes the proof data as %v", fields)
	}
	return st
}

func TestDeployGoBuilt(t *testing.T) {
	e := newExecutor(t)
	key := testKey(1)
	p, acc := e.funded(key, "sha256:"+strings.Repeat("0f", 32))
	const signMs = chainTime*1000 - 1234
	msg, err := p.DeployMessage(key, time.UnixMilli(signMs), chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	x := e.run(acc, msg, chainTime)
	e.deployed(p, x, signMs, chainTime)
	info := e.txInfo(x)
	if info.ComputeSkipped != nil || !info.Success || info.ExitCode != 0 {
		t.Fatalf("compute phase %+v", info)
	}
}

func TestDeployNekotonBuilt(t *testing.T) {
	e := newExecutor(t)
	key := testKey(2)
	p, acc := e.funded(key, "any content, ünïcode too")
	const signMs = chainTime * 1000
	m, err := e.nk.ExternalMessage(nekoton.ExternalMessageParams{
		Dst: p.Address().String(), ABI: ProofABI, Method: "constructor",
		StateInit: p.StateInit().ToBase64(), SecretKey: seedHex(key),
		NowMs: signMs, ExpireAt: chainTime + 40,
	})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.nk.Execute(acc, m.BOC, chainTime+1)
	if err != nil {
		t.Fatal(err)
	}
	e.deployed(p, x, signMs, chainTime+1)
}

// body builds an ABI 2.3-signed body for dst from the bits and refs of u
// (everything after the signature), or an unsigned one (flag 0).
func signedBody(t testing.TB, dst *cell.Address, signer crypto.Signer, u *cell.Builder, sign bool) *cell.Cell {
	t.Helper()
	unsigned := mustCell(u)
	if !sign {
		return mustCell(cell.BeginCell().StoreBool(false).StoreSlice(unsigned.BeginParse()))
	}
	toHash := mustCell(cell.BeginCell().StoreAddress(dst).StoreSlice(unsigned.BeginParse()))
	h := toHash.Hash()
	sig, err := signer.Sign(nil, h[:], crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	return mustCell(cell.BeginCell().StoreBool(true).StoreBytes(sig).StoreSlice(unsigned.BeginParse()))
}

// constructorCall is the part of a constructor body after the signature.
func constructorCall(pub ed25519.PublicKey, timeMs uint64, expire uint32, fid uint32) *cell.Builder {
	b := cell.BeginCell()
	if pub == nil {
		b.StoreBool(false)
	} else {
		b.StoreBool(true).StoreBytes(pub)
	}
	return b.StoreUInt(timeMs, 64).StoreUInt(uint64(expire), 32).StoreUInt(uint64(fid), 32)
}

// TestDeployRejections runs messages that must be refused on a funded,
// not yet constructed proof: each is refused before ACCEPT (no transaction,
// so no state change and no fee), with the contract's exit code. Each also
// has a control: the same message built right is accepted.
func TestDeployRejections(t *testing.T) {
	e := newExecutor(t)
	owner, other := testKey(10), testKey(11)
	const content = "sha256:" + "1111111111111111111111111111111111111111111111111111111111111111"
	p, acc := e.funded(owner, content)
	otherContent, err := NewProof(pubOf(owner), content+"x")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := NewProof(pubOf(other), content)
	if err != nil {
		t.Fatal(err)
	}
	const ms = chainTime * 1000
	addr := p.Address()
	msgWith := func(body *cell.Cell) *cell.Cell {
		m, err := externalMessage(addr, p.StateInit(), body)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// bodyOf takes the body out of a deploy message built for another proof.
	bodyOf := func(q *Proof, key ed25519.PrivateKey) *cell.Cell {
		m, err := q.DeployMessage(key, time.UnixMilli(ms), chainTime+60)
		if err != nil {
			t.Fatal(err)
		}
		s := m.BeginParse()
		_ = s.Skip(2 + 2 + 267 + 4 + 1 + 1 + 5) // header, init flags, inline StateInit
		_, _ = s.LoadRef()
		_, _ = s.LoadRef()
		if isRef, _ := s.LoadBool(); !isRef {
			t.Fatal("deploy body is not in a ref")
		}
		b, err := s.LoadRef()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	corrupt := func(body *cell.Cell, bit int) *cell.Cell {
		data := body.Data()
		data[bit/8] ^= 0x80 >> (bit % 8)
		return mustCell(cell.BeginCell().StoreBits(data, body.BitsSize()).StoreSlice(refsOnly(body)))
	}
	good := signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID), true)

	tests := []struct {
		name     string
		msg      *cell.Cell
		wantExit int
	}{
		{"signed by another key, owner's pubkey header", msgWith(signedBody(t, addr, other, constructorCall(pubOf(owner), ms, chainTime+60, constructorID), true)), 40},
		{"signed by another key, no pubkey header", msgWith(signedBody(t, addr, other, constructorCall(nil, ms, chainTime+60, constructorID), true)), 40},
		{"signed by another key, its own pubkey header", msgWith(signedBody(t, addr, other, constructorCall(pubOf(other), ms, chainTime+60, constructorID), true)), 100},
		{"corrupted signature", msgWith(corrupt(good, 1+100)), 40},
		{"corrupted signed bits", msgWith(corrupt(good, 1+512+1+256+10)), 40},
		{"valid deploy body of other content replayed here", msgWith(bodyOf(otherContent, owner)), 40},
		{"valid deploy body of other key replayed here", msgWith(bodyOf(otherKey, other)), 100},
		{"signed for another address", msgWith(signedBody(t, otherContent.Address(), owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID), true)), 40},
		{"expired", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime-1, constructorID), true)), 57},
		{"expires now", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime, constructorID), true)), 57},
		{"no signature", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID), false)), 58},
		{"no signature, no pubkey", msgWith(signedBody(t, addr, owner, constructorCall(nil, ms, chainTime+60, constructorID), false)), 58},
		{"wrong function id", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID^1), true)), 60},
		{"function id of an answer", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID|0x80000000), true)), 60},
		{"trailing bits", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID).StoreUInt(0, 8), true)), 101},
		{"trailing ref", msgWith(signedBody(t, addr, owner, constructorCall(pubOf(owner), ms, chainTime+60, constructorID).StoreRef(cell.EmptyCell), true)), 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := e.run(acc, tt.msg, chainTime)
			if !x.Rejected {
				t.Fatalf("accepted: transaction aborted=%v, end status %s", x.Transaction.Aborted, x.Transaction.EndStatus)
			}
			if x.ExitCode != tt.wantExit {
				t.Fatalf("exit code %d, want %d", x.ExitCode, tt.wantExit)
			}
		})
	}

	// The controls: a right message, with and without the pubkey header,
	// is accepted on the same account.
	for _, u := range []*cell.Builder{
		constructorCall(pubOf(owner), ms, chainTime+60, constructorID),
		constructorCall(nil, ms, chainTime+60, constructorID),
	} {
		x := e.run(acc, msgWith(signedBody(t, addr, owner, u, true)), chainTime)
		e.deployed(p, x, ms, chainTime)
	}
}

// refsOnly is a slice holding only body's refs.
func refsOnly(body *cell.Cell) *cell.Slice {
	b := cell.BeginCell()
	for _, r := range body.Refs() {
		b.StoreRef(r)
	}
	return mustCell(b).BeginParse()
}

// TestConstructedProofIsFinal: once constructed, neither the same deploy
// message nor a fresh valid one is accepted, and top-ups with or without a
// body, bounceable or not, change nothing but the balance.
func TestConstructedProofIsFinal(t *testing.T) {
	e := newExecutor(t)
	key := testKey(20)
	p, acc := e.funded(key, "sha256:"+strings.Repeat("22", 32))
	first, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	x := e.run(acc, first, chainTime)
	want := e.deployed(p, x, chainTime*1000, chainTime)
	acc = x.Account

	fresh, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000+5000), chainTime+100)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*cell.Cell{"same message again": first, "fresh valid message": fresh} {
		x := e.run(acc, m, chainTime+5)
		if !x.Rejected || x.ExitCode != 51 {
			t.Fatalf("%s: rejected=%v exit %d, want exit 51", name, x.Rejected, x.ExitCode)
		}
	}

	balance := accountState(t, acc).Balance.Uint64()
	const topUp = 2_000_000_000
	var body string
	if err := e.nk.CallInto(&body, "encodeInternalInput", ProofABI, "constructor", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		bounce bool
		body   any
		init   any
	}{
		{false, nil, nil},
		{true, nil, nil},
		{true, body, nil},                      // an internal call of the constructor
		{false, nil, p.StateInit().ToBase64()}, // StateInit again
	} {
		var msg string
		if err := e.nk.CallInto(&msg, "encodeInternalMessage", "0:"+strings.Repeat("ab", 32), p.Address().String(), tc.bounce, tc.init, tc.body, uintString(topUp)); err != nil {
			t.Fatal(err)
		}
		x, err := e.nk.Execute(acc, msg, chainTime+uint32(10*(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		if x.Rejected || x.Transaction.Aborted {
			t.Fatalf("top-up %d refused or aborted: %+v", i, x)
		}
		if len(x.Transaction.OutMessages) != 0 {
			t.Fatalf("top-up %d sent messages", i)
		}
		acc = x.Account
		a := accountState(t, acc)
		st, err := p.Check(a)
		if err != nil {
			t.Fatal(err)
		}
		if !st.PublicKey.Equal(want.PublicKey) || st.Content != want.Content || st.Timestamp != want.Timestamp || st.DeployedAt != want.DeployedAt || !st.Constructed {
			t.Fatalf("top-up %d changed the data: %+v, was %+v", i, st, want)
		}
		if a.Code.Hash() != ProofCodeHash() {
			t.Fatalf("top-up %d changed the code", i)
		}
		if nb := a.Balance.Uint64(); nb <= balance {
			t.Fatalf("top-up %d: balance %d did not grow from %d", i, nb, balance)
		} else {
			balance = nb
		}
	}
}

// TestInternalDeployIsNotAProof: anyone can deploy the initial state with
// an internal message carrying the StateInit; that is not a proof (not
// constructed), and the signer's deploy message still works afterwards.
func TestInternalDeployIsNotAProof(t *testing.T) {
	e := newExecutor(t)
	key := testKey(21)
	p, err := NewProof(pubOf(key), "griefing attempt")
	if err != nil {
		t.Fatal(err)
	}
	acc := e.fund("", p.Address(), proofTopUp, p.StateInit(), chainTime-10)
	a := accountState(t, acc)
	if a.Status != account.Active {
		t.Fatalf("status %s after an internal deploy", a.Status)
	}
	if _, err := p.Check(a); err != ErrNotConstructed {
		t.Fatalf("Check = %v, want ErrNotConstructed", err)
	}
	msg, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	e.deployed(p, e.run(acc, msg, chainTime), chainTime*1000, chainTime)
}

// TestRandomDeployments deploys proofs of random keys and contents (random
// lengths up to MaxContentLen) and checks each with the Go decoder and
// nekoton's.
func TestRandomDeployments(t *testing.T) {
	e := newExecutor(t)
	n := 120
	if testing.Short() {
		n = 20
	}
	runSeed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", runSeed)
	r := rand.New(rand.NewPCG(runSeed, 1))
	for i := range n {
		seed := r.Uint64()
		key := testKey(seed)
		length := 1 + r.IntN(MaxContentLen)
		if i%4 == 0 {
			length = 71
		}
		content := randomContent(r, length)
		p, acc := e.funded(key, content)
		signMs := uint64(chainTime)*1000 - uint64(r.IntN(60000))
		now := uint32(chainTime + r.IntN(30))
		msg, err := p.DeployMessage(key, time.UnixMilli(int64(signMs)), now+1+uint32(r.IntN(3600)))
		if err != nil {
			t.Fatal(err)
		}
		x := e.run(acc, msg, now)
		if x.Rejected {
			t.Fatalf("deployment %d (key seed %d, %d bytes) refused with %d", i, seed, length, x.ExitCode)
		}
		e.deployed(p, x, signMs, now)
	}
}

// TestDeployWithoutFunds: a deploy message to an address with no balance
// is refused and changes nothing; after funding, the same message deploys.
func TestDeployWithoutFunds(t *testing.T) {
	e := newExecutor(t)
	key := testKey(22)
	p, err := NewProof(pubOf(key), "unfunded")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	var none string
	if err := e.nk.CallInto(&none, "makeFullAccountBoc", nil); err != nil {
		t.Fatal(err)
	}
	x, err := e.nk.Execute(none, msg.ToBase64(), chainTime)
	if err == nil && !x.Rejected {
		t.Fatalf("deploy with no funds was executed: %+v", x.Transaction)
	}
	acc := e.fund("", p.Address(), DefaultTopUp, nil, chainTime)
	e.deployed(p, e.run(acc, msg, chainTime+1), chainTime*1000, chainTime+1)
}
