package chain

import (
	"crypto/sha256"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
)

// Block is a block the producer made, as it is served.
type Block struct {
	ID   chainproof.BlockID
	Root *cell.Cell
	// BOC is the block's bag of cells; its SHA-256 is the file hash.
	BOC  []byte
	Info *chainproof.BlockInfo
	// Signatures are the validator's, on a masterchain block; nil on a
	// shard block.
	Signatures *chainproof.Signatures
	// Shard is, on a masterchain block, the shard block its shard_hashes
	// names.
	Shard *chainproof.ShardDescr
}

// header is what a block's BlockInfo says beyond its place in the chain.
type header struct {
	shard          chainproof.ShardID
	seqNo          uint32
	key            bool
	utime          uint32
	startLT, endLT uint64
	listHash       uint32
	ccSeqNo        uint32
	minRefMcSeqNo  uint32
	prevKeySeqNo   uint32
	prev           chainproof.ExtBlkRef
	master         *chainproof.ExtBlkRef // a shard block's master_ref
}

// blockInfo builds BlockInfo (block_info#9bc7a987, no gen_software, no
// vertical seqno increment).
func blockInfo(h header) (*cell.Cell, error) {
	notMaster := h.shard.Workchain != chainproof.Masterchain
	b := cell.BeginCell().StoreUInt(tagBlockInfo, 32).StoreUInt(0, 32).
		StoreBool(notMaster).StoreBool(false).StoreBool(false).StoreBool(false). // after_merge, before_split, after_split
		StoreBool(false).StoreBool(false).StoreBool(h.key).StoreBool(false).     // want_split, want_merge, key_block, vert_seqno_incr
		StoreUInt(0, 8).StoreUInt(uint64(h.seqNo), 32).StoreUInt(0, 32)
	storeShardIdent(b, h.shard).StoreUInt(uint64(h.utime), 32).StoreUInt(h.startLT, 64).StoreUInt(h.endLT, 64).
		StoreUInt(uint64(h.listHash), 32).StoreUInt(uint64(h.ccSeqNo), 32).
		StoreUInt(uint64(h.minRefMcSeqNo), 32).StoreUInt(uint64(h.prevKeySeqNo), 32)
	if notMaster {
		m, err := extBlkRef(*h.master)
		if err != nil {
			return nil, fmt.Errorf("building master_ref: %w", err)
		}
		b.StoreRef(m)
	}
	p, err := extBlkRef(h.prev)
	if err != nil {
		return nil, fmt.Errorf("building prev_ref: %w", err)
	}
	return end("block info", b.StoreRef(p))
}

// assemble builds `block#11ef55aa global_id:int32 info:^BlockInfo
// value_flow:^ValueFlow state_update:^(MERKLE_UPDATE ShardState)
// extra:^BlockExtra` with `block_extra#4a33f6fd in_msg_descr
// out_msg_descr account_blocks rand_seed created_by custom:(Maybe
// ^McBlockExtra)`, and reads it back as the verifier will.
func assemble(globalID int32, h header, update, inMsgs, accounts, custom *cell.Cell, createdBy [32]byte) (*Block, error) {
	info, err := blockInfo(h)
	if err != nil {
		return nil, err
	}
	flow, err := valueFlow()
	if err != nil {
		return nil, fmt.Errorf("building value flow: %w", err)
	}
	outMsgs, err := emptyAugE()
	if err != nil {
		return nil, fmt.Errorf("building out_msg_descr: %w", err)
	}
	// rand_seed: what the block is, so that two blocks never share one.
	seed := sha256.Sum256(append(hashOf(info), hashOf(accounts)...))
	extra, err := end("block extra", cell.BeginCell().StoreUInt(tagBlockExtra, 32).StoreRef(inMsgs).StoreRef(outMsgs).
		StoreRef(accounts).StoreBytes(seed[:]).StoreBytes(createdBy[:]).StoreMaybeRef(custom))
	if err != nil {
		return nil, err
	}
	root, err := end("block", cell.BeginCell().StoreUInt(tagBlock, 32).StoreInt(int64(globalID), 32).
		StoreRef(info).StoreRef(flow).StoreRef(update).StoreRef(extra))
	if err != nil {
		return nil, err
	}
	boc := root.ToBOC()
	id := chainproof.BlockID{Shard: h.shard, SeqNo: h.seqNo, RootHash: root.Hash(), FileHash: sha256.Sum256(boc)}
	return readBlock(id, boc)
}

func hashOf(c *cell.Cell) []byte {
	h := c.Hash()
	return h[:]
}

// readBlock reads a block as chainproof reads it, so that what the
// producer serves is what a verifier sees.
func readBlock(id chainproof.BlockID, boc []byte) (*Block, error) {
	b, err := chainproof.BlockFromBOC(boc, id.RootHash)
	if err != nil {
		return nil, fmt.Errorf("reading block %s back: %w", id, err)
	}
	info, err := b.Info()
	if err != nil {
		return nil, fmt.Errorf("reading block %s back: %w", id, err)
	}
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("reading block %s back: %w", id, err)
	}
	out := &Block{ID: id, Root: root, BOC: boc, Info: info}
	if id.Shard == chainproof.MasterchainShard {
		if out.Shard, err = b.ShardTop(Shard); err != nil {
			return nil, fmt.Errorf("reading block %s back: %w", id, err)
		}
	}
	return out, nil
}

// Ref is the block as the next block's prev_ref (or a shard
// description's) names it.
func (b *Block) Ref() chainproof.ExtBlkRef {
	return chainproof.ExtBlkRef{EndLT: b.Info.EndLT, SeqNo: b.ID.SeqNo, RootHash: b.ID.RootHash, FileHash: b.ID.FileHash}
}

// Proof is the Merkle proof of the whole block, what the API serves as
// signatures.proof and what a BlockProof's root is.
func (b *Block) Proof() (*cell.Cell, error) {
	p, err := cell.NewMerkleProof(b.Root, func(*cell.Cell) bool { return true })
	if err != nil {
		return nil, fmt.Errorf("proof of block %s: %w", b.ID, err)
	}
	return p, nil
}

// BlockProof is the block's BlockProof with its signatures, as
// chainproof's verifier takes it.
func (b *Block) BlockProof() (*chainproof.BlockProof, error) {
	p, err := b.Proof()
	if err != nil {
		return nil, err
	}
	return &chainproof.BlockProof{ID: b.ID, Root: p, Signatures: b.Signatures}, nil
}

// stateUpdate is the block's MERKLE_UPDATE from old to the state that
// follows it: a state that names the one before and what changed, kept
// only as its pruned branch.
func stateUpdate(old *cell.Cell, changed [32]byte) (update, next *cell.Cell, err error) {
	oh := old.HashAt(0)
	state, err := cell.BeginCell().StoreBytes(oh[:]).StoreBytes(changed[:]).EndCell()
	if err != nil {
		return nil, nil, fmt.Errorf("building state: %w", err)
	}
	if next, err = cell.PrunedBranchOf(state); err != nil {
		return nil, nil, fmt.Errorf("building state: %w", err)
	}
	if update, err = merkleUpdate(old, next); err != nil {
		return nil, nil, fmt.Errorf("building state update: %w", err)
	}
	return update, next, nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
