package trustless

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/devnet/chain"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/proof"
)

// batch puts n constructions by one key in one block.
func batch(t testing.TB, c *testChain, n int) []proof.Query {
	t.Helper()
	key := keyOf(t, "batch signer")
	queries := make([]proof.Query, n)
	cells := make([]*cell.Cell, n)
	for i := range n {
		s := txSpec{key: key, content: fmt.Sprintf("sha256:%064x", i), lt: c.lt + uint64(i)*10, now: c.now + 1}
		queries[i], cells[i] = s.query(), s.build(t)
	}
	c.add(cells...)
	return queries
}

// A batch shares its blocks: a thousand proofs in one block fetch it, its
// masterchain block and the key block once.
func TestBatchFetchesEachBlockOnce(t *testing.T) {
	c := newTestChain(t)
	queries := batch(t, c, 1000)
	ch := c.checker()
	var progress []string
	ch.Progress = func(format string, args ...any) { progress = append(progress, fmt.Sprintf(format, args...)) }
	for i, v := range ch.Check(context.Background(), queries) {
		if v.Err != nil {
			t.Fatalf("proof %d: %v", i, v.Err)
		}
	}
	s := ch.Stats()
	if s.Transactions.Load() != 1000 || s.ShardBlocks.Load() != 1 || s.MasterBlocks.Load() != 1 || s.KeyBlocks.Load() != 1 {
		t.Fatalf("fetched %d transactions, %d shard, %d masterchain and %d key blocks", s.Transactions.Load(), s.ShardBlocks.Load(), s.MasterBlocks.Load(), s.KeyBlocks.Load())
	}
	// 1000 transactions at 50 a request, then one request per kind of block.
	if n := c.requests.Load(); n != 20+3 {
		t.Fatalf("%d requests", n)
	}
	if len(progress) == 0 {
		t.Fatal("no progress for a batch of 1000")
	}
}

// A masterchain block that names a later block of the shard commits the
// earlier ones too, by their prev_ref hashes.
func TestShardBlockReachedByPrevRef(t *testing.T) {
	c := newTestChain(t)
	first := txSpec{key: keyOf(t, "a"), content: "first", lt: c.lt, now: c.now + 1}
	c.add(first.build(t))
	tx := c.txs[address(t, first)]
	second := txSpec{key: keyOf(t, "b"), content: "second", lt: c.lt, now: c.now + 1}
	_, master := c.add(second.build(t))
	tx.MasterSeqNo = master.ID.SeqNo
	v := c.checker().Check(context.Background(), []proof.Query{first.query()})[0]
	if v.Err != nil {
		t.Fatal(v.Err)
	}
	if v.Evidence.MasterBlock.SeqNo != master.ID.SeqNo {
		t.Fatalf("evidence %+v", v.Evidence)
	}
}

// Verified key blocks are kept on disk: the next checker fetches none. A
// damaged or forged cache file is verified again, found wanting and not
// used.
func TestKeyBlockCache(t *testing.T) {
	c := newTestChain(t)
	spec := txSpec{key: keyOf(t, "a"), content: "cached", lt: c.lt, now: c.now + 1}
	c.add(spec.build(t))
	dir := t.TempDir()
	run := func() *Checker {
		ch := c.checker()
		ch.Cache = KeyBlockCache{Dir: dir}
		if err := ch.Check(context.Background(), []proof.Query{spec.query()})[0].Err; err != nil {
			t.Fatal(err)
		}
		return ch
	}
	if n := run().Stats().KeyBlocks.Load(); n != 1 {
		t.Fatalf("first run fetched %d key blocks", n)
	}
	if n := run().Stats().KeyBlocks.Load(); n != 0 {
		t.Fatalf("second run fetched %d key blocks", n)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.boc"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v", files)
	}
	forged := newTestChain(&namedTB{t, "forger"})
	kb, _ := forged.key.BlockProof()
	kbCell, _ := kb.ToCell()
	for _, content := range [][]byte{[]byte("damaged"), kbCell.ToBOC()} {
		if err := os.WriteFile(files[0], content, 0o644); err != nil {
			t.Fatal(err)
		}
		if n := run().Stats().KeyBlocks.Load(); n != 1 {
			t.Fatalf("with a bad cache file, fetched %d key blocks", n)
		}
	}
}

