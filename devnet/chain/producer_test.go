package chain

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
)

var testSeed = bytes.Repeat([]byte{7}, 32)

// testTx is a transaction-shaped cell of an account at lt: the block only
// needs its hash, and the devnet's tests put real transactions in.
func testTx(t *testing.T, acc byte, lt uint64, external bool) Tx {
	t.Helper()
	a := sha256.Sum256([]byte{acc})
	msg, err := cell.BeginCell().StoreUInt(lt, 64).StoreBytes(a[:]).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	c, err := cell.BeginCell().StoreUInt(0b0111, 4).StoreBytes(a[:]).StoreUInt(lt, 64).StoreRef(msg).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return Tx{Account: a, Lt: lt, Cell: c, Fees: big.NewInt(int64(lt)), In: &InMsg{Msg: msg, External: external, Immediate: !external}}
}

// chainOf produces a key block and one pair of blocks per batch.
func chainOf(t *testing.T, batches [][]Tx) (*Producer, *Block, [][2]*Block) {
	t.Helper()
	p, kb, err := NewProducer(testSeed, 1700000000, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]*Block
	for i, txs := range batches {
		end := uint64(0)
		for _, tx := range txs {
			end = max(end, tx.Lt+1)
		}
		s, m, err := p.Produce(1700000001+uint32(i), end, txs)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, [2]*Block{s, m})
	}
	return p, kb, out
}

func anchored(t *testing.T, kb *Block) *chainproof.Verifier {
	t.Helper()
	net, err := chainproof.NewNetwork("devnet-test", []chainproof.Anchor{{SeqNo: kb.ID.SeqNo, RootHash: kb.ID.RootHash}})
	if err != nil {
		t.Fatal(err)
	}
	v := chainproof.NewVerifier(net)
	p, err := kb.BlockProof()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKeyBlock(p); err != nil {
		t.Fatalf("key block: %v", err)
	}
	return v
}

