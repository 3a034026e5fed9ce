package chainproof

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Validator is ValidatorDescr: a validator's key, weight and ADNL address
// (zero when the descriptor has none).
type Validator struct {
	PublicKey [32]byte
	Weight    uint64
	ADNL      [32]byte
}

// ValidatorSet is config param 34 (`validators_ext#12`): the validators of
// the current round, in the order the network numbers them.
type ValidatorSet struct {
	UtimeSince, UtimeUntil uint32
	Total, Main            uint16
	TotalWeight            uint64
	List                   []Validator
}

// CatchainConfig is config param 28, as far as choosing the masterchain's
// validators needs it.
type CatchainConfig struct {
	ShuffleMcValidators bool
	IsolateMcValidators bool
	ShardValidatorsNum  uint32
}

// ValidatorDescr tags: TON's two, and Everscale's with a masterchain
// seq_no and with a BLS key.
const (
	tagValidator       = 0x53
	tagValidatorAddr   = 0x73
	tagValidatorSeqNo  = 0x93
	tagValidatorBLS    = 0x74
	tagSigPubKey       = 0x8e81278a
	tagValidatorSetExt = 0x12
	tagCatchainConfig  = 0xc1
	tagCatchainConfig2 = 0xc2
	blsPublicKeyBits   = 48 * 8
)

// configParam finds one parameter in a config dictionary; a parameter the
// dictionary does not hold gives nil.
func configParam(config *cell.Cell, n uint32) (*cell.Cell, error) {
	var key [4]byte
	binary.BigEndian.PutUint32(key[:], n)
	s, err := cell.LookupDict(config, 32, key[:], false)
	if err != nil {
		return nil, fmt.Errorf("config param %d: %w", n, err)
	}
	if s == nil {
		return nil, nil
	}
	c, err := s.LoadRef()
	if err != nil {
		return nil, fmt.Errorf("config param %d: %w", n, err)
	}
	return c, nil
}

func parseValidatorSet(c *cell.Cell) (*ValidatorSet, error) {
	s, err := open(c, "validator set")
	if err != nil {
		return nil, err
	}
	r := &reader{s: s}
	if tag := r.uint(8); r.err == nil && tag != tagValidatorSetExt {
		return nil, fmt.Errorf("validator set tag %#x: %w", tag, ErrUnknownTag)
	}
	vs := &ValidatorSet{UtimeSince: r.u32(), UtimeUntil: r.u32(), Total: uint16(r.uint(16)), Main: uint16(r.uint(16)), TotalWeight: r.uint(64)}
	dict := r.maybeRef()
	if r.err != nil {
		return nil, fmt.Errorf("validator set: %w", r.err)
	}
	if vs.Main < 1 || vs.Main > vs.Total {
		return nil, fmt.Errorf("validator set: main %d of %d: %w", vs.Main, vs.Total, ErrInvalid)
	}
	items, err := cell.ParseDictLimit(dict, 16, int(vs.Total))
	if err != nil {
		return nil, fmt.Errorf("validator set: %w", err)
	}
	if len(items) != int(vs.Total) {
		return nil, fmt.Errorf("validator set: %d validators, total says %d: %w", len(items), vs.Total, ErrInvalid)
	}
	var sum uint64
	for i, it := range items {
		if k := binary.BigEndian.Uint16(it.Key); int(k) != i {
			return nil, fmt.Errorf("validator set: validator %d where %d belongs: %w", k, i, ErrInvalid)
		}
		v, err := parseValidator(it.Value)
		if err != nil {
			return nil, fmt.Errorf("validator %d: %w", i, err)
		}
		if sum+v.Weight < sum {
			return nil, fmt.Errorf("validator set: weights overflow: %w", ErrInvalid)
		}
		sum += v.Weight
		vs.List = append(vs.List, v)
	}
	if sum != vs.TotalWeight {
		return nil, fmt.Errorf("validator set: weights sum to %d, total_weight says %d: %w", sum, vs.TotalWeight, ErrInvalid)
	}
	return vs, nil
}

func parseValidator(s *cell.Slice) (Validator, error) {
	r := &reader{s: s}
	var v Validator
	tag := r.uint(8)
	if pk := r.u32(); r.err == nil && pk != tagSigPubKey {
		return v, fmt.Errorf("public key tag %#x: %w", pk, ErrUnknownTag)
	}
	v.PublicKey = r.hash()
	v.Weight = r.uint(64)
	switch tag {
	case tagValidator:
	case tagValidatorAddr, tagValidatorBLS:
		v.ADNL = r.hash()
	case tagValidatorSeqNo:
		v.ADNL = r.hash()
		r.skip(32)
	default:
		if r.err == nil {
			return v, fmt.Errorf("validator tag %#x: %w", tag, ErrUnknownTag)
		}
	}
	if tag == tagValidatorBLS {
		r.skip(blsPublicKeyBits)
	}
	return v, r.err
}

func parseCatchainConfig(c *cell.Cell) (CatchainConfig, error) {
	var cc CatchainConfig
	s, err := open(c, "catchain config")
	if err != nil {
		return cc, err
	}
	r := &reader{s: s}
	tag := r.uint(8)
	if tag == tagCatchainConfig2 {
		flags := r.uint(8)
		if r.err == nil && flags>>2 != 0 {
			return cc, fmt.Errorf("catchain config flags %#x: %w", flags, ErrInvalid)
		}
		cc.IsolateMcValidators = flags&2 != 0
		cc.ShuffleMcValidators = flags&1 != 0
	} else if r.err == nil && tag != tagCatchainConfig {
		return cc, fmt.Errorf("catchain config tag %#x: %w", tag, ErrUnknownTag)
	}
	r.skip(3 * 32) // lifetimes
	cc.ShardValidatorsNum = r.u32()
	if r.err != nil {
		return cc, fmt.Errorf("catchain config: %w", r.err)
	}
	return cc, nil
}

// maxWorkchains bounds the workchains read from param 12: a dictionary
// of shared cells could otherwise list billions.
const maxWorkchains = 1 << 10

// countWorkchains counts config param 12's workchains; a config without
// it has one. Key block proofs usually prune param 12; then one workchain
// is assumed, as ever-sdk does. That cannot make a forgery pass: the count
// only chooses among subsets of the key block's own validators, and the
// chosen subset's list hash must equal the one in the signed block header.
func countWorkchains(config *cell.Cell) (int, error) {
	c, err := configParam(config, 12)
	if errors.Is(err, ErrPruned) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	if c == nil {
		return 1, nil
	}
	if c.Type() == cell.PrunedBranch {
		return 1, nil
	}
	s, err := open(c, "config param 12")
	if err != nil {
		return 0, err
	}
	root, err := s.LoadMaybeRef()
	if err != nil {
		return 0, fmt.Errorf("config param 12: %w", err)
	}
	items, err := cell.ParseDictLimit(root, 32, maxWorkchains)
	if err != nil {
		return 0, fmt.Errorf("config param 12: %w", err)
	}
	return len(items), nil
}
