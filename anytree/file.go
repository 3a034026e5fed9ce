package anytree

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the build description read in a source's directory.
const FileName = "Gosh.yaml"

// MaxFileSize bounds a Gosh.yaml.
const MaxFileSize = 1 << 20

// DefaultSBOM is the SBOM's path when Gosh.yaml names none.
const DefaultSBOM = "sbom.spdx.json"

// ErrInvalid is matched by every error for a Gosh.yaml, a source or a
// repository that cannot be used as given.
var ErrInvalid = errors.New("invalid input")

// File is a parsed Gosh.yaml. Paths are relative to its directory.
type File struct {
	// Dockerfile or Goshfile is the build file; both empty: the default
	// of build-and-sign (goshfile.yaml, else Dockerfile).
	Dockerfile string
	Goshfile   string
	// Tag is the image pushed, registry/repo:tag.
	Tag string
	// Args are the Dockerfile's build arguments.
	Args map[string]string
	// SBOM is the SBOM the build is locked to; DefaultSBOM when not given.
	SBOM string
	// Prepare lists the dependencies prepared before the build: "cargo".
	Prepare []string
	// CargoLock is the Cargo.lock of prepare: [cargo]; "Cargo.lock" by
	// default.
	CargoLock string
	// Images are images built first, by the name the build file reads
	// them by.
	Images map[string]Source
}

// Error is a problem at a place in a Gosh.yaml.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return FileName + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", FileName, e.Line, e.Column, e.Msg)
}

func (e *Error) Is(target error) bool { return target == ErrInvalid }

// field is what a key of a mapping may hold.
type field struct {
	kind  yaml.Kind
	read  func(v *yaml.Node) error
	inner map[string]field // the keys of a mapping; nil: any names
}

// Parse reads a Gosh.yaml. Unknown fields, values of the wrong kind and
// paths that leave the directory are errors at their line and column.
func Parse(data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Msg: fmt.Sprintf("larger than %d KiB", MaxFileSize>>10)}
	}
	f := &File{SBOM: DefaultSBOM}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{Msg: "not YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) != 1 {
		return nil, &Error{Msg: "empty"}
	}
	str := func(dst *string) func(*yaml.Node) error {
		return func(v *yaml.Node) error { *dst = v.Value; return nil }
	}
	relPath := func(dst *string) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			p := path.Clean(v.Value)
			if v.Value == "" || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
				return fmt.Errorf("%q must be a path inside the directory", v.Value)
			}
			*dst = p
			return nil
		}
	}
	f.CargoLock = "Cargo.lock"
	schema := map[string]field{
		"dockerfile": {kind: yaml.MappingNode, inner: map[string]field{
			"path": {kind: yaml.ScalarNode, read: relPath(&f.Dockerfile)},
		}},
		"goshfile": {kind: yaml.ScalarNode, read: relPath(&f.Goshfile)},
		"tag":      {kind: yaml.ScalarNode, read: str(&f.Tag)},
		"args": {kind: yaml.MappingNode, read: func(v *yaml.Node) error {
			f.Args = map[string]string{}
			return eachPair(v, func(k, val *yaml.Node) error {
				if val.Kind != yaml.ScalarNode {
					return at(val, "args: the value of %s must be a string", k.Value)
				}
				f.Args[k.Value] = val.Value
				return nil
			})
		}},
		"sbom": {kind: yaml.ScalarNode, read: relPath(&f.SBOM)},
		"prepare": {kind: yaml.SequenceNode, read: func(v *yaml.Node) error {
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode || item.Value != "cargo" {
					return at(item, "prepare: %s is not a kind of dependency sign-cli prepares (cargo)", describe(item))
				}
				if slices.Contains(f.Prepare, item.Value) {
					return at(item, "prepare: %s is listed twice", item.Value)
				}
				f.Prepare = append(f.Prepare, item.Value)
			}
			return nil
		}},
		"cargo": {kind: yaml.MappingNode, inner: map[string]field{
			"lock": {kind: yaml.ScalarNode, read: relPath(&f.CargoLock)},
		}},
		"images": {kind: yaml.MappingNode, read: func(v *yaml.Node) error {
			f.Images = map[string]Source{}
			return eachPair(v, func(k, val *yaml.Node) error {
				if val.Kind != yaml.ScalarNode {
					return at(val, "images: the source of %s must be REPO_URL#COMMIT:DIR", k.Value)
				}
				src, err := ParseSource(val.Value)
				if err != nil {
					return at(val, "images: %s: %v", k.Value, err)
				}
				if src.Local() {
					return at(val, "images: %s: %q is not REPO_URL#COMMIT:DIR", k.Value, val.Value)
				}
				f.Images[k.Value] = src
				return nil
			})
		}},
	}
	var errs []error
	walk(doc.Content[0], "Gosh.yaml", schema, &errs)
	if len(errs) == 0 {
		switch {
		case f.Dockerfile != "" && f.Goshfile != "":
			errs = append(errs, &Error{Msg: "dockerfile and goshfile: name one build file"})
		case len(f.Args) > 0 && f.Dockerfile == "":
			errs = append(errs, &Error{Msg: "args are build arguments of a Dockerfile: name it with dockerfile: {path: ...}"})
		case f.Tag == "":
			errs = append(errs, &Error{Msg: "tag is required: the image to push, registry/repo:tag"})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

// walk checks n against schema and reads each known field.
func walk(n *yaml.Node, what string, schema map[string]field, errs *[]error) {
	if n.Kind != yaml.MappingNode {
		*errs = append(*errs, at(n, "%s must be a mapping, found %s", what, describe(n)))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		fd, ok := schema[k.Value]
		switch {
		case !ok:
			*errs = append(*errs, at(k, "unknown field %q in %s (known: %s)", k.Value, what, strings.Join(sortedNames(schema), ", ")))
			continue
		case seen[k.Value]:
			*errs = append(*errs, at(k, "field %q repeated", k.Value))
			continue
		case v.Kind != fd.kind || (v.Kind == yaml.ScalarNode && v.Tag == "!!null"):
			*errs = append(*errs, at(v, "%s must be %s, found %s", k.Value, kindName(fd.kind), describe(v)))
			continue
		}
		seen[k.Value] = true
		if fd.inner != nil {
			walk(v, k.Value, fd.inner, errs)
		}
		if fd.read != nil {
			if err := fd.read(v); err != nil {
				var e *Error
				if !errors.As(err, &e) {
					err = at(v, "%s: %v", k.Value, err)
				}
				*errs = append(*errs, err)
			}
		}
	}
}

func eachPair(n *yaml.Node, fn func(k, v *yaml.Node) error) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := fn(n.Content[i], n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func at(n *yaml.Node, format string, args ...any) error {
	return &Error{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "nothing"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	return kindName(n.Kind)
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a string"
	}
	return "nothing"
}

func sortedNames(m map[string]field) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
