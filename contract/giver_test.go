package contract

import (
	"crypto/ed25519"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

// deployGiver puts the package's giver, owned by owner, on a new account
// with balance.
func (e *executor) deployGiver(owner ed25519.PrivateKey, balance uint64) (*cell.Address, string) {
	e.t.Helper()
	init, err := LocalGiverStateInit(pubOf(owner))
	if err != nil {
		e.t.Fatal(err)
	}
	addr, err := LocalGiverAddress(pubOf(owner))
	if err != nil {
		e.t.Fatal(err)
	}
	acc := e.fund("", addr, balance, init, chainTime-100)
	if a := accountState(e.t, acc); a.Status != account.Active || a.Code.Hash() != GiverCodeHash() {
		e.t.Fatalf("giver not deployed: %s", a.Status)
	}
	return addr, acc
}

// giverMessages is the giver's _messages map as nekoton decodes it.
func (e *executor) giverMessages(acc string) int {
	e.t.Helper()
	var full struct{ Boc string }
	if err := e.nk.CallInto(&full, "parseFullAccountBoc", acc); err != nil {
		e.t.Fatal(err)
	}
	var fields struct {
		Pubkey   string  `json:"_pubkey"`
		Messages [][]any `json:"_messages"`
	}
	if err := e.nk.CallInto(&fields, "unpackContractFields", GiverABI, full.Boc, false); err != nil {
		e.t.Fatal(err)
	}
	return len(fields.Messages)
}

// TestGiverFundsProof: the giver pays a new proof address (bounce=false),
// the proof deploys from that money, and the giver refuses replays.
func TestGiverFundsProof(t *testing.T) {
	e := newExecutor(t)
	owner := testKey(30)
	giver, gacc := e.deployGiver(owner, 1_000_000_000_000)
	key := testKey(31)
	p, err := NewProof(pubOf(key), "sha256:"+strings.Repeat("33", 32))
	if err != nil {
		t.Fatal(err)
	}
	const value = 500_000_000
	msg, err := LocalGiver.TransferMessage(giver, Transfer{Dest: p.Address(), Value: value}, owner, chainTime*1000, chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	x := e.run(gacc, msg, chainTime)
	if x.Rejected || x.Transaction.Aborted {
		t.Fatalf("giver refused: %+v", x)
	}
	if len(x.Transaction.OutMessages) != 1 {
		t.Fatalf("giver sent %d messages", len(x.Transaction.OutMessages))
	}
	out := x.Transaction.OutMessages[0]
	if out.Dst != p.Address().String() || out.Value != uintString(value) || out.Bounce {
		t.Fatalf("giver sent %+v", out)
	}
	gacc = x.Account
	if n := e.giverMessages(gacc); n != 1 {
		t.Fatalf("giver remembers %d calls, want 1", n)
	}

	// The transfer arrives at the proof address, which can then deploy.
	var empty string
	if err := e.nk.CallInto(&empty, "makeFullAccountBoc", nil); err != nil {
		t.Fatal(err)
	}
	arrived, err := e.nk.Execute(empty, out.BOC, chainTime+1)
	if err != nil || arrived.Rejected {
		t.Fatalf("transfer to the proof address: %v %+v", err, arrived)
	}
	pa := accountState(t, arrived.Account)
	if pa.Status != account.Uninit || pa.Balance.Cmp(big.NewInt(value)) != 0 {
		t.Fatalf("proof address after the transfer: %s with %s", pa.Status, pa.Balance)
	}
	deploy, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	e.deployed(p, e.run(arrived.Account, deploy, chainTime+2), chainTime*1000, chainTime+2)

	// The same call again is a replay.
	if x := e.run(gacc, msg, chainTime+2); !x.Rejected || x.ExitCode != 52 {
		t.Fatalf("replay: rejected=%v exit %d, want 52", x.Rejected, x.ExitCode)
	}
	// A nekoton-built call is accepted too, and the expired entry of the
	// first call is forgotten once it has expired.
	m, err := e.nk.ExternalMessage(nekoton.ExternalMessageParams{
		Dst: giver.String(), ABI: GiverABI, Method: "sendTransaction",
		Input:     map[string]any{"dest": p.Address().String(), "value": "1000", "bounce": true},
		SecretKey: seedHex(owner), NowMs: (chainTime + 100) * 1000, ExpireAt: chainTime + 160,
	})
	if err != nil {
		t.Fatal(err)
	}
	x2, err := e.nk.Execute(gacc, m.BOC, chainTime+101)
	if err != nil || x2.Rejected || x2.Transaction.Aborted {
		t.Fatalf("nekoton-built giver call: %v %+v", err, x2)
	}
	if o := x2.Transaction.OutMessages; len(o) != 1 || !o[0].Bounce || o[0].Value != "1000" {
		t.Fatalf("giver sent %+v", o)
	}
	if n := e.giverMessages(x2.Account); n != 1 {
		t.Fatalf("giver remembers %d calls after the first expired, want 1", n)
	}
}

func TestGiverRejections(t *testing.T) {
	e := newExecutor(t)
	owner, other := testKey(40), testKey(41)
	giver, gacc := e.deployGiver(owner, 1_000_000_000_000)
	dest := cell.NewStdAddress(0, [32]byte{9})
	const ms = chainTime * 1000
	args := func(value *big.Int) *cell.Cell {
		return mustCell(cell.BeginCell().StoreAddress(dest).StoreBigUInt(value, 128).StoreBool(false))
	}
	call := func(expire uint32, fid uint32, a *cell.Cell) *cell.Builder {
		return cell.BeginCell().StoreUInt(ms, 64).StoreUInt(uint64(expire), 32).StoreUInt(uint64(fid), 32).StoreRef(a)
	}
	msgWith := func(body *cell.Cell) *cell.Cell {
		m, err := externalMessage(giver, nil, body)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	one := big.NewInt(1_000_000_000)
	tests := []struct {
		name     string
		msg      *cell.Cell
		wantExit int
	}{
		{"other key", msgWith(signedBody(t, giver, other, call(chainTime+60, giverSendID, args(one)), true)), 40},
		{"signed for another giver", msgWith(signedBody(t, dest, owner, call(chainTime+60, giverSendID, args(one)), true)), 40},
		{"no signature", msgWith(signedBody(t, giver, owner, call(chainTime+60, giverSendID, args(one)), false)), 58},
		{"expired", msgWith(signedBody(t, giver, owner, call(chainTime, giverSendID, args(one)), true)), 57},
		{"expires too late", msgWith(signedBody(t, giver, owner, call(chainTime+3601, giverSendID, args(one)), true)), 102},
		{"wrong function", msgWith(signedBody(t, giver, owner, call(chainTime+60, multisigSendID, args(one)), true)), 60},
		{"value over 2^120", msgWith(signedBody(t, giver, owner, call(chainTime+60, giverSendID, args(new(big.Int).Lsh(big.NewInt(1), 120))), true)), 103},
		{"trailing bits", msgWith(signedBody(t, giver, owner, call(chainTime+60, giverSendID, args(one)).StoreBool(true), true)), 101},
		{"trailing argument bits", msgWith(signedBody(t, giver, owner, call(chainTime+60, giverSendID, mustCell(args(one).BeginParse().ToBuilder().StoreUInt(0, 8))), true)), 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := e.run(gacc, tt.msg, chainTime)
			if !x.Rejected || x.ExitCode != tt.wantExit {
				t.Fatalf("rejected=%v exit %d, want exit %d", x.Rejected, x.ExitCode, tt.wantExit)
			}
		})
	}
	// Control: the right call is accepted.
	x := e.run(gacc, msgWith(signedBody(t, giver, owner, call(chainTime+60, giverSendID, args(one)), true)), chainTime)
	if x.Rejected || x.Transaction.Aborted {
		t.Fatalf("control call refused: %+v", x)
	}
}
