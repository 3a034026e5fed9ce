package spdxdoc

import (
	"strings"

	"github.com/spdx/tools-golang/spdx/v2/common"
)

// Relationship types the document uses.
const (
	// DescendantOf: the image built starts from this image (the final
	// stage's base), for one platform.
	DescendantOf = common.TypeRelationshipDescendantOf
	// BuildDependencyOf: the build reads this image otherwise (other
	// stages' bases, COPY --from, RUN --mount=from).
	BuildDependencyOf = common.TypeRelationshipBuildDependencyOf
	// DependsOn relates the image built (or a crate) to a crate it needs.
	DependsOn = common.TypeRelationshipDependsOn
)

// Annotation comments on the root package that record the build's inputs.
// Each is "KEY=VALUE"; the build arguments are "build-arg:NAME=VALUE".
const (
	AnnotFile     = "file"
	AnnotPlatform = "platform"
	AnnotTarget   = "target"
	AnnotBuildArg = "build-arg:"
	// AnnotCargoLock records the Cargo.lock the crates come from.
	AnnotCargoLock = "cargo-lock"
)

// RootID is the SPDX id of the image being built.
const RootID = common.ElementID("Package-Root")

// CargoPurlPrefix starts the purl of every crate.
const CargoPurlPrefix = "pkg:cargo/"

// PurlKey drops the version (the digest) from an OCI purl, leaving what
// Diff matches images by.
func PurlKey(purl string) string {
	at := strings.IndexByte(purl, '@')
	if at < 0 {
		return purl
	}
	rest := purl[at:]
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		return purl[:at] + rest[q:]
	}
	return purl[:at]
}

// EdgeEntry is a dependency between two crates: it has no digest of its
// own, the crates' entries carry theirs.
func EdgeEntry(from, to string) Entry {
	return Entry{Key: from + " " + DependsOn + " " + to}
}

// IsCrate tells a crate's entry (or a dependency between crates) from an
// image's.
func IsCrate(e Entry) bool { return strings.HasPrefix(e.Key, CargoPurlPrefix) }
