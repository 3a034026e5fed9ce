package chainproof

import (
	"encoding/hex"
	"fmt"
	"math/bits"
)

// Masterchain is the masterchain's workchain id.
const Masterchain = -1

// maxSplitDepth is the deepest a shard can split.
const maxSplitDepth = 60

// ShardID names a shard: a workchain and a prefix of account addresses.
// Prefix carries its tag bit: the bit after the prefix is 1, the rest are
// 0, so 0x8000000000000000 is the whole workchain.
type ShardID struct {
	Workchain int32
	Prefix    uint64
}

// MasterchainShard is the masterchain's only shard.
var MasterchainShard = ShardID{Workchain: Masterchain, Prefix: 1 << 63}

// PrefixLen is the number of address bits the shard fixes.
func (s ShardID) PrefixLen() int { return 63 - bits.TrailingZeros64(s.Prefix) }

// Contains reports whether an account address of the shard's workchain
// falls in the shard.
func (s ShardID) Contains(addr [32]byte) bool {
	n := s.PrefixLen()
	if n == 0 {
		return true
	}
	a := uint64(0)
	for i := 0; i < 8; i++ {
		a = a<<8 | uint64(addr[i])
	}
	mask := ^uint64(0) << (64 - n)
	return a&mask == s.Prefix&mask
}

func (s ShardID) String() string { return fmt.Sprintf("%d:%016x", s.Workchain, s.Prefix) }

// BlockID is BlockIdExt: which block, and the two hashes that fix it.
type BlockID struct {
	Shard    ShardID
	SeqNo    uint32
	RootHash [32]byte
	FileHash [32]byte
}

func (id BlockID) String() string {
	return fmt.Sprintf("(%s, %d, rh %s)", id.Shard, id.SeqNo, hex.EncodeToString(id.RootHash[:]))
}

// readShardIdent reads `shard_ident$00 shard_pfx_bits:(#<= 60)
// workchain_id:int32 shard_prefix:uint64`, where the prefix is stored
// without its tag bit.
func (r *reader) shardIdent() ShardID {
	tag := r.uint(2)
	n := r.uint(6)
	wc := int32(r.u32())
	pfx := r.uint(64)
	if r.err != nil {
		return ShardID{}
	}
	if tag != 0 {
		r.err = fmt.Errorf("shard ident tag %d: %w", tag, ErrUnknownTag)
		return ShardID{}
	}
	if n > maxSplitDepth {
		r.err = fmt.Errorf("shard prefix of %d bits, over %d: %w", n, maxSplitDepth, ErrInvalid)
		return ShardID{}
	}
	tagBit := uint64(1) << (63 - n)
	if pfx&(tagBit|(tagBit-1)) != 0 {
		r.err = fmt.Errorf("shard prefix %016x has bits past its %d: %w", pfx, n, ErrInvalid)
		return ShardID{}
	}
	return ShardID{Workchain: wc, Prefix: pfx | tagBit}
}

// blockIDExt reads `block_id_ext$_ shard_id:ShardIdent seq_no:uint32
// root_hash:bits256 file_hash:bits256`.
func (r *reader) blockIDExt() BlockID {
	var id BlockID
	id.Shard = r.shardIdent()
	id.SeqNo = r.u32()
	id.RootHash = r.hash()
	id.FileHash = r.hash()
	return id
}
