package sbom

import (
	"io"

	"github.com/spdx/tools-golang/spdx"

	"github.com/gosh-sh/sign-cli/sbom/spdxdoc"
)

// The document itself (reading, writing, comparing) lives in spdxdoc, which
// links no build code; these names let the code that builds use one
// package.

type (
	// Entry is spdxdoc.Entry: one pinned image or crate.
	Entry = spdxdoc.Entry
	// Change is spdxdoc.Change: an image pinned to another digest.
	Change = spdxdoc.Change
	// Difference is spdxdoc.Difference: how two SBOMs differ.
	Difference = spdxdoc.Difference
)

// Relationship types the document uses, and the largest SBOM Read accepts.
const (
	DescendantOf      = spdxdoc.DescendantOf
	BuildDependencyOf = spdxdoc.BuildDependencyOf
	DependsOn         = spdxdoc.DependsOn
	MaxSize           = spdxdoc.MaxSize
)

// Read is spdxdoc.Read: an SPDX 2.3 JSON SBOM of an image build.
func Read(r io.Reader) (*spdx.Document, error) { return spdxdoc.Read(r) }

// Write is spdxdoc.Write.
func Write(w io.Writer, doc *spdx.Document) error { return spdxdoc.Write(w, doc) }

// Marshal is spdxdoc.Marshal.
func Marshal(doc *spdx.Document) ([]byte, error) { return spdxdoc.Marshal(doc) }

// Platforms is spdxdoc.Platforms: the target platforms an SBOM records.
func Platforms(doc *spdx.Document) ([]string, error) { return spdxdoc.Platforms(doc) }

// Diff is spdxdoc.Diff: the images two SBOMs pin, compared as sets.
func Diff(old, new *spdx.Document) (*Difference, error) { return spdxdoc.Diff(old, new) }

// RecordBuilt is spdxdoc.RecordBuilt.
func RecordBuilt(doc *spdx.Document, name, identity string) {
	spdxdoc.RecordBuilt(doc, name, identity)
}

// Built is spdxdoc.Built.
func Built(doc *spdx.Document) map[string]string { return spdxdoc.Built(doc) }

const (
	annotFile       = spdxdoc.AnnotFile
	annotPlatform   = spdxdoc.AnnotPlatform
	annotTarget     = spdxdoc.AnnotTarget
	annotBuildArg   = spdxdoc.AnnotBuildArg
	annotCargoLock  = spdxdoc.AnnotCargoLock
	rootID          = spdxdoc.RootID
	cargoPurlPrefix = spdxdoc.CargoPurlPrefix
)

var (
	entries     = spdxdoc.Entries
	diffEntries = spdxdoc.DiffEntries
	sortEntries = spdxdoc.SortEntries
	sortChanges = spdxdoc.SortChanges
	isCrate     = spdxdoc.IsCrate
	edgeEntry   = spdxdoc.EdgeEntry
)
