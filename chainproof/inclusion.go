package chainproof

import (
	"encoding/binary"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ShardDescr is the part of a masterchain block's ShardDescr that names the
// shard's latest block: `shard_descr` with Everscale's tags c to f (and
// TON's a and b) share this prefix.
type ShardDescr struct {
	SeqNo      uint32
	RegMcSeqNo uint32
	StartLT    uint64
	EndLT      uint64
	RootHash   [32]byte
	FileHash   [32]byte
}

// shardDescrTags are the 4-bit ShardDescr tags known to share the prefix.
var shardDescrTags = map[uint64]bool{0xa: true, 0xb: true, 0xc: true, 0xd: true, 0xe: true, 0xf: true, 0x9: true}

// ShardTop reads, from a masterchain block's McBlockExtra, the latest
// block of a shard as of that masterchain block. The masterchain block
// must be one the caller verified (VerifySigned), read from a full block
// or a proof that keeps the path to the shard: a block proof prunes
// McBlockExtra of non-key blocks, and reading it then fails with ErrPruned.
func (b *Block) ShardTop(shard ShardID) (*ShardDescr, error) {
	got, d, err := b.shardLeaf(shard.Workchain, shard.Prefix, shard.PrefixLen())
	if err != nil {
		return nil, err
	}
	if got != shard {
		return nil, fmt.Errorf("shard %s: the masterchain block has shard %s there: %w", shard, got, ErrNotFound)
	}
	return d, nil
}

// ShardOf finds the shard that holds an account as of a masterchain block,
// and that shard's latest block.
func (b *Block) ShardOf(workchain int32, account [32]byte) (ShardID, *ShardDescr, error) {
	return b.shardLeaf(workchain, binary.BigEndian.Uint64(account[:8]), maxSplitDepth)
}

// shardLeaf walks a workchain's shard tree (`BinTree ShardDescr`: bt_leaf$0
// leaf:X, bt_fork$1 left:^ right:^) along the bits of prefix, at most
// maxDepth forks deep.
func (b *Block) shardLeaf(workchain int32, prefix uint64, maxDepth int) (ShardID, *ShardDescr, error) {
	mc, err := b.mcExtra()
	if err != nil {
		return ShardID{}, nil, err
	}
	var key [4]byte
	binary.BigEndian.PutUint32(key[:], uint32(workchain))
	s, err := cell.LookupDict(mc.shardHashes, 32, key[:], false)
	if err != nil {
		return ShardID{}, nil, fmt.Errorf("shard hashes of workchain %d: %w", workchain, err)
	}
	if s == nil {
		return ShardID{}, nil, fmt.Errorf("shard hashes: workchain %d: %w", workchain, ErrNotFound)
	}
	node, err := loadRef(s, "shard hashes")
	if err != nil {
		return ShardID{}, nil, err
	}
	for i := 0; ; i++ {
		fork, err := node.LoadUInt(1)
		if err != nil {
			return ShardID{}, nil, fmt.Errorf("shard tree of workchain %d: %w", workchain, err)
		}
		if fork == 0 {
			tag := uint64(1) << (63 - i)
			id := ShardID{Workchain: workchain, Prefix: prefix&^(tag|(tag-1)) | tag}
			d, err := readShardDescr(node)
			return id, d, err
		}
		if i == maxDepth {
			return ShardID{}, nil, fmt.Errorf("shard tree of workchain %d splits deeper than %d bits: %w", workchain, maxDepth, ErrNotFound)
		}
		if node.RefsLeft() != 2 {
			return ShardID{}, nil, fmt.Errorf("shard tree fork with %d references: %w", node.RefsLeft(), ErrInvalid)
		}
		bit := int(prefix >> (63 - i) & 1)
		if node, err = open(node.Cell().Ref(bit), "shard tree"); err != nil {
			return ShardID{}, nil, err
		}
	}
}

func readShardDescr(s *cell.Slice) (*ShardDescr, error) {
	r := &reader{s: s}
	tag := r.uint(4)
	if r.err == nil && !shardDescrTags[tag] {
		return nil, fmt.Errorf("shard descr tag %#x: %w", tag, ErrUnknownTag)
	}
	d := &ShardDescr{SeqNo: r.u32(), RegMcSeqNo: r.u32(), StartLT: r.uint(64), EndLT: r.uint(64), RootHash: r.hash(), FileHash: r.hash()}
	if r.err != nil {
		return nil, fmt.Errorf("shard descr: %w", r.err)
	}
	return d, nil
}

// CheckShardTop checks that a verified masterchain block names id as its
// shard's latest block. Earlier blocks of the shard follow from it by
// their hashes: each block's header names its predecessor's root hash
// (BlockInfo.Prev).
func (b *Block) CheckShardTop(id BlockID) error {
	d, err := b.ShardTop(id.Shard)
	if err != nil {
		return err
	}
	if d.SeqNo != id.SeqNo || d.RootHash != id.RootHash || d.FileHash != id.FileHash {
		return fmt.Errorf("shard %s: masterchain block names block %d %x, not %s: %w", id.Shard, d.SeqNo, d.RootHash, id, ErrHashMismatch)
	}
	return nil
}

// AccountBlock tags: acc_trans#5 with the transactions in line, and
// Everscale's #6, whose transactions are a HashmapAugE.
const (
	tagAccountBlock     = 0x5
	tagAccountBlockMesh = 0x6
)

// Transaction returns the cell of an account's transaction at a logical
// time from the block's account_blocks (`HashmapAugE 256 AccountBlock`, each
// holding a `HashmapAug 64` of transactions). The block must be one the
// caller verified, and whose shard holds the account. The returned cell
// may be a pruned branch; its level-0 hash is the transaction's hash.
func (b *Block) Transaction(account [32]byte, lt uint64) (*cell.Cell, error) {
	s, _, err := b.extra()
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	r.ref() // in_msg_descr
	r.ref() // out_msg_descr
	blocks := r.ref()
	if r.err != nil {
		return nil, fmt.Errorf("block extra: %w", r.err)
	}
	bs, err := open(blocks, "account blocks")
	if err != nil {
		return nil, err
	}
	root, err := bs.LoadMaybeRef()
	if err != nil {
		return nil, fmt.Errorf("account blocks: %w", err)
	}
	leaf, err := cell.LookupDict(root, 256, account[:], true)
	if err != nil {
		return nil, fmt.Errorf("account blocks: %w", err)
	}
	if leaf == nil {
		return nil, fmt.Errorf("account %x has no transactions in the block: %w", account, ErrNotFound)
	}
	lr := &reader{s: leaf}
	lr.currencies() // the augmentation
	tag := lr.uint(4)
	addr := lr.hash()
	if lr.err != nil {
		return nil, fmt.Errorf("account block of %x: %w", account, lr.err)
	}
	if addr != account {
		return nil, fmt.Errorf("account block of %x names account %x: %w", account, addr, ErrInvalid)
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], lt)
	var tx *cell.Slice
	switch tag {
	case tagAccountBlock:
		tx, err = cell.LookupDictIn(leaf, 64, key[:], true)
	case tagAccountBlockMesh:
		var txRoot *cell.Cell
		if txRoot, err = leaf.LoadMaybeRef(); err == nil {
			tx, err = cell.LookupDict(txRoot, 64, key[:], true)
		}
	default:
		return nil, fmt.Errorf("account block tag %#x: %w", tag, ErrUnknownTag)
	}
	if err != nil {
		return nil, fmt.Errorf("transactions of %x: %w", account, err)
	}
	if tx == nil {
		return nil, fmt.Errorf("account %x has no transaction at lt %d in the block: %w", account, lt, ErrNotFound)
	}
	tr := &reader{s: tx}
	tr.currencies()
	c := tr.ref()
	if tr.err != nil {
		return nil, fmt.Errorf("transaction %d of %x: %w", lt, account, tr.err)
	}
	return c, nil
}

// CheckTransaction checks that the transaction with the given hash is the
// account's transaction at lt in the block: the block's own shard must hold
// the account's address.
func (b *Block) CheckTransaction(workchain int32, account [32]byte, lt uint64, txHash [32]byte) error {
	info, err := b.Info()
	if err != nil {
		return err
	}
	if info.Shard.Workchain != workchain || !info.Shard.Contains(account) {
		return fmt.Errorf("account %d:%x is not in shard %s: %w", workchain, account, info.Shard, ErrInvalid)
	}
	c, err := b.Transaction(account, lt)
	if err != nil {
		return err
	}
	if c.HashAt(0) != txHash {
		return fmt.Errorf("transaction %d of %x hashes to %x, not %x: %w", lt, account, c.HashAt(0), txHash, ErrHashMismatch)
	}
	return nil
}