func TestProducedChainVerifies(t *testing.T) {
	tests := []struct {
		name    string
		batches [][]Tx
	}{
		{"one transaction", [][]Tx{{testTx(t, 1, 10, true)}}},
		{"a cascade on two accounts", [][]Tx{{testTx(t, 1, 10, true), testTx(t, 2, 12, false), testTx(t, 1, 14, false)}}},
		{"several batches", [][]Tx{{testTx(t, 1, 10, true)}, {testTx(t, 3, 20, true), testTx(t, 4, 22, false)}, {testTx(t, 1, 30, true)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, kb, blocks := chainOf(t, tc.batches)
			if kb.ID.SeqNo != 1 || !kb.Info.KeyBlock || p.KeyBlockSeqNo() != 1 {
				t.Fatalf("key block %s key=%v", kb.ID, kb.Info.KeyBlock)
			}
			v := anchored(t, kb)
			for i, pair := range blocks {
				shard, master := pair[0], pair[1]
				proof, err := master.BlockProof()
				if err != nil {
					t.Fatal(err)
				}
				mb, info, err := v.VerifyBlock(proof)
				if err != nil {
					t.Fatalf("masterchain block %d: %v", master.ID.SeqNo, err)
				}
				if info.PrevKeyBlockSeqNo != kb.ID.SeqNo || info.SeqNo != uint32(i+2) {
					t.Fatalf("masterchain block: %+v", info)
				}
				// The signed proof keeps the whole block, shard_hashes too.
				if err := mb.CheckShardTop(shard.ID); err != nil {
					t.Fatalf("shard block %s: %v", shard.ID, err)
				}
				sb, err := chainproof.BlockFromBOC(shard.BOC, shard.ID.RootHash)
				if err != nil {
					t.Fatal(err)
				}
				if shard.ID.FileHash != sha256.Sum256(shard.BOC) || shard.Info.SeqNo != uint32(i+1) {
					t.Fatalf("shard block id %s", shard.ID)
				}
				if i > 0 && shard.Info.Prev[0] != blocks[i-1][0].Ref() {
					t.Fatalf("shard block %d: prev_ref %+v", i+1, shard.Info.Prev[0])
				}
				for _, tx := range tc.batches[i] {
					if tx.Lt < shard.Info.StartLT || tx.Lt >= shard.Info.EndLT {
						t.Errorf("lt %d outside the block's [%d, %d)", tx.Lt, shard.Info.StartLT, shard.Info.EndLT)
					}
					if err := sb.CheckTransaction(0, tx.Account, tx.Lt, tx.Cell.Hash()); err != nil {
						t.Errorf("transaction at lt %d: %v", tx.Lt, err)
					}
				}
			}
		})
	}
}

// TestForgeriesRefused checks that the verifier's acceptance is earned:
// the produced blocks fail once changed, or under another anchor.
func TestForgeriesRefused(t *testing.T) {
	tx := testTx(t, 1, 10, true)
	_, kb, blocks := chainOf(t, [][]Tx{{tx}})
	_, otherKB, _ := func() (*Producer, *Block, error) { return NewProducer(bytes.Repeat([]byte{8}, 32), 1700000000, 1) }()
	tests := []struct {
		name   string
		anchor *Block
		edit   func(p *chainproof.BlockProof)
		want   error
	}{
		{"another devnet's anchor", otherKB, func(*chainproof.BlockProof) {}, chainproof.ErrUntrusted},
		{"flipped signature", kb, func(p *chainproof.BlockProof) { p.Signatures.List[0].Sig[3] ^= 1 }, chainproof.ErrNotSigned},
		{"other file hash", kb, func(p *chainproof.BlockProof) { p.ID.FileHash[0] ^= 1 }, chainproof.ErrNotSigned},
		{"wrong list hash", kb, func(p *chainproof.BlockProof) { p.Signatures.ValidatorListHashShort++ }, chainproof.ErrNotSigned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			net, _ := chainproof.NewNetwork("x", []chainproof.Anchor{{SeqNo: 1, RootHash: tc.anchor.ID.RootHash}})
			v := chainproof.NewVerifier(net)
			kp, _ := kb.BlockProof()
			_, err := v.AddKeyBlock(kp)
			if err == nil {
				p, _ := blocks[0][1].BlockProof()
				tc.edit(p)
				_, _, err = v.VerifyBlock(p)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	sb, _ := chainproof.BlockFromBOC(blocks[0][0].BOC, blocks[0][0].ID.RootHash)
	other := testTx(t, 1, 11, true)
	if err := sb.CheckTransaction(0, tx.Account, tx.Lt, other.Cell.Hash()); !errors.Is(err, chainproof.ErrHashMismatch) {
		t.Fatalf("another transaction at the lt: %v", err)
	}
}

// TestResume restarts a producer from its saved blocks: it must go on
// with the very blocks the running one makes.
func TestResume(t *testing.T) {
	batches := [][]Tx{{testTx(t, 1, 10, true)}, {testTx(t, 2, 20, true)}}
	p, kb, blocks := chainOf(t, batches)
	saved := [][]byte{kb.BOC}
	for _, pair := range blocks {
		saved = append(saved, pair[0].BOC, pair[1].BOC)
	}
	q, read, err := Resume(testSeed, saved)
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != len(saved) || read[len(read)-1].Signatures == nil || q.KeyBlockSeqNo() != 1 {
		t.Fatalf("resumed %d blocks, key block %d", len(read), q.KeyBlockSeqNo())
	}
	next := []Tx{testTx(t, 5, 40, true)}
	s1, m1, err := p.Produce(1700000100, 41, next)
	if err != nil {
		t.Fatal(err)
	}
	s2, m2, err := q.Produce(1700000100, 41, next)
	if err != nil {
		t.Fatal(err)
	}
	if s1.ID != s2.ID || m1.ID != m2.ID {
		t.Fatalf("resumed producer made %s %s, the running one %s %s", s2.ID, m2.ID, s1.ID, m1.ID)
	}
	if _, _, err := Resume(testSeed, saved[1:]); !errors.Is(err, ErrBadChain) {
		t.Fatalf("a chain without its key block: %v", err)
	}
}
