package trustless

import (
	"context"
	"fmt"
	"testing"

	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

// BenchmarkCheck checks 1 and 1,000 proofs constructed in one block with
// the plain check (the endpoint's word about the accounts) and with the
// trustless check (a new checker each time, as a run of sign-cli with no
// cached key blocks: transactions, the shard block, the masterchain block
// and the key block fetched and verified), both against the same
// in-process endpoint. requests/op counts GraphQL requests, blocks/op the
// blocks fetched.
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1, 1000} {
		c := newTestChain(b)
		queries := batch(b, c, n)
		for i, q := range queries {
			c.claimAccount(txSpec{key: keyOf(b, "batch signer"), content: q.Content, lt: c.lt + uint64(i)*10, now: c.now})
		}
		client := c.client()
		peers := []struct {
			name    string
			checker func() signature.ProofChecker
		}{
			{"plain", func() signature.ProofChecker { return &proof.Deployer{Client: client} }},
			{"trustless", func() signature.ProofChecker { return &Checker{Client: client, Network: c.network()} }},
		}
		for _, peer := range peers {
			b.Run(fmt.Sprintf("%s/%d", peer.name, n), func(b *testing.B) {
				start := c.requests.Load()
				var blocks int64
				for b.Loop() {
					ch := peer.checker()
					for _, v := range ch.Check(context.Background(), queries) {
						if v.Err != nil {
							b.Fatal(v.Err)
						}
					}
					if t, ok := ch.(*Checker); ok {
						s := t.Stats()
						blocks += s.ShardBlocks.Load() + s.MasterBlocks.Load() + s.KeyBlocks.Load()
					}
				}
				b.ReportMetric(float64(c.requests.Load()-start)/float64(b.N), "requests/op")
				b.ReportMetric(float64(blocks)/float64(b.N), "blocks/op")
			})
		}
	}
}
