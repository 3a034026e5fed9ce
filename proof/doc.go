// Package proof puts the on-chain half of a signature on an Everscale
// network: the proof contract of (signer's public key, image digest), whose
// address only that key can deploy to and which can never change.
//
// A Deployer funds a proof's address from a wallet when it holds too little,
// sends the signed deploy message, replaces a message that expired
// unprocessed, and reads the state back after every step, so that running it
// again, after an interruption or beside another Deployer of the same proof,
// completes what was left and never deploys twice or pays twice. Check
// verifies many proofs with one batched account query.
package proof
