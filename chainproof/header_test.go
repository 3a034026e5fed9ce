package chainproof

import (
	"errors"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

func TestBlockInfoCheck(t *testing.T) {
	mcID := BlockID{Shard: MasterchainShard, SeqNo: 100}
	good := func() *BlockInfo {
		return &BlockInfo{SeqNo: 100, Shard: MasterchainShard, PrevKeyBlockSeqNo: 90, Prev: []ExtBlkRef{{SeqNo: 99}}}
	}
	tests := []struct {
		name string
		edit func(bi *BlockInfo, id *BlockID)
	}{
		{"version", func(bi *BlockInfo, id *BlockID) { bi.Version = 1 }},
		{"seq_no", func(bi *BlockInfo, id *BlockID) { bi.SeqNo = 101 }},
		{"shard", func(bi *BlockInfo, id *BlockID) { bi.Shard = wc0 }},
		{"not_master on the masterchain", func(bi *BlockInfo, id *BlockID) { bi.NotMaster = true }},
		{"split flag on the masterchain", func(bi *BlockInfo, id *BlockID) { bi.BeforeSplit = true }},
		{"after merge and split", func(bi *BlockInfo, id *BlockID) {
			bi.Shard, id.Shard, bi.NotMaster = wc0, wc0, true
			bi.AfterMerge, bi.AfterSplit = true, true
		}},
		{"key block in a workchain", func(bi *BlockInfo, id *BlockID) {
			bi.Shard, id.Shard, bi.NotMaster, bi.KeyBlock = wc0, wc0, true, true
		}},
		{"zerostate", func(bi *BlockInfo, id *BlockID) { bi.SeqNo, id.SeqNo, bi.Prev[0].SeqNo = 0, 0, 0 }},
		{"key block not older", func(bi *BlockInfo, id *BlockID) { bi.PrevKeyBlockSeqNo = 100 }},
		{"prev_ref seq_no", func(bi *BlockInfo, id *BlockID) { bi.Prev[0].SeqNo = 98 }},
	}
	if err := good().check(mcID); err != nil {
		t.Fatalf("good header: %v", err)
	}
	for _, tc := range tests {
		bi, id := good(), mcID
		tc.edit(bi, &id)
		if err := bi.check(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestParseValidatorForms(t *testing.T) {
	pub := [32]byte{1, 2, 3}
	adnl := [32]byte{9}
	base := func(tag uint64) *cell.Builder {
		return cell.BeginCell().StoreUInt(tag, 8).StoreUInt(tagSigPubKey, 32).StoreBytes(pub[:]).StoreUInt(17, 64)
	}
	tests := []struct {
		name     string
		b        *cell.Builder
		wantADNL [32]byte
		want     error
	}{
		{"validator#53", base(tagValidator), [32]byte{}, nil},
		{"validator_addr#73", base(tagValidatorAddr).StoreBytes(adnl[:]), adnl, nil},
		{"with mc seq_no #93", base(tagValidatorSeqNo).StoreBytes(adnl[:]).StoreUInt(5, 32), adnl, nil},
		{"with BLS key #74", base(tagValidatorBLS).StoreBytes(adnl[:]).StoreZeros(blsPublicKeyBits), adnl, nil},
		{"unknown tag", base(0x54), [32]byte{}, ErrUnknownTag},
		{"unknown key type", cell.BeginCell().StoreUInt(tagValidator, 8).StoreUInt(0x8e81278b, 32).StoreBytes(pub[:]).StoreUInt(17, 64), [32]byte{}, ErrUnknownTag},
		{"truncated", base(tagValidatorAddr), [32]byte{}, cell.ErrNotEnoughData},
	}
	for _, tc := range tests {
		c := must(tc.b.EndCell())
		v, err := parseValidator(c.BeginParse())
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			continue
		}
		if err == nil && (v.PublicKey != pub || v.Weight != 17 || v.ADNL != tc.wantADNL) {
			t.Errorf("%s: %+v", tc.name, v)
		}
	}
}

func TestParseCatchainConfig(t *testing.T) {
	tests := []struct {
		name    string
		b       *cell.Builder
		want    CatchainConfig
		wantErr error
	}{
		{"c1", cell.BeginCell().StoreUInt(tagCatchainConfig, 8).StoreZeros(96).StoreUInt(7, 32), CatchainConfig{ShardValidatorsNum: 7}, nil},
		{"c2 shuffle", cell.BeginCell().StoreUInt(tagCatchainConfig2, 8).StoreUInt(1, 8).StoreZeros(96).StoreUInt(9, 32), CatchainConfig{ShuffleMcValidators: true, ShardValidatorsNum: 9}, nil},
		{"c2 isolate", cell.BeginCell().StoreUInt(tagCatchainConfig2, 8).StoreUInt(2, 8).StoreZeros(96).StoreUInt(9, 32), CatchainConfig{IsolateMcValidators: true, ShardValidatorsNum: 9}, nil},
		{"c2 unknown flag", cell.BeginCell().StoreUInt(tagCatchainConfig2, 8).StoreUInt(4, 8).StoreZeros(128), CatchainConfig{}, ErrInvalid},
		{"unknown tag", cell.BeginCell().StoreUInt(0xc3, 8).StoreZeros(128), CatchainConfig{}, ErrUnknownTag},
	}
	for _, tc := range tests {
		got, err := parseCatchainConfig(must(tc.b.EndCell()))
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && (err != nil || got != tc.want)) {
			t.Errorf("%s: %+v, %v", tc.name, got, err)
		}
	}
}

// TestMcSubsetWorkchains checks the masterchain's share of validators on a
// network with several workchains: each validator's node id assigns it a
// workchain, and the masterchain takes its own and those of workchains the
// network lacks.
func TestMcSubsetWorkchains(t *testing.T) {
	vals := testValidators(7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
	vs := &ValidatorSet{Total: uint16(len(vals)), Main: uint16(len(vals))}
	var own int
	for _, v := range vals {
		vs.List = append(vs.List, v.descr())
		if wc := workchainOf(v.descr()); wc == Masterchain || wc >= 2 {
			own++
		}
	}
	subset, _, err := vs.McSubset(CatchainConfig{}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(subset) != own || own == 0 || own == len(vals) {
		t.Fatalf("%d of %d validators in the subset, %d belong to the masterchain", len(subset), len(vals), own)
	}
	if _, _, err := vs.McSubset(CatchainConfig{ShardValidatorsNum: uint32(own + 1)}, 2, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("too few masterchain validators: %v", err)
	}
}

func TestNames(t *testing.T) {
	id := BlockID{Shard: wc0, SeqNo: 5, RootHash: [32]byte{0xab}}
	if got := id.String(); got != "(0:8000000000000000, 5, rh ab00000000000000000000000000000000000000000000000000000000000000)" {
		t.Errorf("BlockID %q", got)
	}
	if MasterchainShard.PrefixLen() != 0 || (ShardID{0, 0x18 << 56}).PrefixLen() != 4 {
		t.Error("prefix lengths")
	}
}
