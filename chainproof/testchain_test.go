package chainproof

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Builders of small but well-formed blocks, for what no public fixture
// covers: signed key block chains made here, shard hashes and account
// blocks. They write the layouts chainproof reads; the real fixtures check
// those layouts against the network's.

// must is for cells the test itself builds: failing to build one is a bug
// in the test.
func must(c *cell.Cell, err error) *cell.Cell {
	if err != nil {
		panic(err)
	}
	return c
}

func emptyCurrencies(b *cell.Builder) *cell.Builder { return b.StoreUInt(0, 4).StoreBool(false) }

type testValidator struct {
	key    ed25519.PrivateKey
	weight uint64
}

func testValidators(seed byte, weights ...uint64) []testValidator {
	var out []testValidator
	for i, w := range weights {
		s := sha256.Sum256([]byte{seed, byte(i)})
		out = append(out, testValidator{key: ed25519.NewKeyFromSeed(s[:]), weight: w})
	}
	return out
}

func (v testValidator) descr() Validator {
	var d Validator
	copy(d.PublicKey[:], v.key.Public().(ed25519.PublicKey))
	d.Weight = v.weight
	return d
}

func buildConfig(t testing.TB, vals []testValidator, main uint16, shuffle bool) *cell.Cell {
	t.Helper()
	var list []cell.DictEntry
	var total uint64
	for i, v := range vals {
		pub := v.key.Public().(ed25519.PublicKey)
		list = append(list, cell.DictEntry{Key: []byte{0, byte(i)}, Value: cell.BeginCell().
			StoreUInt(tagValidator, 8).StoreUInt(tagSigPubKey, 32).StoreBytes(pub).StoreUInt(v.weight, 64)})
		total += v.weight
	}
	dict := must(cell.BuildDict(16, list))
	vset := must(cell.BeginCell().StoreUInt(tagValidatorSetExt, 8).StoreUInt(1, 32).StoreUInt(2, 32).
		StoreUInt(uint64(len(vals)), 16).StoreUInt(uint64(main), 16).StoreUInt(total, 64).StoreMaybeRef(dict).EndCell())
	flags := uint64(0)
	if shuffle {
		flags = 1
	}
	cc := must(cell.BeginCell().StoreUInt(tagCatchainConfig2, 8).StoreUInt(flags, 8).
		StoreUInt(1000, 32).StoreUInt(1000, 32).StoreUInt(1000, 32).StoreUInt(7, 32).EndCell())
	return must(cell.BuildDict(32, []cell.DictEntry{
		{Key: []byte{0, 0, 0, 34}, Value: cell.BeginCell().StoreRef(vset)},
		{Key: []byte{0, 0, 0, 28}, Value: cell.BeginCell().StoreRef(cc)},
	}))
}

type testBlock struct {
	shard       ShardID
	seq         uint32
	key         bool
	prevKey     uint32
	ccSeqNo     uint32
	listHash    uint32
	shardHashes *cell.Cell // masterchain: HashmapE 32 root
	config      *cell.Cell // key block: config dictionary
	accounts    *cell.Cell // HashmapAugE 256 root of account blocks
}

