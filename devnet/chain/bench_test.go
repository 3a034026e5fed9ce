package chain

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
)

// BenchmarkProduce makes the blocks of one batch (a shard block and a
// signed masterchain block, read back as a verifier reads them), beside
// its peer: a verifier's work on those blocks (the masterchain block's
// proof parsed and its signature checked, the shard block named in it,
// every transaction found in the shard block).
func BenchmarkProduce(b *testing.B) {
	for _, n := range []int{1, 10} {
		txs := make([]Tx, n)
		for i := range txs {
			acc := [32]byte{byte(i)}
			body, _ := cell.BeginCell().StoreUInt(uint64(i), 64).StoreZeros(512).EndCell()
			c, _ := cell.BeginCell().StoreUInt(0b0111, 4).StoreBytes(acc[:]).StoreUInt(uint64(10+i), 64).StoreRef(body).EndCell()
			txs[i] = Tx{Account: acc, Lt: uint64(10 + i), Cell: c, Fees: big.NewInt(1000), In: &InMsg{Msg: body, External: true}}
		}
		b.Run(fmt.Sprintf("blocks of %d transactions", n), func(b *testing.B) {
			p, _, err := NewProducer(make([]byte, 32), 1700000000, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.Produce(1700000001, uint64(10+n), txs); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("peer: verifying the blocks of %d transactions", n), func(b *testing.B) {
			p, kb, err := NewProducer(make([]byte, 32), 1700000000, 1)
			if err != nil {
				b.Fatal(err)
			}
			shard, master, err := p.Produce(1700000001, uint64(10+n), txs)
			if err != nil {
				b.Fatal(err)
			}
			kp, _ := kb.BlockProof()
			key, err := chainproof.ReadKeyBlock(kp)
			if err != nil {
				b.Fatal(err)
			}
			mp, _ := master.BlockProof()
			raw, _ := mp.ToCell()
			boc := raw.ToBOC()
			b.ReportAllocs()
			for b.Loop() {
				proof, err := chainproof.ParseBlockProof(boc)
				if err != nil {
					b.Fatal(err)
				}
				mb, _, err := chainproof.VerifySigned(proof, key)
				if err != nil {
					b.Fatal(err)
				}
				if err := mb.CheckShardTop(shard.ID); err != nil {
					b.Fatal(err)
				}
				sb, err := chainproof.BlockFromBOC(shard.BOC, shard.ID.RootHash)
				if err != nil {
					b.Fatal(err)
				}
				for _, t := range txs {
					if err := sb.CheckTransaction(0, t.Account, t.Lt, t.Cell.Hash()); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
