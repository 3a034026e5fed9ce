// Package chainproof verifies Everscale chain data without trusting the
// endpoint that served it: a masterchain block by its validators'
// signatures, the validators by a chain of key blocks back to a trust
// anchor, a shard block by its place in a masterchain block, and a
// transaction by its place in a shard block.
//
// What is trusted: the anchors, a list of (seq_no, root hash) key blocks
// per network embedded in the binary, and the caller's choice of network.
// Nothing read from the network is trusted: not the zerostate, not the
// network's name for itself, not a block's claims about its validators.
//
// What is verified, for a masterchain block proof:
//   - the Merkle proof hashes to the block's root hash, and the block info
//     it holds matches the block id (seq_no, shard, flags);
//   - the validator set (config param 34) and catchain config (param 28)
//     come from the key block the block names as its previous key block,
//     which must be older and itself verified;
//   - the validator subset is computed as the network does (shuffled when
//     the catchain config says so) and its short list hash must equal the
//     one the signatures and the block declare;
//   - each signature is Ed25519 over 0x706e0bc5 || root_hash || file_hash by
//     a distinct member of the subset, and the signers' weight is more than
//     two thirds of the subset's.
//
// A key block becomes trusted when it is an anchor of the chosen network
// or is signed, as above, by the validators of the previous trusted key
// block. Everything is read from Merkle proofs without ever looking
// inside a pruned branch: a read that would need one fails with ErrPruned.
//
// Not covered: an account's current state (endpoints serve no state
// proofs), and proving that something is absent.
package chainproof
