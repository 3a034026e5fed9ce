package sbom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"

	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/dockerbuild"
)

// cratePurl is the crate's package URL; the version is part of what a
// crate is, so it stays in the entry's key.
func cratePurl(c cargo.Crate) string {
	return cargoPurlPrefix + c.Name + "@" + c.Version
}

// lockedCrates reads a Cargo.lock as the SBOM records it: its registry
// crates and the dependencies on them. Anything that cannot be pinned by a
// checksum (a git dependency, above all) is ErrNotLocked.
func lockedCrates(name string, data []byte) ([]cargo.Crate, []cargo.Edge, error) {
	l, err := cargo.ParseLock(data)
	if err != nil {
		return nil, nil, invalidf("%s: %v", name, err)
	}
	crates, err := l.Crates()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrNotLocked, name, strings.TrimPrefix(err.Error(), cargo.ErrNotLocked.Error()+": "))
	}
	edges, err := l.Edges()
	if err != nil {
		return nil, nil, invalidf("%s: %v", name, err)
	}
	return crates, edges, nil
}

// addCrates adds to doc one package per crate opt.CargoLock pins, with its
// download location, and a DEPENDS_ON relationship per dependency on one:
// from the root for the workspace's own packages, from a crate otherwise.
func addCrates(ctx context.Context, doc *spdx.Document, opt Options) error {
	if opt.CargoLock == nil {
		return nil
	}
	crates, edges, err := lockedCrates(opt.CargoLockName, opt.CargoLock)
	if err != nil {
		return err
	}
	reg := opt.CargoRegistry
	if reg == nil {
		if reg, err = cargo.NewRegistry("", cargo.RegistryOptions{}); err != nil {
			return err
		}
	}
	root := doc.Packages[0]
	root.Annotations = append(root.Annotations, spdx.Annotation{
		Annotator:         root.Annotations[0].Annotator,
		AnnotationDate:    root.Annotations[0].AnnotationDate,
		AnnotationType:    "OTHER",
		AnnotationComment: annotCargoLock + "=" + opt.CargoLockName,
	})
	ids := map[string]common.ElementID{}
	h := sha256.New()
	h.Write([]byte(doc.DocumentNamespace))
	for _, c := range crates {
		dl, err := reg.DownloadURL(ctx, c)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrResolve, err)
		}
		purl := cratePurl(c)
		id := crateID(c, purl)
		ids[c.String()] = id
		doc.Packages = append(doc.Packages, &spdx.Package{
			PackageName:             c.Name,
			PackageSPDXIdentifier:   id,
			PackageVersion:          c.Version,
			PackageDownloadLocation: dl,
			PackageChecksums:        []common.Checksum{{Algorithm: common.SHA256, Value: c.Checksum}},
			PackageExternalReferences: []*spdx.PackageExternalReference{{
				Category: common.CategoryPackageManager,
				RefType:  common.TypePackageManagerPURL,
				Locator:  purl,
			}},
			PrimaryPackagePurpose: "LIBRARY",
		})
		fmt.Fprintf(h, "%s %s\n", purl, c.Checksum)
	}
	for _, e := range edges {
		from := rootID
		if e.From != nil {
			from = ids[e.From.String()]
		}
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA:         common.MakeDocElementID("", string(from)),
			RefB:         common.MakeDocElementID("", string(ids[e.To.String()])),
			Relationship: DependsOn,
		})
	}
	sortDocument(doc)
	doc.DocumentNamespace = namespaceBase + idSafe(doc.DocumentName) + "-" + hex.EncodeToString(h.Sum(nil))[:32]
	return nil
}

// crateID is the SPDX id of a crate: readable, and unique because it ends
// in a hash of the purl.
func crateID(c cargo.Crate, purl string) common.ElementID {
	sum := sha256.Sum256([]byte(purl))
	return common.ElementID("Package-cargo-" + idSafe(c.Name) + "-" + hex.EncodeToString(sum[:8]))
}

// sortDocument puts the packages after the root in purl order and the
// relationships after DESCRIBES in text order, as newDocument does.
func sortDocument(doc *spdx.Document) {
	slices.SortStableFunc(doc.Packages[1:], func(a, b *spdx.Package) int {
		return strings.Compare(packagePurl(a), packagePurl(b))
	})
	slices.SortStableFunc(doc.Relationships[1:], func(a, b *spdx.Relationship) int {
		return strings.Compare(relString(a), relString(b))
	})
}

func packagePurl(p *spdx.Package) string {
	for _, ref := range p.PackageExternalReferences {
		if ref != nil && ref.RefType == common.TypePackageManagerPURL {
			return ref.Locator
		}
	}
	return ""
}

// crateEntries are the entries Diff compares for the crates of a
// Cargo.lock, the same as entries reads from the document generated from
// it: one per crate (DEPENDS_ON when the workspace needs it directly) and
// one per dependency between crates.
func crateEntries(crates []cargo.Crate, edges []cargo.Edge) []Entry {
	direct := map[string]bool{}
	var out []Entry
	for _, e := range edges {
		if e.From == nil {
			direct[e.To.String()] = true
			continue
		}
		out = append(out, edgeEntry(cratePurl(*e.From), cratePurl(e.To)))
	}
	for _, c := range crates {
		e := Entry{Key: cratePurl(c), Digest: "sha256:" + c.Checksum}
		if direct[c.String()] {
			e.Relationship = DependsOn
		}
		out = append(out, e)
	}
	sortEntries(out)
	return out
}

// CheckCargo compares the crates the SBOM pins with those of a Cargo.lock
// (data, read from name): a locked build needs them to agree. The
// difference is empty when they do; a Cargo.lock that cannot be locked is
// ErrNotLocked or ErrInvalid.
func (l *Lock) CheckCargo(name string, data []byte) (*Difference, error) {
	crates, edges, err := lockedCrates(name, data)
	if err != nil {
		return nil, err
	}
	return diffEntries(l.crates, crateEntries(crates, edges)), nil
}

// Crates returns the crates the SBOM pins, to be prepared for the build.
func (l *Lock) Crates() []cargo.Crate {
	var out []cargo.Crate
	for _, e := range l.crates {
		name, version, ok := strings.Cut(strings.TrimPrefix(e.Key, cargoPurlPrefix), "@")
		if !ok || e.Digest == "" || strings.Contains(version, " ") {
			continue
		}
		out = append(out, cargo.Crate{Name: name, Version: version, Checksum: strings.TrimPrefix(e.Digest, "sha256:")})
	}
	return out
}

// withLocals makes the named contexts of opt.Locals (the prepared crates,
// gosh-cargo) local directories for the Dockerfile frontend, as the build
// makes them, so that RUN --mount=from=gosh-cargo reads no image, and
// those of opt.Images the images they name.
func withLocals(convert *dockerfile2llb.ConvertOpt, opt Options, rec llb.ImageMetaResolver) error {
	if len(opt.Locals) == 0 && len(opt.Images) == 0 {
		return nil
	}
	c, err := dockerbuild.TranslationClient(opt.Locals, opt.Images, rec)
	if err != nil {
		return invalidf("%v", err)
	}
	convert.Client = c
	return nil
}
