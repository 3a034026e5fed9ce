// Package image names container images and reaches the registries that hold
// them and their cosign signatures.
//
// A Target is what gets signed or checked: an image reference, or a bare
// manifest digest (ParseTarget, ParseDigest). A Registry resolves tags to
// digests, reads labels, and reads, writes and verifies signatures in the
// format cosign uses (a simple-signing payload per signature, in the image's
// sha256-<hex>.sig artifact), so that a signature made here is accepted by
// `cosign verify --key` and by the policy engines that read the same
// artifacts. Plain HTTP is used only for loopback registries unless
// Registry.Insecure is set.
//
// Signatures live here rather than in a package of their own because they
// are written and read through the Registry's shared, authenticated
// transports and its classification of registry failures.
//
// Errors do not name the Target a method was given: the caller, which chose
// it, names it. They name what the method found itself: the URL a registry
// refused, or the .sig tag it derived.
package image
