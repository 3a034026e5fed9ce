// Package spdxdoc reads, writes and compares the SBOM of an image build: an
// SPDX 2.3 JSON document whose root package is the image built and whose
// other packages are the images (and Cargo crates) the build reads, each
// pinned by a SHA256 checksum. It holds no build code, so that what only
// reads SBOMs (sign --attest, sbom show, check --attestation) links none;
// package sbom makes these documents from builds and uses them as locks.
//
// Diff compares two documents as sets of (package URL without its digest,
// checksum, relationship) and never as bytes, so that formatting and tool
// versions do not matter, only what is pinned. The format is described in
// docs/sbom.md.
package spdxdoc
