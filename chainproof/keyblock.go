package chainproof

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// KeyBlock is what a key block fixes for the blocks after it: the
// validators of the masterchain and how to choose among them.
type KeyBlock struct {
	ID         BlockID
	Info       *BlockInfo
	Validators *ValidatorSet
	Catchain   CatchainConfig
	// Workchains is the number of workchains config param 12 lists.
	Workchains int
}

// ReadKeyBlock reads a key block's validator set (config param 34),
// catchain config (param 28) and workchain count (param 12) from its proof,
// after checking that the proof is the proof of the block its id names and
// that the block is a masterchain key block. It does not check signatures:
// a KeyBlock is only as trusted as the way it was obtained (see Verifier).
func ReadKeyBlock(p *BlockProof) (*KeyBlock, error) {
	if p.ID.Shard != MasterchainShard {
		return nil, fmt.Errorf("key block %s is not a masterchain block: %w", p.ID, ErrInvalid)
	}
	b, info, err := p.block()
	if err != nil {
		return nil, err
	}
	if err := info.check(p.ID); err != nil {
		return nil, err
	}
	if !info.KeyBlock {
		return nil, fmt.Errorf("block %s is not a key block: %w", p.ID, ErrInvalid)
	}
	mc, err := b.mcExtra()
	if err != nil {
		return nil, fmt.Errorf("key block %s: %w", p.ID, err)
	}
	if mc.config == nil {
		return nil, fmt.Errorf("key block %s has no config: %w", p.ID, ErrInvalid)
	}
	kb := &KeyBlock{ID: p.ID, Info: info}
	c34, err := requiredParam(mc.config, 34)
	if err == nil {
		kb.Validators, err = parseValidatorSet(c34)
	}
	if err != nil {
		return nil, fmt.Errorf("key block %s: %w", p.ID, err)
	}
	c28, err := requiredParam(mc.config, 28)
	if err == nil {
		kb.Catchain, err = parseCatchainConfig(c28)
	}
	if err != nil {
		return nil, fmt.Errorf("key block %s: %w", p.ID, err)
	}
	if kb.Workchains, err = countWorkchains(mc.config); err != nil {
		return nil, fmt.Errorf("key block %s: %w", p.ID, err)
	}
	return kb, nil
}

// VerifySigned checks the proof of a masterchain block against the key
// block before it, which the caller trusts: the proof is that block's, its
// header matches its id, it names kb as its previous key block, and the
// validators kb sets for its catchain round signed it. It returns the
// block's header.
func VerifySigned(p *BlockProof, kb *KeyBlock) (*Block, *BlockInfo, error) {
	if p.ID.Shard != MasterchainShard {
		return nil, nil, fmt.Errorf("block %s is not a masterchain block: %w", p.ID, ErrInvalid)
	}
	b, info, err := p.block()
	if err != nil {
		return nil, nil, err
	}
	if err := info.check(p.ID); err != nil {
		return nil, nil, err
	}
	if info.PrevKeyBlockSeqNo != kb.ID.SeqNo {
		return nil, nil, fmt.Errorf("block %s names key block %d, not %d: %w", p.ID, info.PrevKeyBlockSeqNo, kb.ID.SeqNo, ErrInvalid)
	}
	sigs := p.Signatures
	if sigs == nil {
		return nil, nil, fmt.Errorf("block %s has no signatures: %w", p.ID, ErrNotSigned)
	}
	// The signatures' round and list hash are the endpoint's word; the
	// block's header, which the signatures cover, must say the same.
	if sigs.CatchainSeqNo != info.GenCatchainSeqNo || sigs.ValidatorListHashShort != info.GenValidatorListHashShort {
		return nil, nil, fmt.Errorf("block %s: signatures for catchain %d list %08x, block made by catchain %d list %08x: %w",
			p.ID, sigs.CatchainSeqNo, sigs.ValidatorListHashShort, info.GenCatchainSeqNo, info.GenValidatorListHashShort, ErrNotSigned)
	}
	subset, hash, err := kb.Validators.McSubset(kb.Catchain, kb.Workchains, sigs.CatchainSeqNo)
	if err != nil {
		return nil, nil, fmt.Errorf("block %s: validators of key block %d: %w", p.ID, kb.ID.SeqNo, err)
	}
	if hash != sigs.ValidatorListHashShort {
		return nil, nil, fmt.Errorf("block %s: validator list hash %08x, key block %d gives %08x: %w", p.ID, sigs.ValidatorListHashShort, kb.ID.SeqNo, hash, ErrNotSigned)
	}
	if _, err := CheckSignatures(p.ID, sigs, subset); err != nil {
		return nil, nil, err
	}
	return b, info, nil
}

// block opens the block a proof holds, after checking the proof is that
// block's, and reads its header.
func (p *BlockProof) block() (*Block, *BlockInfo, error) {
	b, err := BlockFromProof(p.Root, p.ID.RootHash)
	if err == nil {
		var info *BlockInfo
		if info, err = b.Info(); err == nil {
			return b, info, nil
		}
	}
	return nil, nil, fmt.Errorf("block %s: %w", p.ID, err)
}

// requiredParam finds a config parameter a key block must have.
func requiredParam(config *cell.Cell, n uint32) (*cell.Cell, error) {
	c, err := configParam(config, n)
	if err == nil && c == nil {
		err = fmt.Errorf("config param %d: %w", n, ErrNotFound)
	}
	return c, err
}