// An answer over the client's bounds ends the check with an error, never
// a verdict.
func TestHugeAnswersNeverVerify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(query string) string
	}{
		{name: "deep", answer: func(string) string { return `{"data":{"blocks":` + strings.Repeat("[", 10_000) + `}}` }},
		{name: "large", answer: func(string) string { return `{"data":{"blocks":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}}` }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChain(t)
			spec := txSpec{key: keyOf(t, "a"), content: "huge", lt: c.lt, now: c.now + 1}
			c.add(spec.build(t))
			ch := c.checker()
			ch.Client = c.clientWith(everos.Config{MaxResponseSize: 1 << 20}, func(q string) (string, bool) {
				if strings.HasPrefix(q, "query firstActive(") {
					return "", false
				}
				return tc.answer(q), true
			})
			v := ch.Check(context.Background(), []proof.Query{spec.query()})[0]
			if !errors.Is(v.Err, everos.ErrResponseLimit) || v.State != nil {
				t.Fatalf("verdict %v", v.Err)
			}
		})
	}
}

// Key blocks are walked from the anchor, each verified by the one before,
// a page at a time with progress; the walk is paid once and cached. The
// transaction is committed by the last key block, whose shard_hashes still
// name its shard block: a masterchain block that is a key block is trusted
// as one.
func TestKeyBlockWalk(t *testing.T) {
	for _, tc := range []struct {
		name string
		// lie falsifies the key blocks served.
		lie  func(c *testChain, kbs []*chain.Block)
		want error
	}{
		{name: "walked"},
		{name: "one missing", lie: func(c *testChain, kbs []*chain.Block) {
			c.blocks = slices.DeleteFunc(c.blocks, func(b *chain.Block) bool { return b == kbs[4] })
		}, want: ErrNotTrusted},
		{name: "one unsigned", lie: func(c *testChain, kbs []*chain.Block) { kbs[6].Signatures = nil }, want: ErrNotTrusted},
		{name: "one signed by others", lie: func(c *testChain, kbs []*chain.Block) {
			forger := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
			var pub [32]byte
			copy(pub[:], forger.Public().(ed25519.PublicKey))
			sig := chainproof.Signature{NodeIDShort: chainproof.NodeIDShort(pub)}
			copy(sig.Sig[:], ed25519.Sign(forger, chainproof.SignedData(kbs[9].ID)))
			forged := *kbs[9].Signatures
			forged.List = []chainproof.Signature{sig}
			kbs[9].Signatures = &forged
		}, want: ErrNotTrusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChain(t)
			spec := txSpec{key: keyOf(t, "a"), content: "walked", lt: c.lt, now: c.now + 1}
			c.add(spec.build(t))
			kbs := c.addKeyBlocks(12)
			if tc.lie != nil {
				tc.lie(c, kbs)
			}
			c.txs[address(t, spec)].MasterSeqNo = kbs[len(kbs)-1].ID.SeqNo
			ch := c.checker()
			ch.Cache = KeyBlockCache{Dir: t.TempDir()}
			var progress []string
			ch.Progress = func(format string, args ...any) { progress = append(progress, fmt.Sprintf(format, args...)) }
			v := ch.Check(context.Background(), []proof.Query{spec.query()})[0]
			if !errors.Is(v.Err, tc.want) {
				t.Fatalf("verdict %v, want %v", v.Err, tc.want)
			}
			if tc.want != nil {
				return
			}
			if n := ch.Stats().KeyBlocks.Load(); n != 13 {
				t.Fatalf("walk fetched %d key blocks, want the anchor and 12", n)
			}
			if len(progress) == 0 || !strings.Contains(progress[len(progress)-1], "verified 12 key blocks") {
				t.Errorf("progress %q", progress)
			}
			again := c.checker()
			again.Cache = ch.Cache
			again.Check(context.Background(), []proof.Query{spec.query()})
			if n := again.Stats().KeyBlocks.Load(); n != 0 {
				t.Errorf("a second run fetched %d key blocks", n)
			}
		})
	}
}
