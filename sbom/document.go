package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// namespaceBase prefixes every document namespace.
const namespaceBase = "https://spdx.gosh.sh/sign-cli/sbom/"

// newDocument assembles the document of a build.
func newDocument(opt Options, plats []ocispecs.Platform, images []image) *spdx.Document {
	created := opt.Created
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	date := created.UTC().Format(time.RFC3339)
	tool := opt.Tool
	if tool == "" {
		tool = "sign-cli"
	}
	name := opt.Name
	if name == "" {
		name = "image"
	}

	root := &spdx.Package{
		PackageName:             name,
		PackageSPDXIdentifier:   rootID,
		PackageDownloadLocation: "NOASSERTION",
		PrimaryPackagePurpose:   "CONTAINER",
	}
	var notes []string
	notes = append(notes, annotFile+"="+opt.Filename)
	for _, p := range plats {
		notes = append(notes, annotPlatform+"="+platforms.FormatAll(p))
	}
	if opt.Target != "" {
		notes = append(notes, annotTarget+"="+opt.Target)
	}
	for _, k := range sortedKeys(opt.BuildArgs) {
		notes = append(notes, annotBuildArg+k+"="+opt.BuildArgs[k])
	}
	for _, n := range notes {
		root.Annotations = append(root.Annotations, spdx.Annotation{
			Annotator:         common.Annotator{Annotator: tool, AnnotatorType: "Tool"},
			AnnotationDate:    date,
			AnnotationType:    "OTHER",
			AnnotationComment: n,
		})
	}

	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   name,
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{Creator: tool, CreatorType: "Tool"}},
			Created:  date,
		},
		Packages: []*spdx.Package{root},
		Relationships: []*spdx.Relationship{{
			RefA:         common.MakeDocElementID("", "DOCUMENT"),
			RefB:         common.MakeDocElementID("", string(rootID)),
			Relationship: common.TypeRelationshipDescribe,
		}},
	}

	pkgs := map[string]*spdx.Package{}
	rels := map[string]*spdx.Relationship{}
	for _, im := range images {
		purl := im.purl()
		p := pkgs[purl]
		if p == nil {
			p = imagePackage(im, purl)
			pkgs[purl] = p
		}
		r := &spdx.Relationship{
			RefA:         common.MakeDocElementID("", string(p.PackageSPDXIdentifier)),
			RefB:         common.MakeDocElementID("", string(rootID)),
			Relationship: BuildDependencyOf,
		}
		if im.base {
			r = &spdx.Relationship{
				RefA:         common.MakeDocElementID("", string(rootID)),
				RefB:         common.MakeDocElementID("", string(p.PackageSPDXIdentifier)),
				Relationship: DescendantOf,
			}
		}
		rels[relString(r)] = r
	}
	for _, k := range sortedKeys(pkgs) {
		doc.Packages = append(doc.Packages, pkgs[k])
	}
	for _, k := range sortedKeys(rels) {
		doc.Relationships = append(doc.Relationships, rels[k])
	}
	doc.DocumentNamespace = namespace(name, notes, opt.Data, sortedKeys(pkgs))
	return doc
}

func imagePackage(im image, purl string) *spdx.Package {
	p := &spdx.Package{
		PackageName:             im.refName(),
		PackageSPDXIdentifier:   packageID(im.purlName(), purl),
		PackageVersion:          im.manifest.String(),
		PackageDownloadLocation: "NOASSERTION",
		PackageChecksums:        []common.Checksum{{Algorithm: common.SHA256, Value: im.manifest.Encoded()}},
		PackageExternalReferences: []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager,
			RefType:  common.TypePackageManagerPURL,
			Locator:  purl,
		}},
		PrimaryPackagePurpose: "CONTAINER",
	}
	if im.index != "" {
		p.PackageComment = "index " + im.index.String()
	}
	return p
}

// packageID derives an SPDX id from a purl: readable, and unique because it
// ends in a hash of the whole purl.
func packageID(name, purl string) common.ElementID {
	sum := sha256.Sum256([]byte(purl))
	return common.ElementID("Package-oci-" + idSafe(name) + "-" + hex.EncodeToString(sum[:8]))
}

// idSafe keeps the characters an SPDX id may hold.
func idSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '-'
	}, s)
}

// namespace is unique to the inputs and the images: the same build with
// the same images has the same namespace, and nothing random goes in.
func namespace(name string, notes []string, data []byte, purls []string) string {
	h := sha256.New()
	for _, part := range [][]string{notes, purls} {
		for _, s := range part {
			fmt.Fprintf(h, "%d:%s\n", len(s), s)
		}
	}
	fileSum := sha256.Sum256(data)
	h.Write(fileSum[:])
	return namespaceBase + idSafe(name) + "-" + hex.EncodeToString(h.Sum(nil))[:32]
}

func relString(r *spdx.Relationship) string {
	return common.RenderDocElementID(r.RefA) + " " + r.Relationship + " " + common.RenderDocElementID(r.RefB)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
