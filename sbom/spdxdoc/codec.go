package spdxdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// MaxSize bounds the SBOM Read accepts; one of a build with thousands of
// images is far smaller.
const MaxSize = 16 << 20

// Write writes doc as SPDX 2.3 JSON, indented, with a final newline.
func Write(w io.Writer, doc *spdx.Document) error {
	var buf bytes.Buffer
	if err := spdxjson.Write(doc, &buf, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return fmt.Errorf("encoding the SBOM: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Marshal is Write to bytes.
func Marshal(doc *spdx.Document) ([]byte, error) {
	var buf bytes.Buffer
	err := Write(&buf, doc)
	return buf.Bytes(), err
}

// Read reads an SPDX 2.3 JSON document and checks that it is an SBOM of an
// image build: a root package described by the document, and a purl and a
// SHA256 checksum on every image package. Any other document is ErrInvalid.
func Read(r io.Reader) (*spdx.Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the SBOM: %w", err)
	}
	if len(data) > MaxSize {
		return nil, Invalidf("the SBOM is larger than %d MiB", MaxSize>>20)
	}
	// The reader converts older versions to 2.3; an SBOM sign-cli can
	// check is 2.3 as written.
	var head struct {
		Version string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, Invalidf("not an SPDX JSON document: %v", err)
	}
	if head.Version != spdx.Version {
		return nil, Invalidf("SPDX version %q, want %s", head.Version, spdx.Version)
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, Invalidf("not an SPDX JSON document: %v", err)
	}
	if _, err := Entries(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// Root is the package the document describes: the image built.
func Root(doc *spdx.Document) (*spdx.Package, error) {
	var id common.ElementID
	n := 0
	for _, r := range doc.Relationships {
		if r != nil && r.Relationship == common.TypeRelationshipDescribe && r.RefA.ElementRefID == doc.SPDXIdentifier {
			id = r.RefB.ElementRefID
			n++
		}
	}
	if n != 1 {
		return nil, Invalidf("the SBOM describes %d packages, want 1 (the image built)", n)
	}
	for _, p := range doc.Packages {
		if p != nil && p.PackageSPDXIdentifier == id {
			return p, nil
		}
	}
	return nil, Invalidf("the SBOM describes %s, which it does not hold", id)
}

// Platforms returns the target platforms an SBOM records.
func Platforms(doc *spdx.Document) ([]string, error) {
	p, err := Root(doc)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range p.Annotations {
		if v, ok := strings.CutPrefix(a.AnnotationComment, AnnotPlatform+"="); ok {
			out = append(out, v)
		}
	}
	return out, nil
}
