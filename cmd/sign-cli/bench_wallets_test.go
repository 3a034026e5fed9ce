package main

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
)

// benchWallet is a world whose WALLET is a funded wallet of kind: a
// multisig stand-in, or EverWallet or the highload wallet on their real
// code (devnet --wallet-type), on the Go rules, with blocks every interval
// (0: at once for every message).
func benchWallet(b *testing.B, kind contract.WalletKind, interval time.Duration) *world {
	b.Helper()
	o := &devnetOptions{listen: "127.0.0.1:0", executor: executorGo, interval: interval}
	if kind.HasCode() {
		o.walletType = strings.ToLower(kind.String())
	}
	w := newWorldOpts(b, o)
	if !kind.HasCode() {
		acc, err := contracts.WalletAccount(kind, w.giver.Public().Ed25519(), new(big.Int).Set(devnetGiverBalance))
		if err != nil {
			b.Fatal(err)
		}
		if err := w.chain.SetAccount(acc); err != nil {
			b.Fatal(err)
		}
		w.chain.WalletAddress = acc.Address
	}
	return w
}

// longBenchEnv, set to 1, adds the 1,000-image runs at a 1 s block
// interval to BenchmarkSignWallets (a few minutes).
const longBenchEnv = "SIGN_CLI_BENCH_LONG"

// BenchmarkSignWallets measures `sign --no-registry` of N new digests (in
// process, so that only the chain's work counts), paid for by a multisig
// (one proof per wallet transaction), an EverWallet (up to 4) and a
// highload wallet (up to 254). Each op reports wallet-txs/op and, with a
// block interval, intervals/op (its wall time in block intervals) and
// blocks/op (the blocks the devnet made); the batching wallets report
// x-multisig-time and x-multisig-txs: the multisig's time and wallet
// transactions over theirs, measured in the same run. At a 1 s block
// interval the 1,000-image runs need SIGN_CLI_BENCH_LONG=1, and the
// multisig then signs a tenth of the images and its figures are scaled by
// ten: it makes one transfer per block, so its time is linear in the
// images, and 1,000 would take over 20 minutes.
func BenchmarkSignWallets(b *testing.B) {
	kinds := []contract.WalletKind{contract.SafeMultisig, contract.EverWallet, contract.HighloadWalletV2}
	for _, interval := range []time.Duration{0, time.Second} {
		for _, n := range []int{100, 1000} {
			long := interval > 0 && n > 100
			if long && os.Getenv(longBenchEnv) != "1" {
				continue
			}
			var peerNs, peerTxs float64
			for _, kind := range kinds {
				images, scale := n, 1.0
				if long && kind == contract.SafeMultisig {
					images, scale = n/10, 10
				}
				b.Run(fmt.Sprintf("interval=%s/images=%d/%s", interval, n, kind), func(b *testing.B) {
					w := benchWallet(b, kind, interval)
					_, keyPath := w.keyFile("signer.json")
					blocksBefore := len(w.chain.Blocks())
					round := 0
					for b.Loop() {
						args := []string{"sign", "-q", "--no-registry", "--secret-file", keyPath}
						for i := range images {
							args = append(args, fmt.Sprintf("sha256:%x", sha256.Sum256(fmt.Appendf(nil, "%s %d %d", b.Name(), round, i))))
						}
						round++
						if r := runCLI(b, w.env(), "", args...); r.code != 0 {
							b.Fatalf("sign: exit %d: %s", r.code, r.stderr)
						}
					}
					txs := 0
					for _, tx := range w.chain.Transactions() {
						if tx.Account == w.chain.WalletAddress && !tx.Aborted && len(tx.OutMsgs) > 0 {
							txs++
						}
					}
					perOp := scale * float64(txs) / float64(b.N)
					ns := scale * float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					b.ReportMetric(perOp, "wallet-txs/op")
					if interval > 0 {
						// A seal makes a shard block and the masterchain block naming it.
						b.ReportMetric(scale*float64(len(w.chain.Blocks())-blocksBefore)/2/float64(b.N), "blocks/op")
						b.ReportMetric(ns/float64(interval.Nanoseconds()), "intervals/op")
					}
					if kind == contract.SafeMultisig {
						peerNs, peerTxs = ns, perOp
					} else if peerNs > 0 {
						b.ReportMetric(peerNs/ns, "x-multisig-time")
						b.ReportMetric(peerTxs/perOp, "x-multisig-txs")
					}
				})
			}
		}
	}
}
