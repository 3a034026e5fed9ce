package chainproof

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
)

// prng is the generator validators use to shuffle a validator set: SHA-512
// of (seed, shard, workchain, catchain seqno), read as eight big-endian
// 64-bit numbers; after each hash the 256-bit seed is incremented.
type prng struct {
	context [48]byte
	bag     [8]uint64
	next    int
}

func newPRNG(shardPrefix uint64, workchain int32, ccSeqNo uint32) *prng {
	g := &prng{next: 8}
	binary.BigEndian.PutUint64(g.context[32:], shardPrefix)
	binary.BigEndian.PutUint32(g.context[40:], uint32(workchain))
	binary.BigEndian.PutUint32(g.context[44:], ccSeqNo)
	return g
}

func (g *prng) uint64() uint64 {
	if g.next == 8 {
		h := sha512.Sum512(g.context[:])
		for i := 31; i >= 0; i-- {
			g.context[i]++
			if g.context[i] != 0 {
				break
			}
		}
		for i := range g.bag {
			g.bag[i] = binary.BigEndian.Uint64(h[8*i:])
		}
		g.next = 0
	}
	v := g.bag[g.next]
	g.next++
	return v
}

// ranged returns a number in [0, n): the high half of n times the next
// 64-bit number.
func (g *prng) ranged(n uint64) uint64 {
	hi, _ := bits.Mul64(n, g.uint64())
	return hi
}

// workchainOf is the workchain a validator serves when a network has
// several: Everscale derives it from the validator's node id.
func workchainOf(v Validator) int32 {
	id := NodeIDShort(v.PublicKey)
	return int32(id[0]%32) - 1
}

// McSubset computes the validators that sign masterchain blocks of the
// given catchain round, and the short hash of that list, as the network
// does: the first `main` validators, shuffled when the catchain config says
// so. On a network with several workchains, only validators whose node id
// assigns them to the masterchain (or to no existing workchain) take part.
func (vs *ValidatorSet) McSubset(cc CatchainConfig, workchains int, ccSeqNo uint32) ([]Validator, uint32, error) {
	list := vs.List
	main := int(vs.Main)
	if workchains > 1 {
		var own []Validator
		for _, v := range list {
			if wc := workchainOf(v); wc == Masterchain || int(wc) >= workchains {
				own = append(own, v)
			}
		}
		if len(own) < int(cc.ShardValidatorsNum) {
			return nil, 0, fmt.Errorf("only %d validators for the masterchain, %d wanted: %w", len(own), cc.ShardValidatorsNum, ErrInvalid)
		}
		list = own
	}
	n := min(len(list), main)
	if n == 0 {
		return nil, 0, fmt.Errorf("no validators: %w", ErrInvalid)
	}
	subset := make([]Validator, n)
	if !cc.ShuffleMcValidators {
		copy(subset, list[:n])
	} else {
		g := newPRNG(MasterchainShard.Prefix, Masterchain, ccSeqNo)
		idx := make([]int, n)
		for i := range idx {
			j := int(g.ranged(uint64(i) + 1))
			idx[i] = idx[j]
			idx[j] = i
		}
		for i, k := range idx {
			subset[i] = list[k]
		}
	}
	return subset, listHashShort(subset, ccSeqNo), nil
}

// hashShortMagic starts the short hash of a validator list.
const hashShortMagic = 0x901660ed

// listHashShort is CRC32-C of the magic, the catchain seqno, the count,
// then each validator's key, weight and ADNL address, numbers little-endian.
func listHashShort(subset []Validator, ccSeqNo uint32) uint32 {
	b := make([]byte, 0, 12+len(subset)*72)
	b = binary.LittleEndian.AppendUint32(b, hashShortMagic)
	b = binary.LittleEndian.AppendUint32(b, ccSeqNo)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(subset)))
	for _, v := range subset {
		b = append(b, v.PublicKey[:]...)
		b = binary.LittleEndian.AppendUint64(b, v.Weight)
		b = append(b, v.ADNL[:]...)
	}
	return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
}

// keyEd25519 is the TL id of pub.ed25519, which prefixes a key when the
// network names a node by the hash of its key.
const keyEd25519 = 0x4813b4c6

// NodeIDShort is how a signature names its validator: SHA-256 of the key's
// TL type (4 bytes, little-endian) and the key.
func NodeIDShort(pub [32]byte) [32]byte {
	var b [36]byte
	binary.LittleEndian.PutUint32(b[:], keyEd25519)
	copy(b[4:], pub[:])
	return sha256.Sum256(b[:])
}
