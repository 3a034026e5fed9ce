package spdxdoc

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

var (
	sumA = strings.Repeat("a", 64)
	sumB = strings.Repeat("b", 64)
	sumC = strings.Repeat("c", 64)
)

func pkg(id, purl, sum string) *spdx.Package {
	p := &spdx.Package{
		PackageName:             id,
		PackageSPDXIdentifier:   common.ElementID(id),
		PackageDownloadLocation: "NOASSERTION",
	}
	if sum != "" {
		p.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: sum}}
	}
	if purl != "" {
		p.PackageExternalReferences = []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: purl,
		}}
	}
	return p
}

func rel(a, kind, b string) *spdx.Relationship {
	return &spdx.Relationship{RefA: common.MakeDocElementID("", a), RefB: common.MakeDocElementID("", b), Relationship: kind}
}

// testDoc is the SBOM of a build FROM base (sumBase) that copies from
// helper, for linux/amd64, and reads one crate that needs another.
func testDoc(sumBase string) *spdx.Document {
	root := pkg(string(RootID), "", "")
	root.Annotations = []spdx.Annotation{{
		Annotator:         common.Annotator{Annotator: "sign-cli", AnnotatorType: "Tool"},
		AnnotationDate:    "1970-01-01T00:00:00Z",
		AnnotationType:    "OTHER",
		AnnotationComment: AnnotPlatform + "=linux/amd64",
	}}
	return &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      "app",
		DocumentNamespace: "https://example.com/app",
		CreationInfo:      &spdx.CreationInfo{Creators: []common.Creator{{Creator: "sign-cli", CreatorType: "Tool"}}, Created: "1970-01-01T00:00:00Z"},
		Packages: []*spdx.Package{
			root,
			pkg("Package-base", "pkg:oci/base@sha256%3A"+sumBase+"?repository_url=r.example/base", sumBase),
			pkg("Package-helper", "pkg:oci/helper@sha256%3A"+sumB+"?repository_url=r.example/helper", sumB),
			pkg("Package-serde", CargoPurlPrefix+"serde@1.0.0", sumC),
			pkg("Package-derive", CargoPurlPrefix+"serde_derive@1.0.0", sumA),
		},
		Relationships: []*spdx.Relationship{
			rel("DOCUMENT", common.TypeRelationshipDescribe, string(RootID)),
			rel(string(RootID), DescendantOf, "Package-base"),
			rel("Package-helper", BuildDependencyOf, string(RootID)),
			rel(string(RootID), DependsOn, "Package-serde"),
			rel("Package-serde", DependsOn, "Package-derive"),
		},
	}
}

func marshal(t *testing.T, doc *spdx.Document) []byte {
	t.Helper()
	data, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadWriteRoundTrip(t *testing.T) {
	doc := testDoc(sumA)
	data := marshal(t, doc)
	got, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if again := marshal(t, got); !bytes.Equal(again, data) {
		t.Errorf("written again, the document changed:\n%s\nwant\n%s", again, data)
	}
	plats, err := Platforms(got)
	if err != nil || !reflect.DeepEqual(plats, []string{"linux/amd64"}) {
		t.Errorf("Platforms = %v, %v; want [linux/amd64]", plats, err)
	}
	es, err := Entries(got)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pkg:cargo/serde@1.0.0 DEPENDS_ON pkg:cargo/serde_derive@1.0.0",
		"pkg:cargo/serde@1.0.0 sha256:" + sumC + " (DEPENDS_ON)",
		"pkg:cargo/serde_derive@1.0.0 sha256:" + sumA,
		"pkg:oci/base?repository_url=r.example/base sha256:" + sumA + " (DESCENDANT_OF)",
		"pkg:oci/helper?repository_url=r.example/helper sha256:" + sumB + " (BUILD_DEPENDENCY_OF)",
	}
	var gotS []string
	for _, e := range es {
		gotS = append(gotS, e.String())
	}
	if !reflect.DeepEqual(gotS, want) {
		t.Errorf("Entries:\n%s\nwant\n%s", strings.Join(gotS, "\n"), strings.Join(want, "\n"))
	}
}

func TestReadRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*spdx.Document)
		data   []byte // instead of the changed document
		want   string
	}{
		{name: "not JSON", data: []byte("<spdx/>"), want: "not an SPDX JSON document"},
		{name: "other version", data: []byte(`{"spdxVersion":"SPDX-2.2"}`), want: `SPDX version "SPDX-2.2"`},
		{name: "too large", data: append([]byte(`{"spdxVersion":"`), bytes.Repeat([]byte("x"), MaxSize)...), want: "larger than 16 MiB"},
		{name: "describes nothing", change: func(d *spdx.Document) { d.Relationships = d.Relationships[1:] }, want: "describes 0 packages"},
		{name: "describes two", change: func(d *spdx.Document) {
			d.Relationships = append(d.Relationships, rel("DOCUMENT", common.TypeRelationshipDescribe, "Package-base"))
		}, want: "describes 2 packages"},
		{name: "describes a missing package", change: func(d *spdx.Document) { d.Packages = d.Packages[1:] }, want: "which it does not hold"},
		{name: "no purl", change: func(d *spdx.Document) { d.Packages[1].PackageExternalReferences = nil }, want: "Package-base has no purl"},
		{name: "two purls", change: func(d *spdx.Document) {
			p := d.Packages[1]
			p.PackageExternalReferences = append(p.PackageExternalReferences, p.PackageExternalReferences[0])
		}, want: "several purls"},
		{name: "no checksum", change: func(d *spdx.Document) { d.Packages[2].PackageChecksums = nil }, want: "Package-helper has no SHA256 checksum"},
		{name: "short checksum", change: func(d *spdx.Document) { d.Packages[2].PackageChecksums[0].Value = "abc" }, want: "no SHA256 checksum"},
		{name: "relationship to nothing", change: func(d *spdx.Document) {
			d.Relationships = append(d.Relationships, rel(string(RootID), DescendantOf, "Package-gone"))
		}, want: "names Package-gone"},
		{name: "crate edge to an image", change: func(d *spdx.Document) {
			d.Relationships = append(d.Relationships, rel("Package-serde", DependsOn, "Package-base"))
		}, want: "not between two crates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if data == nil {
				doc := testDoc(sumA)
				tt.change(doc)
				data = marshal(t, doc)
			}
			_, err := Read(bytes.NewReader(data))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read: %v; want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	same := testDoc(sumA)
	// The same pins in another order, with other ids and another namespace.
	reordered := testDoc(sumA)
	reordered.DocumentNamespace = "https://example.com/other"
	reordered.Packages[1], reordered.Packages[2] = reordered.Packages[2], reordered.Packages[1]
	reordered.Relationships[1], reordered.Relationships[2] = reordered.Relationships[2], reordered.Relationships[1]

	moved := testDoc(sumC) // base pinned to another digest

	fewer := testDoc(sumA) // no helper
	fewer.Packages = append(fewer.Packages[:2], fewer.Packages[3:]...)
	fewer.Relationships = append(fewer.Relationships[:2], fewer.Relationships[3:]...)

	tests := []struct {
		name     string
		old, new *spdx.Document
		want     string
	}{
		{"identical", same, testDoc(sumA), ""},
		{"form only", same, reordered, ""},
		{"changed digest", same, moved, "~ pkg:oci/base?repository_url=r.example/base (DESCENDANT_OF): sha256:" + sumA + " -> sha256:" + sumC + "\n"},
		{"removed", same, fewer, "- pkg:oci/helper?repository_url=r.example/helper sha256:" + sumB + " (BUILD_DEPENDENCY_OF)\n"},
		{"added", fewer, same, "+ pkg:oci/helper?repository_url=r.example/helper sha256:" + sumB + " (BUILD_DEPENDENCY_OF)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Diff(tt.old, tt.new)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.String(); got != tt.want || d.Empty() != (tt.want == "") {
				t.Errorf("Diff = %q (empty %v), want %q", got, d.Empty(), tt.want)
			}
		})
	}
}

func TestBuilt(t *testing.T) {
	doc := testDoc(sumA)
	RecordBuilt(doc, "base", "sha256:"+sumB)
	RecordBuilt(doc, "tools", "sha256:"+sumC)
	got, err := Read(bytes.NewReader(marshal(t, doc)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"base": "sha256:" + sumB, "tools": "sha256:" + sumC}
	if b := Built(got); !reflect.DeepEqual(b, want) {
		t.Errorf("Built = %v, want %v", b, want)
	}
	if b := Built(&spdx.Document{}); len(b) != 0 {
		t.Errorf("Built of a document with no root = %v, want none", b)
	}
}

func TestPurlKey(t *testing.T) {
	for in, want := range map[string]string{
		"pkg:oci/base@sha256%3Aab?repository_url=r/base&platform=linux%2Famd64": "pkg:oci/base?repository_url=r/base&platform=linux%2Famd64",
		"pkg:oci/base@sha256%3Aab": "pkg:oci/base",
		"pkg:oci/base":             "pkg:oci/base",
	} {
		if got := PurlKey(in); got != want {
			t.Errorf("PurlKey(%q) = %q, want %q", in, got, want)
		}
	}
}
