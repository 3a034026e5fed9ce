package chainproof

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// testChain is a small chain made here: key block 10 (the anchor), key
// block 20 signed by 10's validators with a new set, masterchain block 21
// signed by 20's validators and naming shard block 7 of 0:8000000000000000,
// which holds one account's transactions.
type testChain struct {
	net       *Network
	keyProofs []*BlockProof
	mc        *BlockProof
	mcBlock   *cell.Cell
	shardID   BlockID
	shard     *cell.Cell
	account   [32]byte
	tx        *cell.Cell
	txLT      uint64
}

var wc0 = ShardID{Workchain: 0, Prefix: 1 << 63}

func buildTestChain(t testing.TB) *testChain {
	t.Helper()
	ch := &testChain{account: [32]byte{0x12, 0x34}, txLT: 7001}
	ch.tx = must(cell.BeginCell().StoreUInt(0x7, 4).StoreUInt(ch.txLT, 64).EndCell())

	ch.shard = testBlock{shard: wc0, seq: 7, accounts: accountBlocks(t, 5, ch.account, map[uint64]*cell.Cell{ch.txLT: ch.tx, 7002: cell.EmptyCell})}.build(t)
	ch.shardID = idOf(wc0, 7, ch.shard)

	v1 := testValidators(1, 10, 20, 30, 40, 50)
	v2 := testValidators(2, 5, 5, 5, 5, 5, 5, 5)
	k1 := testBlock{shard: MasterchainShard, seq: 10, key: true, config: buildConfig(t, v1, 5, false)}.build(t)
	ch.net, _ = NewNetwork("test", []Anchor{{SeqNo: 10, RootHash: k1.Hash()}})
	signers1, hash1 := subsetOf(t, v1, 5, false, 3)
	k2 := testBlock{shard: MasterchainShard, seq: 20, key: true, prevKey: 10, ccSeqNo: 3, listHash: hash1, config: buildConfig(t, v2, 6, true)}.build(t)
	signers2, hash2 := subsetOf(t, v2, 6, true, 4)
	ch.mcBlock = testBlock{shard: MasterchainShard, seq: 21, prevKey: 20, ccSeqNo: 4, listHash: hash2, shardHashes: shardHashes(t, ch.shardID)}.build(t)
	ch.keyProofs = []*BlockProof{
		signedProof(t, k1, 10, 0, 0, nil),
		signedProof(t, k2, 20, 3, hash1, signers1),
	}
	ch.mc = signedProof(t, ch.mcBlock, 21, 4, hash2, signers2)
	return ch
}

// shardHashes is McBlockExtra's shard_hashes with one unsplit shard.
func shardHashes(t testing.TB, id BlockID) *cell.Cell {
	descr := cell.BeginCell().StoreBool(false).StoreUInt(0xc, 4).StoreUInt(uint64(id.SeqNo), 32).StoreUInt(21, 32).
		StoreUInt(1, 64).StoreUInt(2, 64).StoreBytes(id.RootHash[:]).StoreBytes(id.FileHash[:]).StoreZeros(8)
	return must(cell.BuildDict(32, []cell.DictEntry{{Key: u32key(uint32(id.Shard.Workchain)), Value: cell.BeginCell().StoreRef(must(descr.EndCell()))}}))
}

// accountBlocks is account_blocks with one account's transactions, as an
// acc_trans#5 (transactions in line) or Everscale's #6 (a HashmapAugE).
// The dictionaries' forks carry no augmentation: the lookups skip it.
func accountBlocks(t testing.TB, tag uint64, account [32]byte, txs map[uint64]*cell.Cell) *cell.Cell {
	var entries []cell.DictEntry
	for lt, tx := range txs {
		key := binary.BigEndian.AppendUint64(nil, lt)
		entries = append(entries, cell.DictEntry{Key: key, Value: emptyCurrencies(cell.BeginCell()).StoreRef(tx)})
	}
	txDict := must(cell.BuildDict(64, entries))
	ab := cell.BeginCell().StoreUInt(tag, 4).StoreBytes(account[:])
	if tag == tagAccountBlockMesh {
		emptyCurrencies(ab.StoreMaybeRef(txDict))
	} else {
		ab.StoreSlice(txDict.BeginParse())
	}
	ab.StoreRef(cell.EmptyCell) // state_update
	leaf := emptyCurrencies(cell.BeginCell()).StoreBuilder(ab)
	// A neighbour with a transaction at lt 100 of its own.
	other := [32]byte{0x12, 0x35}
	otherTx := must(cell.BuildDict(64, []cell.DictEntry{{Key: binary.BigEndian.AppendUint64(nil, 100), Value: emptyCurrencies(cell.BeginCell()).StoreRef(must(cell.BeginCell().StoreUInt(1, 1).EndCell()))}}))
	return must(cell.BuildDict(256, []cell.DictEntry{
		{Key: account[:], Value: leaf},
		{Key: other[:], Value: emptyCurrencies(cell.BeginCell()).StoreUInt(tagAccountBlock, 4).StoreBytes(other[:]).StoreSlice(otherTx.BeginParse()).StoreRef(cell.EmptyCell)},
	}))
}

