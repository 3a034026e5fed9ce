// Package cargo prepares the Rust crates a Cargo.lock names so that a build
// can compile them with no network: it reads Cargo.lock, fetches exactly the
// locked crates from a sparse registry (crates.io's index by default), checks
// every .crate against the lock's SHA-256, keeps them in a content-addressed
// cache, and lays them out as a cargo local-registry directory with the
// .cargo/config.toml that replaces crates.io with it.
//
// A local registry is cargo's supported source replacement, so nothing here
// imitates cargo's private CARGO_HOME layout, which changes between cargo
// releases. Cargo itself checks each .crate against Cargo.lock again when it
// unpacks it.
//
// Registries are untrusted: every answer is bounded in size, requests run
// with bounded parallelism, and a crate whose bytes do not hash to the
// lock's checksum stops the whole preparation (ErrChecksum).
package cargo
