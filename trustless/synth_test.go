package trustless

import (
	"crypto/sha256"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// txSpec describes a transaction of a proof account, serialized as the
// network does (transaction$0111, trans_ord$0000); the zero spec beyond
// the proof is the signed construction. The devnet's executors make the
// same cells (TestRealConstructions checks those), so the variants here
// are what a hostile endpoint could put in a block of its own.
type txSpec struct {
	key     keys.Key // the proof's key
	content string
	lt      uint64
	now     uint32
	// signer signs the constructor call when set, instead of key.
	signer *keys.Key
	// internal delivers the proof's StateInit and call in an internal
	// message, as anyone who knows the key and content can.
	internal     bool
	orig, end    chainproof.AccountStatus // uninit and active when both are zero
	failed       bool                     // compute phase unsuccessful
	skipped      bool                     // compute phase skipped
	aborted      bool
	signedAt     time.Time
	otherAccount bool // the transaction of another account
}

// signedTime is the constructor call's time header.
func (s txSpec) signedTime() time.Time {
	if s.signedAt.IsZero() {
		return time.UnixMilli(1_700_000_000_123)
	}
	return s.signedAt
}

func (s txSpec) query() proof.Query { return proof.Query{Public: s.key.Public(), Content: s.content} }

func (s txSpec) build(t testing.TB) *cell.Cell {
	t.Helper()
	p, err := contract.NewProof(s.key.Public().Ed25519(), s.content)
	if err != nil {
		t.Fatal(err)
	}
	signer := s.key
	if s.signer != nil {
		signer = *s.signer
	}
	var msg *cell.Cell
	if signer.Public() == s.key.Public() {
		msg, err = p.DeployMessage(signer.Ed25519(), s.signedTime(), 1_900_000_000)
	} else {
		// DeployMessage refuses a signer that does not hold the proof's
		// key; an impostor builds the same message with its own.
		other, _ := contract.NewProof(signer.Public().Ed25519(), s.content)
		var m *cell.Cell
		if m, err = other.DeployMessage(signer.Ed25519(), s.signedTime(), 1_900_000_000); err == nil {
			msg, err = retarget(m, p)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.internal {
		parsed, err := abi.ParseMessage(msg)
		if err != nil {
			t.Fatal(err)
		}
		im := abi.NewInternalMessage(p.Address(), big.NewInt(1_000_000_000), false, parsed.Init, parsed.Body)
		im.Src = cell.NewStdAddress(0, [32]byte{1})
		if msg, err = im.Cell(); err != nil {
			t.Fatal(err)
		}
	}
	acc, _ := p.Address().Account()
	if s.otherAccount {
		acc[31] ^= 1
	}
	orig, end := s.orig, s.end
	if orig == 0 && end == 0 {
		orig, end = chainproof.StatusUninit, chainproof.StatusActive
	}
	zero := new(big.Int)
	msgs := must(cell.BeginCell().StoreMaybeRef(msg).StoreBool(false).EndCell())
	update := must(cell.BeginCell().StoreUInt(0x72, 8).StoreZeros(256).StoreBytes(acc[:]).EndCell())
	d := cell.BeginCell().StoreUInt(0, 4).StoreBool(false).
		StoreBool(true).StoreCoins(zero).StoreBool(false).StoreBool(false) // storage phase
	if s.internal {
		d.StoreBool(true).StoreBool(false).StoreCoins(big.NewInt(1_000_000_000)).StoreBool(false)
	} else {
		d.StoreBool(false)
	}
	if s.skipped {
		d.StoreBool(false).StoreUInt(0, 2)
	} else {
		vm := must(cell.BeginCell().StoreVarUInt(zero, 3).StoreVarUInt(zero, 3).StoreBool(false).
			StoreInt(0, 8).StoreInt(0, 32).StoreBool(false).StoreUInt(0, 32).StoreZeros(512).EndCell())
		d.StoreBool(true).StoreBool(!s.failed).StoreBool(true).StoreBool(true).StoreCoins(zero).StoreRef(vm)
	}
	d.StoreBool(false).StoreBool(s.aborted).StoreBool(false).StoreBool(false)
	descr := must(d.EndCell())
	return must(cell.BeginCell().StoreUInt(0b0111, 4).StoreBytes(acc[:]).StoreUInt(s.lt, 64).
		StoreZeros(256).StoreUInt(0, 64).StoreUInt(uint64(s.now), 32).StoreUInt(0, 15).
		StoreUInt(uint64(orig), 2).StoreUInt(uint64(end), 2).StoreRef(msgs).StoreCoins(zero).StoreBool(false).
		StoreRef(update).StoreRef(descr).EndCell())
}

// retarget sends another proof's deploy message to p, with p's StateInit:
// a call signed for another address.
func retarget(m *cell.Cell, p *contract.Proof) (*cell.Cell, error) {
	parsed, err := abi.ParseMessage(m)
	if err != nil {
		return nil, err
	}
	init, err := abi.ParseStateInit(p.StateInit())
	if err != nil {
		return nil, err
	}
	return abi.NewExternalInMessage(p.Address(), init, parsed.Body).Cell()
}

// must is for cells the test itself builds: failing to build one is a bug
// in the test.
func must(c *cell.Cell, err error) *cell.Cell {
	if err != nil {
		panic(err)
	}
	return c
}

// keyOf is a key made from a name, so that a test's keys are the same on
// every run.
func keyOf(t testing.TB, name string) keys.Key {
	t.Helper()
	seed := sha256.Sum256([]byte(name))
	k, err := keys.KeyFromSeed(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}
