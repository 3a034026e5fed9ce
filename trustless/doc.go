// Package trustless checks proofs without trusting the GraphQL endpoint
// that serves them. For each proof it fetches the transaction that
// constructed the proof contract, the shard block that holds it, the
// masterchain block that commits that shard block with its validators'
// signatures, and the key blocks from a trust anchor to that masterchain
// block, and verifies each link with package chainproof. The proof's data
// (key, content, signing time, deployment time) is rebuilt from the proven
// transaction's inbound message, never read from the account the endpoint
// describes.
//
// What cannot be proven fails closed: a verdict is either verified, on
// evidence that leads back to the anchor, or an error that says which link
// was missing. A trustless check never says "not signed": nothing proves
// that a transaction does not exist.
//
// A run shares what its proofs need: each block is fetched and verified
// once however many proofs it holds, and key blocks verified once are kept
// on disk (KeyBlockCache) and verified again from the anchor when read.
package trustless
