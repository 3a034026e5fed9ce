// Package signature holds what sign-cli signs with and what it signs: Ed25519
// keys in every form Everscale tools hand them out (hex seed, NaCl secret,
// key-file JSON, BIP-39 seed phrase), container image references resolved to
// manifest digests, and registry signatures in the format cosign writes and
// verifies, so that a signature made here is accepted by `cosign verify --key`
// and by the policy engines that read the same artifacts.
package signature
