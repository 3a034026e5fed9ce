package contracts

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
)

// TestProofOddStates compares the executors on states that only a
// hand-made StateInit or an internal deployment reaches: the proof's
// initial state deployed without its constructor (anyone can), and the
// proof code with data that is not the proof's layout.
func TestProofOddStates(t *testing.T) {
	w := newWorlds(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	owner := randKey(r)
	now := uint32(chainTime)

	// Griefing: the initial state deployed by an internal message is not a
	// proof; the signer's deploy message still constructs it.
	p := newProof(t, owner, randContent(r))
	a := p.Address().String()
	w.expect("internal deployment of the initial state", a, w.internalMessage(w.sender(t), a, 2e8, true, p.StateInit()), now, vAccepted)
	if st, ok := w.goAcc[a]; !ok || st.Code == nil {
		t.Fatal("the internal deployment left no code")
	}
	w.expect("deploy after the internal deployment", a, deployMsg(t, p, owner, uint64(now)*1000, now+60).ToBOC(), now+1, vAccepted)
	checkProof(t, p, w.goAcc[a])

	// The proof code with other data: each layout fails where the
	// contract reads it.
	deploy := func(name string, data *cell.Cell, header bool, want string) {
		t.Helper()
		init, err := (&abi.StateInit{Code: contract.ProofCode(), Data: data}).Cell()
		if err != nil {
			t.Fatal(err)
		}
		var id [32]byte = init.Hash()
		addr := cell.NewStdAddress(0, id)
		w.expect(name+": funding", addr.String(), w.internalMessage("", addr.String(), 1e8, false, nil), now, vAborted)
		var hk []byte
		if header {
			hk = pubOf(owner)
		}
		body := signed(t, addr, owner, ctorCall(hk, uint64(now)*1000, now+60, proofConstructorID))
		w.expect(name, addr.String(), extMsg(t, addr, init, body), now, want)
	}
	content := mustCell(t, cell.BeginCell().StoreBytes([]byte("x")))
	key := new(big.Int).SetBytes(pubOf(owner))
	deploy("no data", nil, true, exit(9))
	deploy("data of 300 bits", mustCell(t, cell.BeginCell().StoreBigUInt(key, 256).StoreUInt(0, 44)), true, exit(9))
	deploy("flag set, no content", mustCell(t, cell.BeginCell().StoreBigUInt(key, 256).StoreUInt(0, 64).StoreBool(true)), true, exit(51))
	deploy("flag clear, no content", mustCell(t, cell.BeginCell().StoreBigUInt(key, 256).StoreUInt(0, 64).StoreBool(false)), true, exit(9))
	deploy("another key in the data", mustCell(t, cell.BeginCell().StoreBytes(pubOf(randKey(r))).StoreUInt(0, 64).StoreBool(false).StoreRef(content)), false, exit(40))
	deploy("extra bits after the fields", mustCell(t, cell.BeginCell().StoreBigUInt(key, 256).StoreUInt(7, 64).StoreBool(false).StoreRef(content).StoreUInt(5, 32).StoreUInt(0x3ff, 10).StoreRef(content)), true, vAccepted)
	// Keys that are not points: Everscale's executor ends with a fatal
	// error (12) under the main config. A non-canonical encoding of a
	// point (all ones: y = 2^255-1, which is 18 mod p) decodes.
	for i := 0; i < 4; {
		k := make([]byte, 32)
		for j := range k {
			k[j] = byte(r.UintN(256))
		}
		if onCurve(k) {
			continue
		}
		i++
		deploy(fmt.Sprintf("key %x that is not a point", k[:4]), mustCell(t, cell.BeginCell().StoreBytes(k).StoreUInt(0, 64).StoreBool(false).StoreRef(content)), false, exit(12))
	}
	deploy("non-canonical key", mustCell(t, cell.BeginCell().StoreOnes(256).StoreUInt(0, 64).StoreBool(false).StoreRef(content)), false, exit(40))
	t.Logf("verdicts compared: %v", w.verdicts)
}

// TestFeeModel compares the fee model with what Everscale's executor
// charges for each kind of transaction: the emulator's fee must be within
// a factor of two of the executor's (storage rent aside).
func TestFeeModel(t *testing.T) {
	w := newWorlds(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10))
	owner := randKey(r)
	now := uint32(chainTime)
	g := w.deployGiver(owner, 10e9, now).String()
	giver, _ := cell.ParseAddress(g)
	report := func(what string, nk, goo outcome, value *big.Int) {
		t.Helper()
		nkFee := new(big.Int).Sub(value, nk.delta)
		goFee := new(big.Int).Sub(value, goo.delta)
		t.Logf("%-40s executor %10s  model %10s", what, nkFee, goFee)
		if !withinFactor(goFee, nkFee, 2) {
			t.Errorf("%s: the model charges %s, the executor %s", what, goFee, nkFee)
		}
	}
	for _, n := range []int{1, 71, contract.MaxContentLen} {
		key := randKey(r)
		content := randContent(r)
		for len(content) != n {
			content = string(make([]byte, 0, n)) + fmt.Sprintf("%0*d", n, 0)
		}
		p := newProof(t, key, content)
		a := p.Address().String()
		nk, goo := w.expect("fund", g, transferMsg(t, contract.LocalGiver, giver, contract.Transfer{Dest: p.Address(), Value: contract.DefaultTopUp}, owner, uint64(now)*1000+uint64(n), now+60), now, vAccepted)
		report("giver transfer (value apart)", nk, goo, big.NewInt(-contract.DefaultTopUp))
		w.deliver("fund", nk, goo, now)
		nk, goo = w.expect("deploy", a, deployMsg(t, p, key, uint64(now)*1000, now+60).ToBOC(), now, vAccepted)
		report(fmt.Sprintf("proof deployment, %d bytes", n), nk, goo, new(big.Int))
		nk, goo = w.expect("top-up", a, w.internalMessage(w.sender(t), a, 1e9, true, nil), now, vAccepted)
		report("top-up of a proof (value apart)", nk, goo, big.NewInt(1e9))
	}
}
