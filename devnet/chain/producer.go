package chain

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
)

// Shard is the devnet's one shard: all of workchain 0.
var Shard = chainproof.ShardID{Workchain: 0, Prefix: 1 << 63}

// GlobalID is the devnet's network id, in every block.
const GlobalID int32 = 42

// validatorWeight is the one validator's weight; it holds all of it.
const validatorWeight = 1

// catchainSeqNo is the one catchain round the devnet's validator runs.
const catchainSeqNo = 0

// ErrBadChain is what Resume gives for blocks that are not a chain this
// producer made.
var ErrBadChain = errors.New("not the devnet's chain")

// Producer makes the devnet's blocks, in order; it is not safe for
// concurrent use.
type Producer struct {
	key       ed25519.PrivateKey
	validator chainproof.Validator
	listHash  uint32
	keyBlock  uint32
	// The last block of each chain, and the state after it (a pruned
	// branch).
	mc, shard           chainproof.ExtBlkRef
	mcState, shardState *cell.Cell
	mcUtime             uint32
}

// NewProducer starts a chain signed by the validator whose Ed25519 seed
// is given (32 bytes) and returns its first block: the masterchain key
// block #1 at utime, after the zerostate, with logical time from lt.
func NewProducer(seed []byte, utime uint32, lt uint64) (*Producer, *Block, error) {
	p, err := newProducer(seed)
	if err != nil {
		return nil, nil, err
	}
	kb, err := p.masterBlock(utime, lt, nil, true)
	if err != nil {
		return nil, nil, err
	}
	return p, kb, nil
}

func newProducer(seed []byte) (*Producer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("validator key: %d bytes, want a %d-byte Ed25519 seed", len(seed), ed25519.SeedSize)
	}
	p := &Producer{key: ed25519.NewKeyFromSeed(seed)}
	copy(p.validator.PublicKey[:], p.key.Public().(ed25519.PublicKey))
	p.validator.Weight = validatorWeight
	vs := chainproof.ValidatorSet{Total: 1, Main: 1, TotalWeight: validatorWeight, List: []chainproof.Validator{p.validator}}
	_, hash, err := vs.McSubset(chainproof.CatchainConfig{}, 1, catchainSeqNo)
	if err != nil {
		return nil, fmt.Errorf("validator subset: %w", err)
	}
	p.listHash = hash
	// The zerostates: the states before the first blocks, named by
	// hashes every devnet shares.
	zs := func(wc int32) (*cell.Cell, chainproof.ExtBlkRef, error) {
		c, err := cell.BeginCell().StoreInt(int64(wc), 32).StoreZeros(256).EndCell()
		if err != nil {
			return nil, chainproof.ExtBlkRef{}, err
		}
		pruned, err := cell.PrunedBranchOf(c)
		return pruned, chainproof.ExtBlkRef{RootHash: c.Hash(), FileHash: c.Hash()}, err
	}
	var err1, err2 error
	p.mcState, p.mc, err1 = zs(chainproof.Masterchain)
	p.shardState, p.shard, err2 = zs(Shard.Workchain)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("zerostate: %w", err)
	}
	return p, nil
}

// PublicKey is the validator's public key.
func (p *Producer) PublicKey() [32]byte { return p.validator.PublicKey }

// KeyBlockSeqNo is the seq_no of the key block the chain's blocks name.
func (p *Producer) KeyBlockSeqNo() uint32 { return p.keyBlock }

