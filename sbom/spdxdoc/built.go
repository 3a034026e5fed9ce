package spdxdoc

import (
	"strings"

	"github.com/spdx/tools-golang/spdx"
)

// AnnotBuilt records, on the root, an image the build reads that was built
// from source first: "built:NAME=IDENTITY", the identity being
// image.Identity's (layers and config, not the manifest digest, which
// depends on how the image was pushed).
const AnnotBuilt = "built:"

// RecordBuilt notes in doc that the build reads name, an image built from
// source first, with this identity.
func RecordBuilt(doc *spdx.Document, name, identity string) {
	root, err := Root(doc)
	if err != nil || len(root.Annotations) == 0 {
		return
	}
	a := root.Annotations[0]
	a.AnnotationComment = AnnotBuilt + name + "=" + identity
	root.Annotations = append(root.Annotations, a)
}

// Built returns the identities of the images built from source first that
// doc records, by name.
func Built(doc *spdx.Document) map[string]string {
	out := map[string]string{}
	root, err := Root(doc)
	if err != nil {
		return out
	}
	for _, a := range root.Annotations {
		if rest, ok := strings.CutPrefix(a.AnnotationComment, AnnotBuilt); ok {
			if name, id, ok := strings.Cut(rest, "="); ok {
				out[name] = id
			}
		}
	}
	return out
}
