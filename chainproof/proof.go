package chainproof

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// BlockProof is `block_proof#c3 proof_for:BlockIdExt root:^Cell
// signatures:(Maybe ^BlockSignatures)`: a Merkle proof of a block's header
// and, for a masterchain block, its validators' signatures.
type BlockProof struct {
	ID BlockID
	// Root is the Merkle proof of the block.
	Root *cell.Cell
	// Signatures is nil for a proof without them (a shard block's).
	Signatures *Signatures
}

// Signatures is BlockSignatures: `block_signatures#11
// validator_list_hash_short:uint32 catchain_seqno:uint32 sig_count:uint32
// sig_weight:uint64 signatures:(HashmapE 16 CryptoSignaturePair)`. Every
// field but the signatures themselves is the signer's claim, checked
// against what the block and its key block say.
type Signatures struct {
	ValidatorListHashShort uint32
	CatchainSeqNo          uint32
	Count                  uint32
	Weight                 uint64
	List                   []Signature
}

// Signature is CryptoSignaturePair: `node_id_short:bits256
// ed25519_signature#5 R:bits256 s:bits256`.
type Signature struct {
	NodeIDShort [32]byte
	Sig         [64]byte
}

const (
	tagBlockProof      = 0xc3
	tagBlockSignatures = 0x11
	tagEd25519Sig      = 0x5
)

// ParseBlockProof decodes a BlockProof from its BOC.
func ParseBlockProof(boc []byte) (*BlockProof, error) {
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("block proof: %w", err)
	}
	return BlockProofFromCell(root)
}

// BlockProofFromCell reads a BlockProof from its root cell.
func BlockProofFromCell(c *cell.Cell) (*BlockProof, error) {
	s, err := open(c, "block proof")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	if tag := r.uint(8); r.err == nil && tag != tagBlockProof {
		return nil, fmt.Errorf("block proof tag %#x: %w", tag, ErrUnknownTag)
	}
	p := &BlockProof{ID: r.blockIDExt()}
	p.Root = r.ref()
	sigs := r.maybeRef()
	if r.err != nil {
		return nil, fmt.Errorf("block proof: %w", r.err)
	}
	if p.Root.Type() != cell.MerkleProof {
		return nil, fmt.Errorf("block proof of %s: root is a %s cell, want a merkle proof: %w", p.ID, p.Root.Type(), ErrInvalid)
	}
	if sigs != nil {
		if p.Signatures, err = parseSignatures(sigs); err != nil {
			return nil, fmt.Errorf("block proof of %s: %w", p.ID, err)
		}
	}
	return p, nil
}

func parseSignatures(c *cell.Cell) (*Signatures, error) {
	s, err := open(c, "block signatures")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	if tag := r.uint(8); r.err == nil && tag != tagBlockSignatures {
		return nil, fmt.Errorf("block signatures tag %#x: %w", tag, ErrUnknownTag)
	}
	sg := &Signatures{
		ValidatorListHashShort: r.u32(),
		CatchainSeqNo:          r.u32(),
		Count:                  r.u32(),
		Weight:                 r.uint(64),
	}
	dict := r.maybeRef()
	if r.err != nil {
		return nil, fmt.Errorf("block signatures: %w", r.err)
	}
	items, err := cell.ParseDict(dict, 16)
	if err != nil {
		return nil, fmt.Errorf("block signatures: %w", err)
	}
	for _, it := range items {
		r := &reader{s: it.Value}
		var sig Signature
		sig.NodeIDShort = r.hash()
		if tag := r.uint(4); r.err == nil && tag != tagEd25519Sig {
			return nil, fmt.Errorf("signature %x: tag %#x: %w", it.Key, tag, ErrUnknownTag)
		}
		rs := r.hash()
		ss := r.hash()
		if r.err != nil {
			return nil, fmt.Errorf("signature %x: %w", it.Key, r.err)
		}
		copy(sig.Sig[:32], rs[:])
		copy(sig.Sig[32:], ss[:])
		sg.List = append(sg.List, sig)
	}
	return sg, nil
}

// ToCell encodes the proof as BlockProof, signatures in the order of List.
func (p *BlockProof) ToCell() (*cell.Cell, error) {
	b := cell.BeginCell().StoreUInt(tagBlockProof, 8)
	storeBlockIDExt(b, p.ID)
	b.StoreRef(p.Root)
	if p.Signatures == nil {
		return b.StoreBool(false).EndCell()
	}
	sg := p.Signatures
	entries := make([]cell.DictEntry, len(sg.List))
	for i, s := range sg.List {
		entries[i] = cell.DictEntry{
			Key: []byte{byte(i >> 8), byte(i)},
			Value: cell.BeginCell().StoreBytes(s.NodeIDShort[:]).StoreUInt(tagEd25519Sig, 4).
				StoreBytes(s.Sig[:]),
		}
	}
	dict, err := cell.BuildDict(16, entries)
	if err != nil {
		return nil, fmt.Errorf("encoding signatures: %w", err)
	}
	sc, err := cell.BeginCell().StoreUInt(tagBlockSignatures, 8).
		StoreUInt(uint64(sg.ValidatorListHashShort), 32).StoreUInt(uint64(sg.CatchainSeqNo), 32).
		StoreUInt(uint64(sg.Count), 32).StoreUInt(sg.Weight, 64).StoreMaybeRef(dict).EndCell()
	if err != nil {
		return nil, fmt.Errorf("encoding signatures: %w", err)
	}
	return b.StoreBool(true).StoreRef(sc).EndCell()
}

func storeBlockIDExt(b *cell.Builder, id BlockID) {
	n := id.Shard.PrefixLen()
	b.StoreUInt(uint64(n), 8).StoreInt(int64(id.Shard.Workchain), 32).
		StoreUInt(id.Shard.Prefix&^(uint64(1)<<(63-n)), 64).
		StoreUInt(uint64(id.SeqNo), 32).StoreBytes(id.RootHash[:]).StoreBytes(id.FileHash[:])
}
