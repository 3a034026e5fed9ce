package chain

import (
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
)

// The constructor tags written here. Where Everscale and TON share a
// layout, the shared (TON) tag is used: every Everscale parser reads it.
const (
	tagBlock           = 0x11ef55aa
	tagBlockInfo       = 0x9bc7a987
	tagValueFlow       = 0xb8e48dfb
	tagBlockExtra      = 0x4a33f6fd
	tagMcBlockExtra    = 0xcca5
	tagShardDescr      = 0xb
	tagAccTrans        = 0x5
	tagHashUpdate      = 0x72
	tagMsgEnvelope     = 0x4
	tagValidatorSetExt = 0x12
	tagValidator       = 0x53
	tagSigPubKey       = 0x8e81278a
	tagCatchainConfig2 = 0xc2
	// InMsg constructors: msg_import_ext$000, msg_import_imm$011,
	// msg_import_fin$100.
	inMsgExternal  = 0b000
	inMsgImmediate = 0b011
	inMsgFinal     = 0b100
)

// storeCurrencies stores a CurrencyCollection of grams and no other
// currency.
func storeCurrencies(b *cell.Builder, grams *big.Int) *cell.Builder {
	if grams == nil {
		grams = new(big.Int)
	}
	return b.StoreCoins(grams).StoreBool(false)
}

// feesAug is the augmentation of account blocks and their transactions:
// the fees, a CurrencyCollection, added up at forks.
var feesAug = cell.Aug[*big.Int]{
	Store: storeCurrencies,
	Sum:   func(a, b *big.Int) *big.Int { return new(big.Int).Add(a, b) },
}

// importFeesAug is InMsgDescr's augmentation, ImportFees (fees_collected
// and value_imported); the emulator charges no import fees and imports no
// value across shards.
var importFeesAug = cell.Aug[struct{}]{
	Store: func(b *cell.Builder, _ struct{}) *cell.Builder { return storeCurrencies(b.StoreCoinsUint64(0), nil) },
	Sum:   func(struct{}, struct{}) struct{} { return struct{}{} },
}

// storeShardIdent stores `shard_ident$00 shard_pfx_bits:(#<= 60)
// workchain_id:int32 shard_prefix:uint64`, the prefix without its tag bit.
func storeShardIdent(b *cell.Builder, s chainproof.ShardID) *cell.Builder {
	n := s.PrefixLen()
	return b.StoreUInt(0, 2).StoreUInt(uint64(n), 6).StoreInt(int64(s.Workchain), 32).
		StoreUInt(s.Prefix&^(uint64(1)<<(63-n)), 64)
}

// extBlkRef is `ext_blk_ref$_ end_lt:uint64 seq_no:uint32
// root_hash:bits256 file_hash:bits256` in a cell of its own.
func extBlkRef(r chainproof.ExtBlkRef) (*cell.Cell, error) {
	return cell.BeginCell().StoreUInt(r.EndLT, 64).StoreUInt(uint64(r.SeqNo), 32).
		StoreBytes(r.RootHash[:]).StoreBytes(r.FileHash[:]).EndCell()
}

// valueFlow is a ValueFlow with every amount zero: the emulator mints,
// burns and collects nothing at the block level.
func valueFlow() (*cell.Cell, error) {
	four := func() (*cell.Cell, error) {
		b := cell.BeginCell()
		for range 4 {
			storeCurrencies(b, nil)
		}
		return b.EndCell()
	}
	a, err := four()
	if err != nil {
		return nil, err
	}
	c, err := four()
	if err != nil {
		return nil, err
	}
	return storeCurrencies(cell.BeginCell().StoreUInt(tagValueFlow, 32).StoreRef(a), nil).StoreRef(c).EndCell()
}

// merkleUpdate is `!merkle_update#02 old_hash:bits256 new_hash:bits256
// old_depth:uint16 new_depth:uint16 old:^X new:^X`, with the two states
// given as pruned branches.
func merkleUpdate(old, new *cell.Cell) (*cell.Cell, error) {
	oh, nh := old.HashAt(0), new.HashAt(0)
	return cell.BeginCell().StoreUInt(uint64(cell.MerkleUpdate), 8).StoreBytes(oh[:]).StoreBytes(nh[:]).
		StoreUInt(uint64(old.DepthAt(0)), 16).StoreUInt(uint64(new.DepthAt(0)), 16).
		StoreRef(old).StoreRef(new).EndExoticCell()
}

// hashUpdate is `update_hashes#72 old_hash:bits256 new_hash:bits256`.
func hashUpdate(old, new [32]byte) (*cell.Cell, error) {
	return cell.BeginCell().StoreUInt(tagHashUpdate, 8).StoreBytes(old[:]).StoreBytes(new[:]).EndCell()
}

// emptyAugE is an empty HashmapAugE whose extra is a zero
// CurrencyCollection (an empty OutMsgDescr, for one).
func emptyAugE() (*cell.Cell, error) {
	return storeCurrencies(cell.BeginCell().StoreBool(false), nil).EndCell()
}

// end finishes a cell, saying what it was on failure.
func end(what string, b *cell.Builder) (*cell.Cell, error) {
	c, err := b.EndCell()
	if err != nil {
		return nil, fmt.Errorf("building %s: %w", what, err)
	}
	return c, nil
}
