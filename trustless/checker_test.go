package trustless

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/proof"
)

// A proof whose construction is in a signed block verifies, with its data
// rebuilt from the transaction and the evidence named.
func TestHonestChainVerifies(t *testing.T) {
	c := newTestChain(t)
	spec := txSpec{key: keyOf(t, "k1"), content: "sha256:" + strings.Repeat("ab", 32), lt: c.lt, now: c.now + 1, signedAt: time.UnixMilli(1_700_000_000_777)}
	shard, master := c.add(spec.build(t))
	v := c.checker().Check(context.Background(), []proof.Query{spec.query()})[0]
	if v.Err != nil {
		t.Fatal(v.Err)
	}
	st := v.State
	if !st.Constructed || st.Content != spec.content || !st.PublicKey.Equal(spec.key.Public().Ed25519()) ||
		st.Timestamp != 1_700_000_000_777 || st.DeployedAt != spec.now {
		t.Fatalf("state %+v", st)
	}
	e := v.Evidence
	if e == nil || e.ShardBlock.RootHash != hex.EncodeToString(shard.ID.RootHash[:]) || e.MasterBlock.SeqNo != master.ID.SeqNo ||
		e.KeyBlock != c.key.ID.SeqNo || !strings.HasPrefix(e.Anchor, "test 1:") || e.Transaction == "" {
		t.Fatalf("evidence %+v", e)
	}
}

// Each lie of an endpoint, or forged construction in a block, ends in an
// error that says which link is missing; none is verified.
func TestHostileEndpointsNeverVerify(t *testing.T) {
	other := keyOf(t, "k2")
	for _, tc := range []struct {
		name string
		// spec changes the transaction put in the chain.
		spec func(*txSpec)
		// setup falsifies what the chain serves, after the block is made.
		setup func(t *testing.T, c *testChain, s txSpec)
		// anchor replaces the trusted network.
		anchor func(c *testChain) *chainproof.Network
		want   error
	}{
		{name: "never deployed", setup: func(_ *testing.T, c *testChain, s txSpec) { c.txs = map[string]*servedTx{} }, want: ErrNoTransaction},
		{name: "internal message deploy", spec: func(s *txSpec) { s.internal = true }, want: ErrNotConstructor},
		{name: "failed compute phase", spec: func(s *txSpec) { s.failed = true }, want: ErrNotConstructor},
		{name: "skipped compute phase", spec: func(s *txSpec) { s.skipped = true }, want: ErrNotConstructor},
		{name: "aborted", spec: func(s *txSpec) { s.aborted = true }, want: ErrNotConstructor},
		{name: "signed by another key", spec: func(s *txSpec) { s.signer = &other }, want: ErrNotConstructor},
		{name: "active to active", spec: func(s *txSpec) { s.orig = chainproof.StatusActive; s.end = chainproof.StatusActive }, want: ErrNotConstructor},
		{name: "uninit to uninit", spec: func(s *txSpec) { s.orig = chainproof.StatusUninit; s.end = chainproof.StatusNonExist }, want: ErrNotConstructor},
		{name: "another account's transaction", setup: func(t *testing.T, c *testChain, s txSpec) {
			o := s
			o.otherAccount = true
			o.lt = c.lt
			c.add(o.build(t))
			addr := address(t, s)
			real := c.txs[addr]
			for a, tx := range c.txs {
				if a != addr {
					c.txs[addr] = tx
				}
			}
			c.txs[addr].Account = real.Account
		}, want: ErrNotConstructor},
		{name: "transaction BOC not its id", setup: func(t *testing.T, c *testChain, s txSpec) {
			tx := c.txs[address(t, s)]
			tx.ID = strings.Repeat("0", 64)
		}, want: ErrNotConstructor},
		{name: "transaction not in the block", setup: func(t *testing.T, c *testChain, s txSpec) {
			o := txSpec{key: keyOf(t, "k3"), content: "other", lt: c.lt, now: c.now + 1}
			shard, _ := c.add(o.build(t))
			c.txs[address(t, s)].BlockID = hex.EncodeToString(shard.ID.RootHash[:])
		}, want: ErrNotInBlock},
		{name: "block not served", setup: func(t *testing.T, c *testChain, s txSpec) {
			c.txs[address(t, s)].BlockID = strings.Repeat("1", 64)
		}, want: ErrNotInBlock},
		{name: "block BOC not its id", setup: func(t *testing.T, c *testChain, s txSpec) {
			c.lie = replaceField("query blocks(", "boc", blockAnswer(c.key)["boc"])
		}, want: ErrNotInBlock},
		{name: "block not committed by its masterchain block", setup: func(t *testing.T, c *testChain, s txSpec) {
			c.txs[address(t, s)].MasterSeqNo = c.key.ID.SeqNo
		}, want: ErrNotCommitted},
		{name: "masterchain block not served", setup: func(t *testing.T, c *testChain, s txSpec) {
			c.txs[address(t, s)].MasterSeqNo = 999
		}, want: ErrNotTrusted},
		{name: "masterchain block not signed", setup: func(t *testing.T, c *testChain, s txSpec) {
			c.lie = replaceField("query masterBlocks(", "signatures", nil)
		}, want: ErrNotTrusted},
		{name: "masterchain block signed by other validators", setup: func(t *testing.T, c *testChain, s txSpec) {
			forged := newTestChain(&namedTB{t, "forger"})
			forged.add(txSpec{key: keyOf(t, "k4"), content: "x", lt: forged.lt, now: forged.now + 1}.build(t))
			sigs := blockAnswer(forged.blocks[2])["signatures"]
			c.lie = replaceField("query masterBlocks(", "signatures", sigs)
		}, want: ErrNotTrusted},
		{name: "another chain's blocks", setup: func(t *testing.T, c *testChain, s txSpec) {
			forged := newTestChain(&namedTB{t, "forger"})
			shard, master := forged.add(s.build(t))
			c.blocks = forged.blocks
			tx := c.txs[address(t, s)]
			tx.BlockID, tx.MasterSeqNo = hex.EncodeToString(shard.ID.RootHash[:]), master.ID.SeqNo
		}, want: ErrNotTrusted},
		{name: "wrong anchor", anchor: func(c *testChain) *chainproof.Network {
			n, _ := chainproof.NewNetwork("test", []chainproof.Anchor{{SeqNo: c.key.ID.SeqNo, RootHash: [32]byte{1}}})
			return n
		}, want: ErrNotTrusted},
		{name: "anchor after the block", anchor: func(c *testChain) *chainproof.Network {
			n, _ := chainproof.NewNetwork("test", []chainproof.Anchor{{SeqNo: c.key.ID.SeqNo + 100, RootHash: c.key.ID.RootHash}})
			return n
		}, want: ErrNotTrusted},
		{name: "main network anchors", anchor: func(*testChain) *chainproof.Network { return chainproof.MainNet() }, want: ErrNotTrusted},
		{name: "key block served as another", setup: func(t *testing.T, c *testChain, s txSpec) {
			c.lie = replaceField("query keyBlocks(", "boc", blockAnswer(c.blocks[1])["boc"])
		}, want: ErrNotTrusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChain(t)
			spec := txSpec{key: keyOf(t, "k5"), content: "sha256:" + strings.Repeat("cd", 32), lt: c.lt, now: c.now + 1}
			if tc.spec != nil {
				tc.spec(&spec)
			}
			c.add(spec.build(t))
			if tc.setup != nil {
				tc.setup(t, c, spec)
			}
			ch := c.checker()
			if tc.anchor != nil {
				ch.Network = tc.anchor(c)
			}
			v := ch.Check(context.Background(), []proof.Query{spec.query()})[0]
			if !errors.Is(v.Err, tc.want) {
				t.Fatalf("verdict error %v, want %v", v.Err, tc.want)
			}
			if v.State != nil || v.Evidence != nil || v.NotVerified() {
				t.Fatalf("a refused proof carries a state %v, evidence %v or a 'not verified' verdict", v.State, v.Evidence)
			}
		})
	}
}

