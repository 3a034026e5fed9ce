package devnet

import (
	"encoding/hex"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"time"

	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/devnet/chain"
)

// The GraphQL types of blocks: Block and what it holds, and
// BlockSignatures.

// blockStatusFinalized is BlockProcessingStatusEnum's Finalized: the
// emulator serves blocks once they are signed.
const blockStatusFinalized = 2

// inMsgTypeNames are InMsgTypeEnum's names by msg_type.
var inMsgTypeNames = []string{"External", "Ihr", "Immediately", "Final", "Transit", "DiscardedFinal", "DiscardedTransit"}

// shardHex is a shard prefix as the API writes it: 16 hex digits.
func shardHex(s chainproof.ShardID) string { return fmt.Sprintf("%016x", s.Prefix) }

func utimeString(u uint32) string {
	return time.Unix(int64(u), 0).UTC().Format("2006-01-02 15:04:05.000")
}

func u64(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

// blockType is Block.
var blockType = &objectType[*Block]{name: "Block", fields: withNulls(whichBlock(map[string]field[*Block]{
	"key_block":                     {get: func(b *Block) any { return b.Info.KeyBlock }, filter: true},
	"after_split":                   {get: func(b *Block) any { return b.Info.AfterSplit }, filter: true},
	"after_merge":                   {get: func(b *Block) any { return b.Info.AfterMerge }, filter: true},
	"before_split":                  {get: func(b *Block) any { return b.Info.BeforeSplit }, filter: true},
	"want_split":                    {get: func(*Block) any { return false }},
	"want_merge":                    {get: func(*Block) any { return false }},
	"start_lt":                      {get: func(b *Block) any { return u64(b.Info.StartLT) }, filter: true},
	"end_lt":                        {get: func(b *Block) any { return u64(b.Info.EndLT) }, filter: true},
	"prev_key_block_seqno":          {get: func(b *Block) any { return float64(b.Info.PrevKeyBlockSeqNo) }, filter: true},
	"gen_catchain_seqno":            {get: func(b *Block) any { return float64(b.Info.GenCatchainSeqNo) }},
	"gen_validator_list_hash_short": {get: func(b *Block) any { return float64(b.Info.GenValidatorListHashShort) }},
	"min_ref_mc_seqno":              {get: func(b *Block) any { return float64(b.Info.MinRefMcSeqNo) }},
	"master_seq_no":                 {get: func(b *Block) any { return float64(b.MasterSeqNo) }, filter: true},
	"global_id":                     {get: func(*Block) any { return int(chain.GlobalID) }},
	"version":                       {get: func(*Block) any { return 0.0 }},
	"vert_seq_no":                   {get: func(*Block) any { return 0.0 }},
	"flags":                         {get: func(*Block) any { return 0 }},
	"status":                        {get: func(*Block) any { return blockStatusFinalized }, filter: true},
	"status_name":                   {get: func(*Block) any { return "Finalized" }},
	"tr_count":                      {get: func(b *Block) any { return len(b.txs) }},
	"boc":                           {get: func(b *Block) any { return boc(b.BOC) }},
	"file_hash":                     {get: func(b *Block) any { return hexID(b.Block.ID.FileHash) }, filter: true},
	"prev_ref": {get: func(b *Block) any { return extBlkRefType.resolver(b.Info.Prev[0]) },
		nested: func(b *Block) fieldGetter { return extBlkRefType.getter(b.Info.Prev[0]) }},
	// The devnet's shards never merge: there is no second previous block.
	"prev_alt_ref": {get: func(*Block) any { return nil },
		nested: func(*Block) fieldGetter { return nullGetter(extBlkRefType) }},
	"master_ref": {get: func(b *Block) any {
		if b.Info.MasterRef == nil {
			return nil
		}
		return extBlkRefType.resolver(*b.Info.MasterRef)
	}},
	"in_msg_descr":   {get: func(b *Block) any { return inMsgResolvers(b.txs) }},
	"account_blocks": {get: func(b *Block) any { return accountBlockResolvers(b.txs) }},
	"master": {get: func(b *Block) any {
		if b.Shard == nil {
			return nil
		}
		return blockMasterType.resolver(b)
	}},
	"signatures": {get: func(b *Block) any {
		if b.Signatures == nil {
			return nil
		}
		return blockSignaturesType.resolver(b)
	}},
}), "prev_vert_ref", "prev_vert_alt_ref", "out_msg_descr", "gen_software_version", "gen_software_capabilities",
	"created_by", "rand_seed", "chain_order", "state_update", "value_flow")}

// whichBlock adds to fields those that Block and BlockSignatures share:
// which block it is.
func whichBlock(fields map[string]field[*Block]) map[string]field[*Block] {
	maps.Copy(fields, map[string]field[*Block]{
		"id":               {get: func(b *Block) any { return b.ID }, filter: true},
		"seq_no":           {get: func(b *Block) any { return float64(b.Info.SeqNo) }, filter: true},
		"workchain_id":     {get: func(b *Block) any { return int(b.Info.Shard.Workchain) }, filter: true},
		"shard":            {get: func(b *Block) any { return shardHex(b.Info.Shard) }, filter: true},
		"gen_utime":        {get: func(b *Block) any { return float64(b.Info.GenUtime) }, filter: true},
		"gen_utime_string": {get: func(b *Block) any { return utimeString(b.Info.GenUtime) }},
	})
	return fields
}

// nullGetter reads every field of typ as absent-valued: a null object
// matches no condition on its fields.
func nullGetter[T any](typ *objectType[T]) fieldGetter {
	return func(name string) (any, bool) {
		fd, ok := typ.fields[name]
		if !ok || !fd.filter {
			return nil, false
		}
		return nil, true
	}
}

// extBlkRefType is ExtBlkRef.
var extBlkRefType = &objectType[chainproof.ExtBlkRef]{name: "ExtBlkRef", fields: map[string]field[chainproof.ExtBlkRef]{
	"end_lt":    {get: func(r chainproof.ExtBlkRef) any { return u64(r.EndLT) }, filter: true},
	"seq_no":    {get: func(r chainproof.ExtBlkRef) any { return float64(r.SeqNo) }, filter: true},
	"root_hash": {get: func(r chainproof.ExtBlkRef) any { return hexID(r.RootHash) }, filter: true},
	"file_hash": {get: func(r chainproof.ExtBlkRef) any { return hexID(r.FileHash) }, filter: true},
}}

// inMsg is one entry of a block's in_msg_descr.
type inMsg struct {
	tx   *Transaction
	kind int
}

var inMsgType = &objectType[inMsg]{name: "InMsg", fields: withNulls(map[string]field[inMsg]{
	"msg_id":         {get: func(m inMsg) any { return m.tx.InMsg }},
	"transaction_id": {get: func(m inMsg) any { return m.tx.ID }},
	"msg_type":       {get: func(m inMsg) any { return m.kind }},
	"msg_type_name":  {get: func(m inMsg) any { return inMsgTypeNames[m.kind] }},
	"fwd_fee":        {get: func(inMsg) any { return new(big.Int) }},
}, "ihr_fee", "in_msg", "out_msg", "proof_created", "proof_delivered", "transit_fee")}

// inMsgResolvers lists the messages a shard block's transactions took:
// external ones, internal ones sent in the same block (Immediately) and
// the others (Final).
func inMsgResolvers(txs []*Transaction) []resolver {
	sent := map[string]bool{}
	for _, t := range txs {
		for _, id := range t.OutMsgs {
			sent[id] = true
		}
	}
	var out []resolver
	for _, t := range txs {
		if t.InMsg == "" {
			continue
		}
		kind := 3
		switch {
		case t.inMessage != nil && t.inMessage.Kind == ExternalIn:
			kind = 0
		case sent[t.InMsg]:
			kind = 2
		}
		out = append(out, inMsgType.resolver(inMsg{tx: t, kind: kind}))
	}
	return out
}

// accountBlock is one account's part of a shard block.
type accountBlock struct {
	addr string
	txs  []*Transaction
}

var accountBlockType = &objectType[accountBlock]{name: "BlockAccountBlocks", fields: withNulls(map[string]field[accountBlock]{
	"account_addr": {get: func(a accountBlock) any { return address(a.addr) }},
	"tr_count":     {get: func(a accountBlock) any { return len(a.txs) }},
	"transactions": {get: func(a accountBlock) any {
		out := make([]resolver, len(a.txs))
		for i, t := range a.txs {
			out[i] = accountBlockTxType.resolver(t)
		}
		return out
	}},
}, "old_hash", "new_hash")}

var accountBlockTxType = &objectType[*Transaction]{name: "BlockAccountBlocksTransactions", fields: withNulls(map[string]field[*Transaction]{
	"lt":             {get: func(t *Transaction) any { return u64(t.Lt) }},
	"transaction_id": {get: func(t *Transaction) any { return t.ID }},
	"total_fees":     {get: func(t *Transaction) any { return coins(t.TotalFees) }},
}, "total_fees_other")}

// accountBlockResolvers groups a block's transactions by account, in the
// order of account addresses, each account's in lt order.
func accountBlockResolvers(txs []*Transaction) []resolver {
	by := map[string][]*Transaction{}
	var addrs []string
	for _, t := range txs {
		if _, ok := by[t.Account]; !ok {
			addrs = append(addrs, t.Account)
		}
		by[t.Account] = append(by[t.Account], t)
	}
	slices.Sort(addrs)
	out := make([]resolver, len(addrs))
	for i, a := range addrs {
		out[i] = accountBlockType.resolver(accountBlock{addr: a, txs: by[a]})
	}
	return out
}

// blockMasterType is BlockMaster: a masterchain block's shard_hashes.
var blockMasterType = &objectType[*Block]{name: "BlockMaster", fields: withNulls(map[string]field[*Block]{
	"shard_hashes":        {get: func(b *Block) any { return []resolver{shardHashesType.resolver(b)} }},
	"min_shard_gen_utime": {get: func(b *Block) any { return float64(b.Info.GenUtime) }},
	"max_shard_gen_utime": {get: func(b *Block) any { return float64(b.Info.GenUtime) }},
}, "config", "config_addr", "prev_blk_signatures", "recover_create_msg", "shard_fees",
	"min_shard_gen_utime_string", "max_shard_gen_utime_string")}

var shardHashesType = &objectType[*Block]{name: "BlockMasterShardHashes", fields: map[string]field[*Block]{
	"workchain_id": {get: func(*Block) any { return 0 }},
	"shard":        {get: func(*Block) any { return "8000000000000000" }},
	"descr":        {get: func(b *Block) any { return shardDescrType.resolver(b.Shard) }},
}}

var shardDescrType = &objectType[*chainproof.ShardDescr]{name: "BlockMasterShardHashesDescr", fields: withNulls(map[string]field[*chainproof.ShardDescr]{
	"seq_no":          {get: func(d *chainproof.ShardDescr) any { return float64(d.SeqNo) }},
	"reg_mc_seqno":    {get: func(d *chainproof.ShardDescr) any { return float64(d.RegMcSeqNo) }},
	"start_lt":        {get: func(d *chainproof.ShardDescr) any { return u64(d.StartLT) }},
	"end_lt":          {get: func(d *chainproof.ShardDescr) any { return u64(d.EndLT) }},
	"root_hash":       {get: func(d *chainproof.ShardDescr) any { return hexID(d.RootHash) }},
	"file_hash":       {get: func(d *chainproof.ShardDescr) any { return hexID(d.FileHash) }},
	"before_split":    {get: func(*chainproof.ShardDescr) any { return false }},
	"before_merge":    {get: func(*chainproof.ShardDescr) any { return false }},
	"want_split":      {get: func(*chainproof.ShardDescr) any { return false }},
	"want_merge":      {get: func(*chainproof.ShardDescr) any { return false }},
	"nx_cc_updated":   {get: func(*chainproof.ShardDescr) any { return false }},
	"flags":           {get: func(*chainproof.ShardDescr) any { return 0 }},
	"split_type":      {get: func(*chainproof.ShardDescr) any { return 0 }},
	"split_type_name": {get: func(*chainproof.ShardDescr) any { return "None" }},
	"fees_collected":  {get: func(*chainproof.ShardDescr) any { return new(big.Int) }},
	"funds_created":   {get: func(*chainproof.ShardDescr) any { return new(big.Int) }},
}, "gen_utime", "gen_utime_string", "min_ref_mc_seqno", "next_catchain_seqno", "next_validator_shard", "split",
	"fees_collected_other", "funds_created_other")}

// blockSignaturesType is BlockSignatures, of a masterchain block.
var blockSignaturesType = &objectType[*Block]{name: "BlockSignatures", fields: whichBlock(map[string]field[*Block]{
	"catchain_seqno":            {get: func(b *Block) any { return float64(b.Signatures.CatchainSeqNo) }, filter: true},
	"validator_list_hash_short": {get: func(b *Block) any { return float64(b.Signatures.ValidatorListHashShort) }, filter: true},
	"sig_weight":                {get: func(b *Block) any { return u64(b.Signatures.Weight) }},
	"proof":                     {get: func(b *Block) any { return boc(b.proof()) }},
	"signatures": {get: func(b *Block) any {
		out := make([]resolver, len(b.Signatures.List))
		for i, s := range b.Signatures.List {
			out[i] = signatureType.resolver(s)
		}
		return out
	}},
})}

// A block's signatures name their block, and the block its signatures.
func init() {
	blockSignaturesType.fields["block"] = field[*Block]{get: func(b *Block) any { return blockType.resolver(b) }}
}

var signatureType = &objectType[chainproof.Signature]{name: "BlockSignaturesSignatures", fields: map[string]field[chainproof.Signature]{
	"node_id": {get: func(s chainproof.Signature) any { return hex.EncodeToString(s.NodeIDShort[:]) }},
	"r":       {get: func(s chainproof.Signature) any { return hex.EncodeToString(s.Sig[:32]) }},
	"s":       {get: func(s chainproof.Signature) any { return hex.EncodeToString(s.Sig[32:]) }},
}}
