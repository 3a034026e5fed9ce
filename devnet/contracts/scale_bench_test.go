package contracts

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// scaleWorld is a devnet with a funded local giver and a proof.Deployer
// that pays with it, on a clock that moves only when told to.
type scaleWorld struct {
	srv    *devnet.Server
	clock  *devnet.ManualClock
	chain  *proof.Deployer
	signer keys.Key
	round  int
}

func newScaleWorld(b *testing.B) *scaleWorld {
	b.Helper()
	pair := make([]keys.Key, 2)
	for i := range pair {
		k, err := keys.GenerateKey(nil)
		if err != nil {
			b.Fatal(err)
		}
		pair[i] = k
	}
	owner, signer := pair[0], pair[1]
	g, err := GiverAccount(owner.Public().Ed25519(), big.NewInt(1_000_000_000e9))
	if err != nil {
		b.Fatal(err)
	}
	clock := devnet.NewManualClock(time.Unix(chainTime, 0))
	srv := devnet.NewServer(append(ServerOptions(g), devnet.WithClock(clock))...)
	b.Cleanup(srv.Close)
	client, err := everos.New(everos.Config{Endpoints: []string{srv.URL}})
	if err != nil {
		b.Fatal(err)
	}
	return &scaleWorld{srv: srv, clock: clock, signer: signer, chain: &proof.Deployer{Client: client, BalancePoll: 5 * time.Millisecond,
		Wallet: &proof.Wallet{Address: cell.MustParseAddress(g.Address), Kind: contract.LocalGiver, Key: owner}}}
}

// sign deploys n proofs of new digests in one run and returns their
// contents.
func (w *scaleWorld) sign(b *testing.B, n int) []string {
	b.Helper()
	batch := make([]string, n)
	for i := range batch {
		batch[i] = fmt.Sprintf("sha256:%x", sha256.Sum256(fmt.Appendf(nil, "%p/%d/%d", w, w.round, i)))
	}
	w.round++
	_, errs := w.chain.DeployAll(context.Background(), w.signer, batch)
	for i, err := range errs {
		if err != nil {
			b.Fatalf("proof %d: %v", i, err)
		}
	}
	return batch
}

// BenchmarkScale measures what grows with the chain: signing (DeployAll:
// the giver's transfer, the deployment, the waits) on a devnet that holds
// 1,000 and then 10,000 proofs, and one batched check of all of them.
//
// Proofs are signed in runs of 200, the last 1,000 measured, with the
// chain's clock moved past the messages' lifetime in between: the local
// giver keeps every call it accepted until the call expires and walks that
// list on every call (as giver.fc does), so a run of thousands within a
// minute measures the giver's list, not the devnet. The ratio of the cost
// per proof at 10,000 to that at 1,000 shows how the devnet scales: near 1
// when no lookup scans what the chain holds.
func BenchmarkScale(b *testing.B) {
	const run, measured = 200, 1000
	var first float64
	for _, n := range []int{1000, 10000} {
		w := newScaleWorld(b)
		var all []string
		signRuns := func(b *testing.B, proofs int) {
			for range proofs / run {
				all = append(all, w.sign(b, run)...)
				w.clock.Advance(2 * proof.DefaultMessageLifetime)
			}
		}
		signRuns(b, n-measured) // the proofs before the measured ones
		b.Run(fmt.Sprintf("sign/proofs=%d", n), func(b *testing.B) {
			for b.Loop() {
				signRuns(b, measured)
			}
			ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N*measured)
			b.ReportMetric(ms, "ms/proof")
			if first == 0 {
				first = ms
			} else {
				b.ReportMetric(ms/first, "ratio-to-1000")
			}
		})
		b.Run(fmt.Sprintf("check/proofs=%d", n), func(b *testing.B) {
			checks := make([]proof.Query, len(all))
			for i, c := range all {
				checks[i] = proof.Query{Public: w.signer.Public(), Content: c}
			}
			for b.Loop() {
				for i, v := range w.chain.Check(context.Background(), checks) {
					if v.Err != nil {
						b.Fatalf("proof %d: %v", i, v.Err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(checks)), "µs/proof")
		})
	}
}