// namedTB gives a second chain in one test a seed of its own.
type namedTB struct {
	testing.TB
	name string
}

func (n *namedTB) Name() string { return n.TB.Name() + "/" + n.name }

func address(t testing.TB, s txSpec) string {
	t.Helper()
	p, err := contract.NewProof(s.key.Public().Ed25519(), s.content)
	if err != nil {
		t.Fatal(err)
	}
	return p.Address().String()
}

// replaceField is a lie: every block of the answers to queries starting
// with prefix has field set to value.
func replaceField(prefix, field string, value any) func(string, map[string]any) {
	return func(q string, data map[string]any) {
		if strings.HasPrefix(q, prefix) {
			for _, b := range data["blocks"].([]any) {
				b.(map[string]any)[field] = value
			}
		}
	}
}

// The endpoint's word about an account is what the plain check believes:
// a forged account for a proof never deployed passes it, and is refused
// by the trustless check, which finds no construction in the chain.
func TestForgedAccount(t *testing.T) {
	c := newTestChain(t)
	forged := txSpec{key: keyOf(t, "victim"), content: "sha256:" + strings.Repeat("ef", 32), lt: c.lt, now: c.now + 1}
	c.claimAccount(forged)
	plain := (&proof.Deployer{Client: c.client()}).Check(context.Background(), []proof.Query{forged.query()})[0]
	if plain.Err != nil {
		t.Fatalf("the plain check did not believe the forged account: %v", plain.Err)
	}
	v := c.checker().Check(context.Background(), []proof.Query{forged.query()})[0]
	if !errors.Is(v.Err, ErrNoTransaction) {
		t.Fatalf("trustless verdict %v", v.Err)
	}
}