func (tb testBlock) build(t testing.TB) *cell.Cell {
	t.Helper()
	notMaster := tb.shard.Workchain != Masterchain
	n := tb.shard.PrefixLen()
	prev := must(cell.BeginCell().StoreUInt(1, 64).StoreUInt(uint64(tb.seq-1), 32).StoreZeros(512).EndCell())
	ib := cell.BeginCell().StoreUInt(tagBlockInfoMs, 32).StoreUInt(0, 32).
		StoreBool(notMaster).StoreUInt(0, 5).StoreBool(tb.key).StoreBool(false).StoreUInt(0, 8).
		StoreUInt(uint64(tb.seq), 32).StoreUInt(0, 32).
		StoreUInt(uint64(n), 8).StoreInt(int64(tb.shard.Workchain), 32).StoreUInt(tb.shard.Prefix&^(1<<(63-n)), 64).
		StoreUInt(1700000000, 32).StoreUInt(5, 16).StoreUInt(uint64(tb.seq)*1000, 64).StoreUInt(uint64(tb.seq)*1000+9, 64).
		StoreUInt(uint64(tb.listHash), 32).StoreUInt(uint64(tb.ccSeqNo), 32).StoreUInt(0, 32).StoreUInt(uint64(tb.prevKey), 32)
	if notMaster {
		ib.StoreRef(prev)
	}
	info := must(ib.StoreRef(prev).EndCell())
	accounts := emptyCurrencies(cell.BeginCell().StoreMaybeRef(tb.accounts))
	custom := cell.BeginCell().StoreBool(false)
	if !notMaster {
		mb := cell.BeginCell().StoreUInt(tagMcBlockExtraEver, 16).StoreBool(tb.config != nil).StoreMaybeRef(tb.shardHashes).StoreBool(false)
		emptyCurrencies(emptyCurrencies(mb)).StoreRef(cell.EmptyCell)
		if tb.config != nil {
			mb.StoreZeros(256).StoreRef(tb.config)
		}
		custom = cell.BeginCell().StoreMaybeRef(must(mb.EndCell()))
	}
	extra := must(cell.BeginCell().StoreUInt(tagBlockExtraEver, 32).StoreRef(cell.EmptyCell).StoreRef(cell.EmptyCell).
		StoreRef(must(accounts.EndCell())).StoreZeros(512).StoreRef(must(custom.EndCell())).EndCell())
	return must(cell.BeginCell().StoreUInt(tagBlockEver, 32).StoreInt(42, 32).StoreRef(info).
		StoreRef(cell.EmptyCell).StoreRef(cell.EmptyCell).StoreRef(extra).EndCell())
}

// idOf names a built block: its root hash, and its BOC's hash as file hash.
func idOf(shard ShardID, seq uint32, root *cell.Cell) BlockID {
	return BlockID{Shard: shard, SeqNo: seq, RootHash: root.Hash(), FileHash: sha256.Sum256(root.ToBOC())}
}

// signedProof is the block proof of a masterchain block, keeping the whole
// block, signed by signers.
func signedProof(t testing.TB, root *cell.Cell, seq, ccSeqNo, listHash uint32, signers []testValidator) *BlockProof {
	t.Helper()
	id := idOf(MasterchainShard, seq, root)
	proof := must(cell.NewMerkleProof(root, func(*cell.Cell) bool { return true }))
	sigs := &Signatures{ValidatorListHashShort: listHash, CatchainSeqNo: ccSeqNo, Count: uint32(len(signers))}
	for _, v := range signers {
		var s Signature
		s.NodeIDShort = NodeIDShort(v.descr().PublicKey)
		copy(s.Sig[:], ed25519.Sign(v.key, SignedData(id)))
		sigs.List = append(sigs.List, s)
		sigs.Weight += v.weight
	}
	return &BlockProof{ID: id, Root: proof, Signatures: sigs}
}

// subsetOf is the masterchain subset and list hash of a validator list.
func subsetOf(t testing.TB, vals []testValidator, main uint16, shuffle bool, ccSeqNo uint32) ([]testValidator, uint32) {
	t.Helper()
	vs := &ValidatorSet{Total: uint16(len(vals)), Main: main}
	byKey := map[[32]byte]testValidator{}
	for _, v := range vals {
		vs.List = append(vs.List, v.descr())
		byKey[v.descr().PublicKey] = v
	}
	subset, hash, err := vs.McSubset(CatchainConfig{ShuffleMcValidators: shuffle}, 1, ccSeqNo)
	if err != nil {
		t.Fatal(err)
	}
	var out []testValidator
	for _, v := range subset {
		out = append(out, byKey[v.PublicKey])
	}
	return out, hash
}

func u32key(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
