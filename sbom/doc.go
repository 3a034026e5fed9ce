// Package sbom writes and checks the software bill of materials of an image
// build: an SPDX 2.3 JSON document that names every image the build reads,
// each pinned by its manifest digest, so that it serves as the build's lock
// file.
//
// Generate reads a Dockerfile (through BuildKit's own Dockerfile frontend,
// dockerfile2llb) or a goshfile (through goshfile.Translate), lets the
// frontend ask a Resolver for each image it needs (base images, images in
// COPY --from and RUN --mount=from, for each platform), and describes what
// the resulting LLB reads. The same inputs and the same registry content
// give the same bytes: packages are sorted, identifiers derive from package
// URLs, the creation time comes from SOURCE_DATE_EPOCH (or is the Unix
// epoch), and the namespace is a hash of the inputs.
//
// Diff and Verify compare two documents as sets of (package URL without its
// digest, checksum, relationship) and never as bytes, so that formatting and
// tool versions do not matter, only the images.
//
// The format is described in docs/sbom.md.
package sbom
