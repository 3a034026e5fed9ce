package chainproof

import (
	"fmt"
	"sync"
)

// Verifier keeps the key blocks it has verified for one network, so that a
// walk from an old anchor is paid once.
type Verifier struct {
	net *Network

	mu      sync.Mutex
	trusted map[uint32]*KeyBlock
}

// NewVerifier starts a verifier that trusts the network's anchors and
// nothing else.
func NewVerifier(net *Network) *Verifier {
	return &Verifier{net: net, trusted: map[uint32]*KeyBlock{}}
}

// KeyBlock returns the verified key block at seq_no, if the verifier has it.
func (v *Verifier) KeyBlock(seqNo uint32) (*KeyBlock, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	kb, ok := v.trusted[seqNo]
	return kb, ok
}

// AddKeyBlock verifies a key block proof and keeps the key block: it is
// trusted when it is one of the network's anchors (same seq_no and root
// hash), or when the validators of the trusted key block it names as its
// previous one signed it. A key block at an anchor's seq_no with another
// root hash is refused, signed or not.
func (v *Verifier) AddKeyBlock(p *BlockProof) (*KeyBlock, error) {
	kb, err := ReadKeyBlock(p)
	if err != nil {
		return nil, err
	}
	if a, ok := v.net.anchor(p.ID.SeqNo); ok {
		if a.RootHash != p.ID.RootHash {
			return nil, fmt.Errorf("key block %s: %s anchor at seq_no %d has root hash %x: %w", p.ID, v.net.Name, a.SeqNo, a.RootHash, ErrUntrusted)
		}
	} else {
		prev, ok := v.KeyBlock(kb.Info.PrevKeyBlockSeqNo)
		if !ok {
			return nil, fmt.Errorf("key block %s: previous key block %d is not trusted on %s: %w", p.ID, kb.Info.PrevKeyBlockSeqNo, v.net.Name, ErrUntrusted)
		}
		if _, _, err := VerifySigned(p, prev); err != nil {
			return nil, err
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if old, ok := v.trusted[p.ID.SeqNo]; ok && old.ID != p.ID {
		// Two signed key blocks at one height: the validators signed a
		// fork, and neither can be believed.
		return nil, fmt.Errorf("key block %s: another key block %s is trusted at that seq_no: %w", p.ID, old.ID, ErrUntrusted)
	}
	v.trusted[p.ID.SeqNo] = kb
	return kb, nil
}

// AddKeyBlocks adds key block proofs in increasing seq_no order, each
// verified by the ones before it; it stops at the first that fails.
func (v *Verifier) AddKeyBlocks(proofs []*BlockProof) error {
	for _, p := range proofs {
		if _, err := v.AddKeyBlock(p); err != nil {
			return err
		}
	}
	return nil
}

// VerifyBlock verifies the proof of a masterchain block: signed by the
// validators of a trusted key block it names as its previous one. It
// returns the block (as much of it as the proof holds) and its header.
func (v *Verifier) VerifyBlock(p *BlockProof) (*Block, *BlockInfo, error) {
	_, info, err := p.block()
	if err != nil {
		return nil, nil, err
	}
	kb, ok := v.KeyBlock(info.PrevKeyBlockSeqNo)
	if !ok {
		return nil, nil, fmt.Errorf("block %s: key block %d is not trusted on %s: %w", p.ID, info.PrevKeyBlockSeqNo, v.net.Name, ErrUntrusted)
	}
	return VerifySigned(p, kb)
}
