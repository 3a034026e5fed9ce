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
	"github.com/gosh-sh/sign-cli/signature"
)

// BenchmarkScale signs n new digests in one run (signature.Chain's
// DeployAll: the giver's transfer, the deployment, the waits) on a devnet
// that holds them all in the end, then checks all n with one batched
// read. It reports the cost of sign per proof, and for the larger size its
// ratio to the smaller one's: a devnet that scales like a node keeps that
// ratio near 1, since no lookup scans what the chain holds.
func BenchmarkScale(b *testing.B) {
	var perProof []float64
	for _, n := range []int{1000, 10000} {
		owner, err := signature.GenerateKey(nil)
		if err != nil {
			b.Fatal(err)
		}
		g, err := GiverAccount(owner.Public().Ed25519(), big.NewInt(1_000_000_000e9))
		if err != nil {
			b.Fatal(err)
		}
		srv := devnet.NewServer(ServerOptions(g)...)
		client, err := everos.New(everos.Config{Endpoints: []string{srv.URL}})
		if err != nil {
			b.Fatal(err)
		}
		chain := &signature.Chain{Client: client, BalancePoll: 5 * time.Millisecond,
			Wallet: &signature.Wallet{Address: cell.MustParseAddress(g.Address), Kind: contract.LocalGiver, Key: owner}}
		signer, err := signature.GenerateKey(nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		var contents []string
		b.Run(fmt.Sprintf("sign/proofs=%d", n), func(b *testing.B) {
			round := 0
			for b.Loop() {
				batch := make([]string, n)
				for i := range batch {
					batch[i] = fmt.Sprintf("sha256:%x", sha256.Sum256(fmt.Appendf(nil, "%d/%d/%d", n, round, i)))
				}
				round++
				_, errs := chain.DeployAll(ctx, signer, batch)
				for i, err := range errs {
					if err != nil {
						b.Fatalf("proof %d: %v", i, err)
					}
				}
				contents = batch
			}
			ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N) / float64(n)
			b.ReportMetric(ms, "ms/proof")
			perProof = append(perProof, ms)
			if len(perProof) > 1 {
				b.ReportMetric(ms/perProof[0], "ratio-to-first")
			}
		})
		b.Run(fmt.Sprintf("check/proofs=%d", n), func(b *testing.B) {
			checks := make([]signature.ProofCheck, len(contents))
			for i, c := range contents {
				checks[i] = signature.ProofCheck{Public: signer.Public(), Content: c}
			}
			for b.Loop() {
				for i, v := range chain.Check(ctx, checks) {
					if v.Err != nil {
						b.Fatalf("proof %d: %v", i, v.Err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/proof")
		})
		srv.Close()
	}
}
