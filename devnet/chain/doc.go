// Package chain produces the devnet's blocks: a small but real Everscale
// chain that a verifier (package chainproof) and Everscale's own parsers
// accept. One validator with an Ed25519 key signs it; one masterchain key
// block at the start fixes that validator (config param 34) and how it is
// chosen (param 28); then every batch of transactions makes a block of
// the one shard of workchain 0, holding the transactions in its
// account_blocks and the messages they took in its in_msg_descr, and a
// masterchain block that names the shard block in its shard_hashes and
// that the validator signs.
//
// The parts of a block that nothing here reads back are empty but
// well-formed (value flow, out_msg_descr, shard fees), and the shard
// states are not kept: each block's state_update names its states by
// pruned branches, chained from block to block, so that the update is a
// valid MERKLE_UPDATE without the emulator keeping shard states.
package chain