// Produce makes the blocks of one batch of transactions of workchain 0:
// a shard block holding them and a masterchain block that names it,
// signed, both at utime; endLT is past every lt the batch used, and the
// masterchain block's logical time starts there.
func (p *Producer) Produce(utime uint32, endLT uint64, txs []Tx) (shard, master *Block, err error) {
	if len(txs) == 0 {
		return nil, nil, errors.New("producing a block: no transactions")
	}
	start := txs[0].Lt
	for _, t := range txs {
		start = min(start, t.Lt)
		if t.Lt >= endLT {
			return nil, nil, fmt.Errorf("producing a block: transaction at lt %d, past the block's end %d", t.Lt, endLT)
		}
	}
	accounts, err := accountBlocks(txs)
	if err != nil {
		return nil, nil, err
	}
	inMsgs, err := inMsgDescr(txs)
	if err != nil {
		return nil, nil, err
	}
	update, next, err := stateUpdate(p.shardState, accounts.Hash())
	if err != nil {
		return nil, nil, err
	}
	mcRef := p.mc
	h := header{
		shard: Shard, seqNo: p.shard.SeqNo + 1, utime: utime, startLT: start, endLT: endLT,
		listHash: p.listHash, ccSeqNo: catchainSeqNo, minRefMcSeqNo: p.mc.SeqNo, prevKeySeqNo: p.keyBlock,
		prev: p.shard, master: &mcRef,
	}
	shard, err = assemble(GlobalID, h, update, inMsgs, accounts, nil, p.validator.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	prevShard, prevState := p.shard, p.shardState
	p.shard, p.shardState = shard.Ref(), next
	master, err = p.masterBlock(utime, endLT, shard, false)
	if err != nil {
		p.shard, p.shardState = prevShard, prevState
		return nil, nil, err
	}
	return shard, master, nil
}

// masterBlock makes the next masterchain block, naming the shard's last
// block, and signs it; a key block carries the config.
func (p *Producer) masterBlock(utime uint32, lt uint64, shard *Block, key bool) (*Block, error) {
	var shardRef [32]byte
	if shard != nil {
		shardRef = shard.ID.RootHash
	}
	update, next, err := stateUpdate(p.mcState, shardRef)
	if err != nil {
		return nil, err
	}
	custom, err := p.mcExtra(utime, shard, key)
	if err != nil {
		return nil, err
	}
	accounts, err := accountBlocks(nil)
	if err != nil {
		return nil, err
	}
	inMsgs, err := inMsgDescr(nil)
	if err != nil {
		return nil, err
	}
	h := header{
		shard: chainproof.MasterchainShard, seqNo: p.mc.SeqNo + 1, key: key, utime: utime, startLT: lt, endLT: lt + 1,
		listHash: p.listHash, ccSeqNo: catchainSeqNo, minRefMcSeqNo: p.mc.SeqNo, prevKeySeqNo: p.keyBlock, prev: p.mc,
	}
	b, err := assemble(GlobalID, h, update, inMsgs, accounts, custom, p.validator.PublicKey)
	if err != nil {
		return nil, err
	}
	b.Signatures = p.sign(b.ID)
	p.mc, p.mcState, p.mcUtime = b.Ref(), next, utime
	if key {
		p.keyBlock = b.ID.SeqNo
	}
	return b, nil
}

// sign is the validator's BlockSignatures on a masterchain block.
func (p *Producer) sign(id chainproof.BlockID) *chainproof.Signatures {
	var s chainproof.Signature
	s.NodeIDShort = chainproof.NodeIDShort(p.validator.PublicKey)
	copy(s.Sig[:], ed25519.Sign(p.key, chainproof.SignedData(id)))
	return &chainproof.Signatures{
		ValidatorListHashShort: p.listHash, CatchainSeqNo: catchainSeqNo,
		Count: 1, Weight: validatorWeight, List: []chainproof.Signature{s},
	}
}

// mcExtra builds `masterchain_block_extra#cca5 key_block:(## 1)
// shard_hashes:ShardHashes shard_fees:ShardFees ^[ prev_blk_signatures
// recover_create_msg mint_msg ] config:key_block?ConfigParams`.
func (p *Producer) mcExtra(utime uint32, shard *Block, key bool) (*cell.Cell, error) {
	descr, err := p.shardDescr(utime, shard)
	if err != nil {
		return nil, err
	}
	hashes, err := cell.BuildDict(32, []cell.DictEntry{{Key: binary.BigEndian.AppendUint32(nil, uint32(Shard.Workchain)), Value: cell.BeginCell().StoreRef(descr)}})
	if err != nil {
		return nil, fmt.Errorf("building shard hashes: %w", err)
	}
	rest, err := cell.BeginCell().StoreBool(false).StoreBool(false).StoreBool(false).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building masterchain block extra: %w", err)
	}
	b := cell.BeginCell().StoreUInt(tagMcBlockExtra, 16).StoreBool(key).StoreMaybeRef(hashes)
	// shard_fees: an empty HashmapAugE 96 whose extra is ShardFeeCreated
	// (fees and created, both zero).
	storeCurrencies(storeCurrencies(b.StoreBool(false), nil), nil).StoreRef(rest)
	if key {
		config, err := p.config(utime)
		if err != nil {
			return nil, err
		}
		b.StoreZeros(256).StoreRef(config) // config_addr: the devnet has no config contract
	}
	return end("masterchain block extra", b)
}

// shardDescr is the shard's entry in shard_hashes, a `bt_leaf$0` of
// `shard_descr#b`: the shard's last block (its zerostate before any).
func (p *Producer) shardDescr(utime uint32, shard *Block) (*cell.Cell, error) {
	var startLT uint64
	if shard != nil {
		startLT, utime = shard.Info.StartLT, shard.Info.GenUtime
	}
	r := p.shard
	b := cell.BeginCell().StoreBool(false).StoreUInt(tagShardDescr, 4).
		StoreUInt(uint64(r.SeqNo), 32).StoreUInt(uint64(p.mc.SeqNo+1), 32). // reg_mc_seqno: this block
		StoreUInt(startLT, 64).StoreUInt(r.EndLT, 64).StoreBytes(r.RootHash[:]).StoreBytes(r.FileHash[:]).
		StoreUInt(0, 5).StoreUInt(0, 3). // before_split .. nx_cc_updated, flags
		StoreUInt(catchainSeqNo, 32).StoreUInt(Shard.Prefix, 64).
		StoreUInt(uint64(p.mc.SeqNo), 32).StoreUInt(uint64(utime), 32). // min_ref_mc_seqno, gen_utime
		StoreBool(false)                                                // split_merge_at: fsm_none
	storeCurrencies(storeCurrencies(b, nil), nil) // fees_collected, funds_created
	return end("shard description", b)
}

