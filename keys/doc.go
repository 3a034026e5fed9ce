// Package keys holds the Ed25519 keys sign-cli signs with, in every form
// Everscale tools hand them out: a hex seed (the secret of a key pair), a
// NaCl secret, a key-file JSON as ever-cli writes it, a BIP-39 seed phrase
// derived along ever-sdk's HD path, and a 24-word legacy TON seed phrase
// derived as nekoton and TON wallets do. It reads and writes key files and
// never prints a secret. It has no network dependency.
package keys
