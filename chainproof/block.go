package chainproof

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Block constructor tags: TON's and Everscale's (state update one cell
// deeper, and its common-message variant).
const (
	tagBlock      = 0x11ef55aa
	tagBlockEver  = 0x11ef55bb
	tagBlockEver3 = 0x31ef55bb

	tagBlockInfo     = 0x9bc7a987
	tagBlockInfoMs   = 0x9bc7a988 // adds gen_utime_ms
	tagBlockInfoPack = 0x9bc7a989 // adds pack_info after the references

	tagBlockExtra      = 0x4a33f6fd
	tagBlockExtraEver  = 0x4a33f6fc
	tagBlockExtraEver3 = 0xca33f6fc

	tagMcBlockExtra      = 0xcca5
	tagMcBlockExtraEver  = 0xdc75
	tagMcBlockExtraEver3 = 0xdc76

	tagGlobalVersion = 0xc4
)

// Block is a block's root cell, read from a Merkle proof or a full BOC.
// Its accessors read only what they need and fail with ErrPruned where the
// proof left that part out.
type Block struct {
	root     *cell.Cell
	GlobalID int32
}

// ExtBlkRef is `ext_blk_ref$_ end_lt:uint64 seq_no:uint32 root_hash:bits256
// file_hash:bits256`: a reference to another block.
type ExtBlkRef struct {
	EndLT    uint64
	SeqNo    uint32
	RootHash [32]byte
	FileHash [32]byte
}

// BlockInfo holds the fields of a block's header that verification uses.
type BlockInfo struct {
	Version                   uint32
	NotMaster                 bool
	AfterMerge                bool
	BeforeSplit               bool
	AfterSplit                bool
	KeyBlock                  bool
	SeqNo                     uint32
	Shard                     ShardID
	GenUtime                  uint32
	StartLT, EndLT            uint64
	GenValidatorListHashShort uint32
	GenCatchainSeqNo          uint32
	MinRefMcSeqNo             uint32
	PrevKeyBlockSeqNo         uint32
	// MasterRef is the masterchain block a shard block refers to.
	MasterRef *ExtBlkRef
	// Prev holds one previous block, or two after a merge.
	Prev []ExtBlkRef
}

// BlockFromProof checks that a Merkle proof is the proof of the block with
// the given root hash and returns the block it holds.
func BlockFromProof(proof *cell.Cell, rootHash [32]byte) (*Block, error) {
	if proof == nil || proof.Type() != cell.MerkleProof {
		return nil, fmt.Errorf("block proof is not a merkle proof: %w", ErrInvalid)
	}
	virtual := proof.Ref(0)
	if virtual.HashAt(0) != rootHash {
		return nil, fmt.Errorf("merkle proof of block %x holds block %x: %w", rootHash, virtual.HashAt(0), ErrHashMismatch)
	}
	return blockFromCell(virtual)
}

// BlockFromBOC reads a full block and checks it is the block with the
// given root hash.
func BlockFromBOC(boc []byte, rootHash [32]byte) (*Block, error) {
	c, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("block: %w", err)
	}
	if c.HashAt(0) != rootHash {
		return nil, fmt.Errorf("block BOC hashes to %x, want %x: %w", c.HashAt(0), rootHash, ErrHashMismatch)
	}
	return blockFromCell(c)
}

func blockFromCell(c *cell.Cell) (*Block, error) {
	s, err := open(c, "block")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	tag := r.u32()
	gid := int32(r.u32())
	if r.err != nil {
		return nil, fmt.Errorf("block: %w", r.err)
	}
	switch tag {
	case tagBlock, tagBlockEver, tagBlockEver3:
	default:
		return nil, fmt.Errorf("block tag %#x: %w", tag, ErrUnknownTag)
	}
	if s.RefsLeft() != 4 {
		return nil, fmt.Errorf("block has %d references, want 4: %w", s.RefsLeft(), ErrInvalid)
	}
	return &Block{root: c, GlobalID: gid}, nil
}

