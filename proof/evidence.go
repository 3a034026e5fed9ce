package proof

// Evidence is what a verdict of a trustless check rests on instead of an
// endpoint's word: the chain data it verified, from the transaction that
// constructed the proof back to a trust anchor the user chose.
type Evidence struct {
	// Transaction is the hash of the transaction that constructed the
	// proof, whose inbound external message carried the signed
	// constructor call.
	Transaction string `json:"transaction"`
	// ShardBlock holds the transaction (account_blocks).
	ShardBlock BlockRef `json:"shard_block"`
	// MasterBlock commits ShardBlock (shard_hashes, then prev_ref) and is
	// signed by more than two thirds of the validators of KeyBlock.
	MasterBlock BlockRef `json:"master_block"`
	// KeyBlock is the seq_no of the key block whose validators signed
	// MasterBlock, reached from Anchor by verified key blocks.
	KeyBlock uint32 `json:"key_block"`
	// Anchor is the trusted key block: "NETWORK SEQNO:ROOT_HASH".
	Anchor string `json:"anchor"`
}

// BlockRef names a block.
type BlockRef struct {
	Shard    string `json:"shard"` // "workchain:prefix hex"
	SeqNo    uint32 `json:"seq_no"`
	RootHash string `json:"root_hash"`
}