func TestKeyBlockChain(t *testing.T) {
	ch := buildTestChain(t)
	v := NewVerifier(ch.net)
	if err := v.AddKeyBlocks(ch.keyProofs); err != nil {
		t.Fatal(err)
	}
	_, info, err := v.VerifyBlock(ch.mc)
	if err != nil {
		t.Fatal(err)
	}
	if info.SeqNo != 21 || info.PrevKeyBlockSeqNo != 20 {
		t.Fatalf("info %+v", info)
	}
	// The verified block's full BOC names the shard block, whose full BOC
	// holds the transaction.
	mc, err := BlockFromBOC(ch.mcBlock.ToBOC(), ch.mc.ID.RootHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.CheckShardTop(ch.shardID); err != nil {
		t.Fatal(err)
	}
	shard, err := BlockFromBOC(ch.shard.ToBOC(), ch.shardID.RootHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := shard.CheckTransaction(0, ch.account, ch.txLT, ch.tx.Hash()); err != nil {
		t.Fatal(err)
	}
}

func TestKeyBlockChainRejects(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, ch *testChain) error
		want error
	}{
		{"no anchor", func(t *testing.T, ch *testChain) error {
			net, _ := NewNetwork("none", nil)
			return NewVerifier(net).AddKeyBlocks(ch.keyProofs)
		}, ErrUntrusted},
		{"skipping the anchor", func(t *testing.T, ch *testChain) error {
			return NewVerifier(ch.net).AddKeyBlocks(ch.keyProofs[1:])
		}, ErrUntrusted},
		{"key block signed by its own validators", func(t *testing.T, ch *testChain) error {
			// A forger holding the new set's keys signs the key block that
			// introduces them.
			v2 := testValidators(2, 5, 5, 5, 5, 5, 5, 5)
			signers, hash := subsetOf(t, v2, 6, true, 3)
			k2 := testBlock{shard: MasterchainShard, seq: 20, key: true, prevKey: 10, ccSeqNo: 3, listHash: hash, config: buildConfig(t, v2, 6, true)}.build(t)
			return NewVerifier(ch.net).AddKeyBlocks([]*BlockProof{ch.keyProofs[0], signedProof(t, k2, 20, 3, hash, signers)})
		}, ErrNotSigned},
		{"fabricated chain from the zerostate", func(t *testing.T, ch *testChain) error {
			// A chain whose blocks claim prev_key_block_seqno = 0: trust is
			// never taken from a zerostate the network names.
			vf := testValidators(9, 1, 1, 1)
			signers, hash := subsetOf(t, vf, 3, false, 1)
			kf := testBlock{shard: MasterchainShard, seq: 30, key: true, prevKey: 0, ccSeqNo: 1, listHash: hash, config: buildConfig(t, vf, 3, false)}.build(t)
			return NewVerifier(ch.net).AddKeyBlocks([]*BlockProof{ch.keyProofs[0], signedProof(t, kf, 30, 1, hash, signers)})
		}, ErrUntrusted},
		{"a second key block at one seq_no", func(t *testing.T, ch *testChain) error {
			// The anchor's validators sign two different key blocks 20.
			v1 := testValidators(1, 10, 20, 30, 40, 50)
			signers, hash := subsetOf(t, v1, 5, false, 3)
			fork := testBlock{shard: MasterchainShard, seq: 20, key: true, prevKey: 10, ccSeqNo: 3, listHash: hash, config: buildConfig(t, v1, 4, false)}.build(t)
			v := NewVerifier(ch.net)
			if err := v.AddKeyBlocks(ch.keyProofs); err != nil {
				t.Fatal(err)
			}
			_, err := v.AddKeyBlock(signedProof(t, fork, 20, 3, hash, signers))
			return err
		}, ErrUntrusted},
		{"block before its key block was added", func(t *testing.T, ch *testChain) error {
			v := NewVerifier(ch.net)
			if err := v.AddKeyBlocks(ch.keyProofs[:1]); err != nil {
				t.Fatal(err)
			}
			_, _, err := v.VerifyBlock(ch.mc)
			return err
		}, ErrUntrusted},
		{"key block with a repeated signer", func(t *testing.T, ch *testChain) error {
			p := ch.keyProofs[1]
			p.Signatures.List = append(p.Signatures.List, p.Signatures.List[len(p.Signatures.List)-1])
			return NewVerifier(ch.net).AddKeyBlocks(ch.keyProofs)
		}, ErrNotSigned},
		{"shard block not in the masterchain block", func(t *testing.T, ch *testChain) error {
			mc, _ := BlockFromBOC(ch.mcBlock.ToBOC(), ch.mc.ID.RootHash)
			id := ch.shardID
			id.SeqNo++
			return mc.CheckShardTop(id)
		}, ErrHashMismatch},
		{"shard hashes pruned in the signed proof", func(t *testing.T, ch *testChain) error {
			// Block proofs of non-key blocks prune McBlockExtra.
			mcExtra := mustMcExtraCell(t, ch.mcBlock)
			proof := must(cell.NewMerkleProof(ch.mcBlock, func(c *cell.Cell) bool { return c.Hash() != mcExtra.Hash() }))
			b, err := BlockFromProof(proof, ch.mc.ID.RootHash)
			if err != nil {
				t.Fatal(err)
			}
			return b.CheckShardTop(ch.shardID)
		}, ErrPruned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(t, buildTestChain(t)); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func mustMcExtraCell(t *testing.T, block *cell.Cell) *cell.Cell {
	t.Helper()
	return block.Ref(3).Ref(3).Ref(0)
}

func TestTransactionInclusion(t *testing.T) {
	account := [32]byte{0x12, 0x34}
	tx := must(cell.BeginCell().StoreUInt(0xabc, 12).EndCell())
	txs := map[uint64]*cell.Cell{100: tx, 200: cell.EmptyCell, 1 << 40: cell.EmptyCell}
	tests := []struct {
		name      string
		tag       uint64
		shard     ShardID
		workchain int32
		account   [32]byte
		lt        uint64
		hash      [32]byte
		prune     bool // prove the block by a Merkle proof of the path only
		want      error
	}{
		{"included", tagAccountBlock, wc0, 0, account, 100, tx.Hash(), false, nil},
		{"included, proof of the path", tagAccountBlock, wc0, 0, account, 100, tx.Hash(), true, nil},
		{"included, mesh account block", tagAccountBlockMesh, wc0, 0, account, 100, tx.Hash(), false, nil},
		{"included in a split shard", tagAccountBlock, ShardID{0, 0x18 << 56}, 0, account, 100, tx.Hash(), false, nil},
		{"wrong hash", tagAccountBlock, wc0, 0, account, 200, tx.Hash(), false, ErrHashMismatch},
		{"no transaction at lt", tagAccountBlock, wc0, 0, account, 101, tx.Hash(), false, ErrNotFound},
		{"no such account", tagAccountBlock, wc0, 0, [32]byte{0x12, 0x33}, 100, tx.Hash(), false, ErrNotFound},
		{"account outside the shard", tagAccountBlock, ShardID{0, 0xc << 60}, 0, account, 100, tx.Hash(), false, ErrInvalid},
		{"other workchain", tagAccountBlock, wc0, 1, account, 100, tx.Hash(), false, ErrInvalid},
		{"pruned transactions", tagAccountBlock, wc0, 0, [32]byte{0x12, 0x35}, 100, tx.Hash(), true, ErrPruned},
		{"unknown account block tag", 0x7, wc0, 0, account, 100, tx.Hash(), false, ErrUnknownTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := testBlock{shard: tc.shard, seq: 3, accounts: accountBlocks(t, tc.tag, account, txs)}.build(t)
			b, err := BlockFromBOC(root.ToBOC(), root.Hash())
			if err != nil {
				t.Fatal(err)
			}
			if tc.prune {
				// Keep only what the lookup of (account, lt 100) reads.
				if _, err := b.Transaction(account, 100); err != nil {
					t.Fatal(err)
				}
				keep := pathCells(t, root, tx)
				proof := must(cell.NewMerkleProof(root, func(c *cell.Cell) bool { return keep[c.Hash()] }))
				if b, err = BlockFromProof(proof, root.Hash()); err != nil {
					t.Fatal(err)
				}
			}
			err = b.CheckTransaction(tc.workchain, tc.account, tc.lt, tc.hash)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// pathCells is the block's info and every cell on the way from the root
// to target; other cells are left to be pruned.
func pathCells(t *testing.T, root, target *cell.Cell) map[[32]byte]bool {
	keep := map[[32]byte]bool{root.Ref(0).Hash(): true}
	for _, c := range root.Ref(0).Refs() {
		keep[c.Hash()] = true
	}
	markPath(root, target, func(c *cell.Cell) { keep[c.Hash()] = true })
	if len(keep) < 4 {
		t.Fatal("target not in the block")
	}
	return keep
}

// markPath visits the cells from c down to target.
func markPath(c, target *cell.Cell, visit func(*cell.Cell)) bool {
	if c.Hash() == target.Hash() {
		visit(c)
		return true
	}
	found := false
	for _, r := range c.Refs() {
		if markPath(r, target, visit) {
			found = true
		}
	}
	if found {
		visit(c)
	}
	return found
}
