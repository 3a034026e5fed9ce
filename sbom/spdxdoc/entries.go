package spdxdoc

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// Entry is what Diff compares of one image: its purl without the digest,
// the digest it is pinned to, and how the build uses it.
type Entry struct {
	Key          string // pkg:oci/NAME?QUALIFIERS
	Digest       string // sha256:HEX, from the SHA256 checksum
	Relationship string // DESCENDANT_OF, BUILD_DEPENDENCY_OF, or "" for neither
}

func (e Entry) String() string {
	s := e.Key
	if e.Digest != "" {
		s += " " + e.Digest
	}
	if e.Relationship != "" {
		s += " (" + e.Relationship + ")"
	}
	return s
}

// Change is an image pinned to another digest.
type Change struct {
	Key, Relationship string
	Old, New          string
}

// Difference is how two SBOMs differ; empty when they pin the same images.
type Difference struct {
	Added   []Entry
	Removed []Entry
	Changed []Change
}

// Empty reports whether there is no difference.
func (d *Difference) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// WriteTo prints one line per difference: "+ " added, "- " removed, "~ "
// changed digest.
func (d *Difference) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, c := range d.Changed {
		rel := ""
		if c.Relationship != "" {
			rel = " (" + c.Relationship + ")"
		}
		fmt.Fprintf(&b, "~ %s%s: %s -> %s\n", c.Key, rel, c.Old, c.New)
	}
	for _, e := range d.Removed {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	for _, e := range d.Added {
		fmt.Fprintf(&b, "+ %s\n", e)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func (d *Difference) String() string {
	var b strings.Builder
	d.WriteTo(&b)
	return b.String()
}

// Diff compares the images two SBOMs pin, as sets of entries: package and
// relationship order, identifiers, formatting, dates and namespaces do not
// matter. Both must be documents Read accepts.
func Diff(old, new *spdx.Document) (*Difference, error) {
	a, err := Entries(old)
	if err != nil {
		return nil, err
	}
	b, err := Entries(new)
	if err != nil {
		return nil, err
	}
	return DiffEntries(a, b), nil
}

// DiffEntries compares two sets of entries.
func DiffEntries(a, b []Entry) *Difference {
	type slot struct{ key, rel string }
	group := func(es []Entry) map[slot][]string {
		m := map[slot][]string{}
		for _, e := range es {
			s := slot{e.Key, e.Relationship}
			if !slices.Contains(m[s], e.Digest) {
				m[s] = append(m[s], e.Digest)
			}
		}
		return m
	}
	ga, gb := group(a), group(b)
	d := &Difference{}
	slots := map[slot]bool{}
	for s := range ga {
		slots[s] = true
	}
	for s := range gb {
		slots[s] = true
	}
	for s := range slots {
		olds := without(ga[s], gb[s])
		news := without(gb[s], ga[s])
		if len(olds) == 1 && len(news) == 1 {
			d.Changed = append(d.Changed, Change{Key: s.key, Relationship: s.rel, Old: olds[0], New: news[0]})
			continue
		}
		for _, dg := range olds {
			d.Removed = append(d.Removed, Entry{s.key, dg, s.rel})
		}
		for _, dg := range news {
			d.Added = append(d.Added, Entry{s.key, dg, s.rel})
		}
	}
	SortEntries(d.Added)
	SortEntries(d.Removed)
	SortChanges(d.Changed)
	return d
}

// SortChanges puts changes in the order Diff reports them.
func SortChanges(cs []Change) {
	sort.Slice(cs, func(i, j int) bool {
		x, y := cs[i], cs[j]
		if x.Key != y.Key {
			return x.Key < y.Key
		}
		return x.Relationship < y.Relationship
	})
}

// without is a minus b.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// SortEntries puts entries in the order Diff reports them.
func SortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool { return es[i].String() < es[j].String() })
}

// Entries lists the images (and crates) of an SBOM with their relationships to the root.
func Entries(doc *spdx.Document) ([]Entry, error) {
	r, err := Root(doc)
	if err != nil {
		return nil, err
	}
	byID := map[common.ElementID]Entry{}
	for _, p := range doc.Packages {
		if p == nil || p == r {
			continue
		}
		e, err := packageEntry(p)
		if err != nil {
			return nil, err
		}
		byID[p.PackageSPDXIdentifier] = e
	}
	var out []Entry
	related := map[common.ElementID]bool{}
	for _, rel := range doc.Relationships {
		if rel == nil {
			continue
		}
		var id common.ElementID
		switch {
		case rel.Relationship == DescendantOf && rel.RefA.ElementRefID == r.PackageSPDXIdentifier:
			id = rel.RefB.ElementRefID
		case rel.Relationship == BuildDependencyOf && rel.RefB.ElementRefID == r.PackageSPDXIdentifier:
			id = rel.RefA.ElementRefID
		case rel.Relationship == DependsOn && rel.RefA.ElementRefID == r.PackageSPDXIdentifier:
			id = rel.RefB.ElementRefID
		case rel.Relationship == DependsOn:
			e, err := crateEdge(rel, byID)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
			continue
		default:
			continue
		}
		e, ok := byID[id]
		if !ok {
			return nil, Invalidf("relationship %s names %s, which the SBOM does not hold", rel.Relationship, id)
		}
		e.Relationship = rel.Relationship
		out = append(out, e)
		related[id] = true
	}
	for id, e := range byID {
		if !related[id] {
			out = append(out, e)
		}
	}
	SortEntries(out)
	return out, nil
}

// packageEntry reads an image package's purl and checksum.
func packageEntry(p *spdx.Package) (Entry, error) {
	var purl string
	for _, ref := range p.PackageExternalReferences {
		if ref != nil && ref.RefType == common.TypePackageManagerPURL {
			if purl != "" {
				return Entry{}, Invalidf("package %s has several purls", p.PackageSPDXIdentifier)
			}
			purl = ref.Locator
		}
	}
	if !strings.HasPrefix(purl, "pkg:") {
		return Entry{}, Invalidf("package %s has no purl", p.PackageSPDXIdentifier)
	}
	var sum string
	for _, c := range p.PackageChecksums {
		if c.Algorithm == common.SHA256 {
			sum = strings.ToLower(c.Value)
		}
	}
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return Entry{}, Invalidf("package %s has no SHA256 checksum", p.PackageSPDXIdentifier)
	}
	key := PurlKey(purl)
	if strings.HasPrefix(purl, CargoPurlPrefix) {
		key = purl
	}
	return Entry{Key: key, Digest: "sha256:" + sum}, nil
}

// crateEdge reads a DEPENDS_ON relationship between two crates.
func crateEdge(rel *spdx.Relationship, byID map[common.ElementID]Entry) (Entry, error) {
	from, ok1 := byID[rel.RefA.ElementRefID]
	to, ok2 := byID[rel.RefB.ElementRefID]
	if !ok1 || !ok2 || !IsCrate(from) || !IsCrate(to) {
		return Entry{}, Invalidf("relationship %s %s %s is not between two crates the SBOM holds", rel.RefA.ElementRefID, DependsOn, rel.RefB.ElementRefID)
	}
	return EdgeEntry(from.Key, to.Key), nil
}
