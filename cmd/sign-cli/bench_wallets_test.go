package main

import (
	"crypto/sha256"
	"fmt"
	"math/big"
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

// BenchmarkSignWallets measures `sign --no-registry` of N new digests (in
// process, so that only the chain's work counts), paid for by a multisig
// (one proof per wallet transaction), an EverWallet (up to 4) and a
// highload wallet (up to 254). Each op reports wallet-txs/op, and the
// batching wallets report x-multisig-time and x-multisig-txs: the
// multisig's time and wallet transactions over theirs, measured in the same
// run. At a 1 s block interval the 1,000-image runs are left out: the
// multisig alone would take over half an hour.
func BenchmarkSignWallets(b *testing.B) {
	kinds := []contract.WalletKind{contract.SafeMultisig, contract.EverWallet, contract.HighloadWalletV2}
	for _, interval := range []time.Duration{0, time.Second} {
		for _, n := range []int{100, 1000} {
			if interval > 0 && n > 100 {
				continue
			}
			var peerNs, peerTxs float64
			for _, kind := range kinds {
				b.Run(fmt.Sprintf("interval=%s/images=%d/%s", interval, n, kind), func(b *testing.B) {
					w := benchWallet(b, kind, interval)
					_, keyPath := w.keyFile("signer.json")
					round := 0
					for b.Loop() {
						args := []string{"sign", "-q", "--no-registry", "--secret-file", keyPath}
						for i := range n {
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
					perOp := float64(txs) / float64(b.N)
					ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					b.ReportMetric(perOp, "wallet-txs/op")
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