// Info reads the block's header.
func (b *Block) Info() (*BlockInfo, error) {
	s, err := open(b.root.Ref(0), "block info")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	tag := r.u32()
	if r.err == nil && tag != tagBlockInfo && tag != tagBlockInfoMs && tag != tagBlockInfoPack {
		return nil, fmt.Errorf("block info tag %#x: %w", tag, ErrUnknownTag)
	}
	bi := &BlockInfo{Version: r.u32()}
	bi.NotMaster = r.bool()
	bi.AfterMerge = r.bool()
	bi.BeforeSplit = r.bool()
	bi.AfterSplit = r.bool()
	r.skip(2) // want_split, want_merge
	bi.KeyBlock = r.bool()
	vertIncr := r.bool()
	flags := r.uint(8)
	bi.SeqNo = r.u32()
	r.skip(32) // vert_seq_no
	bi.Shard = r.shardIdent()
	bi.GenUtime = r.u32()
	if tag == tagBlockInfoMs {
		r.skip(16)
	}
	bi.StartLT = r.uint(64)
	bi.EndLT = r.uint(64)
	bi.GenValidatorListHashShort = r.u32()
	bi.GenCatchainSeqNo = r.u32()
	bi.MinRefMcSeqNo = r.u32()
	bi.PrevKeyBlockSeqNo = r.u32()
	if r.err != nil {
		return nil, fmt.Errorf("block info: %w", r.err)
	}
	if flags > 1 {
		return nil, fmt.Errorf("block info flags %#x: %w", flags, ErrInvalid)
	}
	if flags&1 != 0 { // gen_software:GlobalVersion
		if t := r.uint(8); r.err == nil && t != tagGlobalVersion {
			return nil, fmt.Errorf("global version tag %#x: %w", t, ErrUnknownTag)
		}
		r.skip(32 + 64)
	}
	if bi.NotMaster {
		ms, err := loadRef(s, "block info master_ref")
		if err != nil {
			return nil, err
		}
		ref, err := readExtBlkRef(ms)
		if err != nil {
			return nil, fmt.Errorf("block info master_ref: %w", err)
		}
		bi.MasterRef = &ref
	}
	ps, err := loadRef(s, "block info prev_ref")
	if err != nil {
		return nil, err
	}
	if bi.AfterMerge {
		for i := 0; i < 2; i++ {
			p, err := loadRef(ps, "block info prev_ref")
			if err != nil {
				return nil, err
			}
			ref, err := readExtBlkRef(p)
			if err != nil {
				return nil, fmt.Errorf("block info prev_ref: %w", err)
			}
			bi.Prev = append(bi.Prev, ref)
		}
	} else {
		ref, err := readExtBlkRef(ps)
		if err != nil {
			return nil, fmt.Errorf("block info prev_ref: %w", err)
		}
		bi.Prev = []ExtBlkRef{ref}
	}
	if vertIncr && s.RefsLeft() < 1 {
		return nil, fmt.Errorf("block info: no prev_vert_ref: %w", ErrInvalid)
	}
	if r.err != nil {
		return nil, fmt.Errorf("block info: %w", r.err)
	}
	return bi, nil
}

func readExtBlkRef(s *cell.Slice) (ExtBlkRef, error) {
	r := &reader{s: s}
	ref := ExtBlkRef{EndLT: r.uint(64), SeqNo: r.u32(), RootHash: r.hash(), FileHash: r.hash()}
	return ref, r.err
}

