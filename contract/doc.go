// Package contract holds sign-cli's proof contract and the wallets that pay
// for it.
//
// A proof is a small contract whose address is derived from its code, the
// signer's public key and the signed content (for images the manifest
// digest). Only a message signed by that key can construct it, and the
// signature covers the address, so it cannot be replayed onto other content
// or another key. Once constructed its data never changes: its existence,
// its data and its deployment time are the proof. docs/proof-contract.md
// describes its layout, rules and threat model.
//
// The package embeds the FunC sources' compiled code (proof.code.boc,
// giver.code.boc, rebuilt by `make contract`) and their ABI JSON, and
// builds with them: the StateInit, address and signed deploy message of a
// Proof; the decoding of a proof account as the GraphQL API returns it; and
// the signed transfer messages of the wallets that can fund a proof address
// (multisig wallets, Everscale's givers and the package's own giver for
// local networks).
//
// Messages are encoded by package abi from each contract's ABI JSON (the
// wallets' are embedded from wallets/), so every call follows the rules of
// its contract's ABI version: cells split by actual sizes (2.0, 2.1) or by
// maximum sizes (2.2 and later), and a signature over the unsigned body (up
// to 2.2) or over the destination address followed by it (2.3 and later).
// Signers are crypto.Signers with Ed25519 keys, so a key need not be in
// memory.
package contract
