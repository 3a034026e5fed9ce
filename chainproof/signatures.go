package chainproof

import (
	"crypto/ed25519"
	"fmt"
	"math/big"
)

// signedMagic prefixes what validators sign: 0x706e0bc5 || root_hash ||
// file_hash.
var signedMagic = [4]byte{0x70, 0x6e, 0x0b, 0xc5}

// SignedData is what a block's validators sign.
func SignedData(id BlockID) []byte {
	b := make([]byte, 0, 68)
	b = append(b, signedMagic[:]...)
	b = append(b, id.RootHash[:]...)
	return append(b, id.FileHash[:]...)
}

// CheckSignatures checks that the validators of subset signed the block:
// every signature from a member is valid, no member signs twice, and the
// signers' weight is more than two thirds of the subset's. A signature from
// a node outside the subset is ignored, as the network ignores it. It
// returns the signers' weight.
func CheckSignatures(id BlockID, sigs *Signatures, subset []Validator) (uint64, error) {
	if sigs == nil {
		return 0, fmt.Errorf("block %s has no signatures: %w", id, ErrNotSigned)
	}
	byID := make(map[[32]byte]int, len(subset))
	total := new(big.Int)
	for i, v := range subset {
		byID[NodeIDShort(v.PublicKey)] = i
		total.Add(total, new(big.Int).SetUint64(v.Weight))
	}
	data := SignedData(id)
	seen := make(map[[32]byte]bool, len(sigs.List))
	signed := new(big.Int)
	for _, s := range sigs.List {
		if seen[s.NodeIDShort] {
			return 0, fmt.Errorf("block %s: node %x signs twice: %w", id, s.NodeIDShort, ErrNotSigned)
		}
		seen[s.NodeIDShort] = true
		i, ok := byID[s.NodeIDShort]
		if !ok {
			continue
		}
		v := subset[i]
		if !ed25519.Verify(v.PublicKey[:], data, s.Sig[:]) {
			return 0, fmt.Errorf("block %s: bad signature from node %x: %w", id, s.NodeIDShort, ErrNotSigned)
		}
		signed.Add(signed, new(big.Int).SetUint64(v.Weight))
	}
	// signed*3 > total*2, without overflow
	lhs := new(big.Int).Mul(signed, big.NewInt(3))
	rhs := new(big.Int).Mul(total, big.NewInt(2))
	if lhs.Cmp(rhs) <= 0 {
		return 0, fmt.Errorf("block %s: signers weigh %s of %s, not more than two thirds: %w", id, signed, total, ErrNotSigned)
	}
	return signed.Uint64(), nil
}