// check holds a block's header to the id it is proved for: the rules a
// block proof must meet before its signatures mean anything.
func (bi *BlockInfo) check(id BlockID) error {
	switch {
	case bi.Version != 0:
		return fmt.Errorf("block %s: info version %d: %w", id, bi.Version, ErrInvalid)
	case bi.SeqNo != id.SeqNo:
		return fmt.Errorf("block %s: info has seq_no %d: %w", id, bi.SeqNo, ErrInvalid)
	case bi.Shard != id.Shard:
		return fmt.Errorf("block %s: info has shard %s: %w", id, bi.Shard, ErrInvalid)
	case bi.NotMaster != (id.Shard.Workchain != Masterchain):
		return fmt.Errorf("block %s: not_master flag %v: %w", id, bi.NotMaster, ErrInvalid)
	case id.Shard.Workchain == Masterchain && (bi.AfterMerge || bi.BeforeSplit || bi.AfterSplit):
		return fmt.Errorf("block %s: split or merge flags on a masterchain block: %w", id, ErrInvalid)
	case bi.AfterMerge && bi.AfterSplit:
		return fmt.Errorf("block %s: both after_merge and after_split: %w", id, ErrInvalid)
	case bi.KeyBlock && id.Shard.Workchain != Masterchain:
		return fmt.Errorf("block %s: a key block outside the masterchain: %w", id, ErrInvalid)
	case id.SeqNo == 0:
		return fmt.Errorf("block %s: seq_no 0 is the zerostate, not a block: %w", id, ErrInvalid)
	case id.Shard.Workchain == Masterchain && bi.PrevKeyBlockSeqNo >= id.SeqNo:
		return fmt.Errorf("block %s: previous key block %d is not older: %w", id, bi.PrevKeyBlockSeqNo, ErrInvalid)
	}
	if !bi.AfterMerge && bi.Prev[0].SeqNo+1 != bi.SeqNo {
		return fmt.Errorf("block %s: prev_ref names seq_no %d: %w", id, bi.Prev[0].SeqNo, ErrInvalid)
	}
	return nil
}

// extra opens BlockExtra, positioned after its tag: references
// in_msg_descr, out_msg_descr and account_blocks come first.
func (b *Block) extra() (*cell.Slice, uint64, error) {
	s, err := open(b.root.Ref(3), "block extra")
	if err != nil {
		return nil, 0, err
	}
	tag, err := s.LoadUInt(32)
	if err != nil {
		return nil, 0, fmt.Errorf("block extra: %w", err)
	}
	switch tag {
	case tagBlockExtra, tagBlockExtraEver, tagBlockExtraEver3:
	default:
		return nil, 0, fmt.Errorf("block extra tag %#x: %w", tag, ErrUnknownTag)
	}
	if s.RefsLeft() < 3 {
		return nil, 0, fmt.Errorf("block extra: %d references: %w", s.RefsLeft(), ErrInvalid)
	}
	return s, tag, nil
}

// custom returns McBlockExtra's cell, nil when the block has none.
func (b *Block) custom() (*cell.Cell, error) {
	s, tag, err := b.extra()
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	r.ref()           // in_msg_descr
	r.ref()           // out_msg_descr
	r.ref()           // account_blocks
	r.skip(256 + 256) // rand_seed, created_by
	var custom *cell.Cell
	if tag == tagBlockExtra {
		custom = r.maybeRef()
	} else if r.err == nil {
		cs, err := loadRef(r.s, "block extra custom")
		if err != nil {
			return nil, err
		}
		cr := &reader{s: cs}
		custom = cr.maybeRef()
		r.err = cr.err
	}
	if r.err != nil {
		return nil, fmt.Errorf("block extra: %w", r.err)
	}
	return custom, nil
}

// mcExtra reads McBlockExtra up to its config: shard_hashes and, for a
// key block, the config dictionary's root.
type mcExtra struct {
	shardHashes *cell.Cell // HashmapE 32 root, nil when empty
	config      *cell.Cell // Hashmap 32 ^Cell root, nil for a non-key block
}

func (b *Block) mcExtra() (*mcExtra, error) {
	custom, err := b.custom()
	if err != nil {
		return nil, err
	}
	if custom == nil {
		return nil, fmt.Errorf("masterchain block extra: %w", ErrNotFound)
	}
	s, err := open(custom, "masterchain block extra")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	tag := r.uint(16)
	if r.err == nil && tag != tagMcBlockExtra && tag != tagMcBlockExtraEver && tag != tagMcBlockExtraEver3 {
		return nil, fmt.Errorf("masterchain block extra tag %#x: %w", tag, ErrUnknownTag)
	}
	key := r.bool()
	m := &mcExtra{shardHashes: r.maybeRef()}
	r.maybeRef() // shard_fees root
	r.currencies()
	r.currencies()
	r.ref() // prev_blk_signatures, recover_create_msg, mint_msg, ...
	if key {
		r.skip(256) // config_addr
		m.config = r.ref()
	}
	if r.err != nil {
		return nil, fmt.Errorf("masterchain block extra: %w", r.err)
	}
	return m, nil
}