// config is the key block's ConfigParams dictionary: param 34, the
// validator set (validators_ext#12, one validator#53 holding all the
// weight), and param 28, the catchain config (catchain_config_new#c2,
// no shuffle), which together choose the masterchain's signers.
func (p *Producer) config(utime uint32) (*cell.Cell, error) {
	v, err := cell.BuildDict(16, []cell.DictEntry{{Key: []byte{0, 0}, Value: cell.BeginCell().
		StoreUInt(tagValidator, 8).StoreUInt(tagSigPubKey, 32).StoreBytes(p.validator.PublicKey[:]).StoreUInt(validatorWeight, 64)}})
	if err != nil {
		return nil, fmt.Errorf("building the validator set: %w", err)
	}
	vset, err := cell.BeginCell().StoreUInt(tagValidatorSetExt, 8).StoreUInt(uint64(utime), 32).StoreUInt(math.MaxUint32, 32).
		StoreUInt(1, 16).StoreUInt(1, 16).StoreUInt(validatorWeight, 64).StoreMaybeRef(v).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building the validator set: %w", err)
	}
	cc, err := cell.BeginCell().StoreUInt(tagCatchainConfig2, 8).StoreUInt(0, 8).
		StoreUInt(1000000, 32).StoreUInt(1000000, 32).StoreUInt(1000000, 32).StoreUInt(1, 32).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building the catchain config: %w", err)
	}
	config, err := cell.BuildDict(32, []cell.DictEntry{
		{Key: binary.BigEndian.AppendUint32(nil, 28), Value: cell.BeginCell().StoreRef(cc)},
		{Key: binary.BigEndian.AppendUint32(nil, 34), Value: cell.BeginCell().StoreRef(vset)},
	})
	if err != nil {
		return nil, fmt.Errorf("building config: %w", err)
	}
	return config, nil
}

// Resume restarts a producer on the chain it made before, given its
// blocks' BOCs in the order they were made, and returns them read back
// (masterchain blocks signed again: Ed25519 signatures are deterministic).
// The blocks must chain: each names the last one of its shard.
func Resume(seed []byte, bocs [][]byte) (*Producer, []*Block, error) {
	p, err := newProducer(seed)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*Block, 0, len(bocs))
	for i, boc := range bocs {
		b, err := p.follow(boc)
		if err != nil {
			return nil, nil, fmt.Errorf("block %d of the saved chain: %w", i, err)
		}
		out = append(out, b)
	}
	if p.keyBlock == 0 {
		return nil, nil, fmt.Errorf("the saved chain has no key block: %w", ErrBadChain)
	}
	return p, out, nil
}

// follow takes a saved block as the next of its chain.
func (p *Producer) follow(boc []byte) (*Block, error) {
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChain, err)
	}
	pb, err := chainproof.BlockFromBOC(boc, root.Hash())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChain, err)
	}
	info, err := pb.Info()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChain, err)
	}
	last, state := &p.shard, &p.shardState
	if info.Shard == chainproof.MasterchainShard {
		last, state = &p.mc, &p.mcState
	} else if info.Shard != Shard {
		return nil, fmt.Errorf("block of shard %s: %w", info.Shard, ErrBadChain)
	}
	if info.Prev[0].SeqNo != last.SeqNo || info.Prev[0].RootHash != last.RootHash {
		return nil, fmt.Errorf("block %d of %s does not follow block %d: %w", info.SeqNo, info.Shard, last.SeqNo, ErrBadChain)
	}
	id := chainproof.BlockID{Shard: info.Shard, SeqNo: info.SeqNo, RootHash: root.Hash(), FileHash: sha256Sum(boc)}
	b, err := readBlock(id, boc)
	if err != nil {
		return nil, err
	}
	// The state after the block is its state update's new side.
	upd := root.Ref(2)
	if upd.Type() != cell.MerkleUpdate {
		return nil, fmt.Errorf("block %s: state update is a %s cell: %w", id, upd.Type(), ErrBadChain)
	}
	*last, *state = b.Ref(), upd.Ref(1)
	if info.Shard == chainproof.MasterchainShard {
		b.Signatures = p.sign(id)
		p.mcUtime = info.GenUtime
		if info.KeyBlock {
			p.keyBlock = info.SeqNo
		}
	}
	return b, nil
}
