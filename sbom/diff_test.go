package sbom

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spdx/tools-golang/spdx"
)

const lockDockerfile = "FROM REG/tool:1 AS build\nFROM REG/base:1\nCOPY --from=REG/data:1 /x /x\nCOPY --from=build /y /y\n"

// lockRegistry holds the images of lockDockerfile.
func lockRegistry(t *testing.T) *testRegistry {
	r := newTestRegistry(t)
	for _, ref := range []string{"base:1", "tool:1", "data:1"} {
		r.push(t, ref)
	}
	return r
}

func TestRoundTrip(t *testing.T) {
	r := lockRegistry(t)
	doc, err := r.generate(t, "Dockerfile", lockDockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Errorf("read and written again, the document changed:\n%s\n---\n%s", b, again)
	}
	d, err := Diff(doc, back)
	if err != nil || !d.Empty() {
		t.Errorf("Diff after a round trip = %v, %v; want empty", d, err)
	}
}

// TestDiffIgnoresForm: order, ids, dates and namespaces are not what an
// SBOM pins.
func TestDiffIgnoresForm(t *testing.T) {
	r := lockRegistry(t)
	doc, err := r.generate(t, "Dockerfile", lockDockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := r.generate(t, "Dockerfile", lockDockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	other.CreationInfo.Created = "2030-01-01T00:00:00Z"
	other.DocumentNamespace = "https://example.com/other"
	for i, j := 1, len(other.Packages)-1; i < j; i, j = i+1, j-1 {
		other.Packages[i], other.Packages[j] = other.Packages[j], other.Packages[i]
	}
	for _, rel := range other.Relationships {
		if rel.RefA.ElementRefID == rootID {
			rel.RefA.ElementRefID = "Package-Renamed"
		}
		if rel.RefB.ElementRefID == rootID {
			rel.RefB.ElementRefID = "Package-Renamed"
		}
	}
	other.Packages[0].PackageSPDXIdentifier = "Package-Renamed"
	d, err := Diff(doc, other)
	if err != nil || !d.Empty() {
		t.Errorf("Diff = %v, %v; want empty", d, err)
	}
}

func TestVerify(t *testing.T) {
	r := lockRegistry(t)
	doc, err := r.generate(t, "Dockerfile", lockDockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(content string, plats ...ocispecs.Platform) (*Difference, error) {
		o := Options{
			Filename:  "Dockerfile",
			Data:      []byte(strings.ReplaceAll(content, "REG", r.host)),
			Name:      "app",
			Platforms: plats,
			Resolver:  r.resolver(),
		}
		_, d, err := Verify(context.Background(), o, doc)
		return d, err
	}
	if d, err := verify(lockDockerfile); err != nil || !d.Empty() {
		t.Fatalf("unchanged registry: %v, %v", d, err)
	}
	if _, err := verify(lockDockerfile, ocispecs.Platform{OS: "linux", Architecture: "arm64"}); !errors.Is(err, ErrPlatformMismatch) || !errors.Is(err, ErrInvalid) {
		t.Errorf("another platform: err = %v, want ErrPlatformMismatch", err)
	}

	old := r.summary(t, doc)
	newBase := r.push(t, "base:1")
	d, err := verify(lockDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Changed) != 1 || len(d.Added)+len(d.Removed) != 0 {
		t.Fatalf("after a new base:1: %+v, want one change", d)
	}
	c := d.Changed[0]
	if c.New != newBase.String() || c.Relationship != DescendantOf || !strings.Contains(c.Key, "repository_url="+r.host+"/base&tag=1") {
		t.Errorf("change %+v, want base:1 now %s", c, newBase)
	}
	if !strings.Contains(strings.Join(old, "\n"), c.Old) {
		t.Errorf("change's old digest %s is not in the SBOM %q", c.Old, old)
	}
	out := strings.ReplaceAll(d.String(), r.host, "REG")
	w := "~ pkg:oci/base?arch=amd64&repository_url=REG/base&tag=1 (DESCENDANT_OF): " + c.Old + " -> " + newBase.String() + "\n"
	if out != w {
		t.Errorf("diff output\n%q\nwant\n%q", out, w)
	}

	// A tag the SBOM pins that the registry no longer has: a difference,
	// not an error; an image the SBOM does not pin that does not exist: an
	// error.
	req, _ := http.NewRequest(http.MethodDelete, "http://"+r.host+"/v2/data/manifests/1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("deleting data:1: %v %v", resp, err)
	}
	resp.Body.Close()
	d, err = verify(lockDockerfile)
	if err != nil {
		t.Fatalf("after data:1 was deleted: %v, want a difference", err)
	}
	out = strings.ReplaceAll(d.String(), r.host, "REG")
	for _, frag := range []string{"\n- pkg:oci/data?arch=amd64&repository_url=REG/data&tag=1 sha256:", "~ pkg:oci/base?"} {
		if !strings.Contains("\n"+out, frag) {
			t.Errorf("diff output lacks %q:\n%s", frag, out)
		}
	}
	r.push(t, "data:1")
	if _, err := verify("FROM REG/base:1\nCOPY --from=REG/nothing:1 /x /x\n"); !errors.Is(err, ErrImageNotFound) {
		t.Errorf("an image neither pinned nor in the registry: err = %v, want ErrImageNotFound", err)
	}

	// A Dockerfile that reads another image and no longer the tool.
	r.push(t, "extra:1")
	d, err = verify("FROM REG/base:1\nCOPY --from=REG/data:1 /x /x\nCOPY --from=REG/extra:1 /z /z\n")
	if err != nil {
		t.Fatal(err)
	}
	out = strings.ReplaceAll(d.String(), r.host, "REG")
	for _, frag := range []string{"\n- pkg:oci/tool?arch=amd64&repository_url=REG/tool&tag=1 sha256:", "\n+ pkg:oci/extra?arch=amd64&repository_url=REG/extra&tag=1 sha256:", "~ pkg:oci/base?"} {
		if !strings.Contains("\n"+out, frag) {
			t.Errorf("diff output lacks %q:\n%s", frag, out)
		}
	}
}

func TestReadRefuses(t *testing.T) {
	r := lockRegistry(t)
	doc, err := r.generate(t, "Dockerfile", lockDockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := Marshal(doc)
	edit := func(f func(*spdx.Document)) string {
		d, err := Read(bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		f(d)
		b, _ := Marshal(d)
		return string(b)
	}
	tests := []struct{ name, doc string }{
		{"empty", ""},
		{"not JSON", "{"},
		{"not SPDX", `{"a": 1}`},
		{"SPDX 2.2", strings.Replace(string(good), `"SPDX-2.3"`, `"SPDX-2.2"`, 1)},
		{"no root", edit(func(d *spdx.Document) { d.Relationships = d.Relationships[1:] })},
		{"no purl", edit(func(d *spdx.Document) { d.Packages[1].PackageExternalReferences = nil })},
		{"no checksum", edit(func(d *spdx.Document) { d.Packages[2].PackageChecksums = nil })},
		{"short checksum", edit(func(d *spdx.Document) { d.Packages[2].PackageChecksums[0].Value = "abc" })},
		{"dangling relationship", edit(func(d *spdx.Document) { d.Packages = d.Packages[:1] })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.doc))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
