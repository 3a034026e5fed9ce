package anytree

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	full := `dockerfile:
  path: build/Dockerfile
tag: registry.example.com/team/app:1
args:
  VERSION: "1.4"
sbom: build/sbom.spdx.json
prepare: [cargo]
cargo:
  lock: rust/Cargo.lock
images:
  base: file:///repos/base#0123456789abcdef0123456789abcdef01234567:images/base
`
	f, err := Parse([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
		Dockerfile: "build/Dockerfile",
		Tag:        "registry.example.com/team/app:1",
		Args:       map[string]string{"VERSION": "1.4"},
		SBOM:       "build/sbom.spdx.json",
		Prepare:    []string{"cargo"},
		CargoLock:  "rust/Cargo.lock",
		Images: map[string]Source{"base": {
			Repo: "file:///repos/base", Commit: "0123456789abcdef0123456789abcdef01234567", Dir: "images/base",
		}},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", f, want)
	}
	f, err = Parse([]byte("goshfile: goshfile.yaml\ntag: r/a:1\n"))
	if err != nil || f.SBOM != DefaultSBOM || f.CargoLock != "Cargo.lock" || f.Goshfile != "goshfile.yaml" {
		t.Errorf("defaults: %+v, %v", f, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"unknown field", "tag: r/a:1\ninstall: [x]\n", []string{`Gosh.yaml:2:1: unknown field "install" in Gosh.yaml (known: args, cargo, dockerfile, goshfile, images, prepare, sbom, tag)`}},
		{"unknown nested field", "tag: r/a:1\ndockerfile:\n  path: D\n  inline: x\n", []string{`Gosh.yaml:4:3: unknown field "inline" in dockerfile (known: path)`}},
		{"wrong kind", "tag: [a]\n", []string{"Gosh.yaml:1:6: tag must be a string, found a list"}},
		{"null", "tag:\n", []string{"Gosh.yaml:1:5: tag must be a string, found nothing"}},
		{"repeated", "tag: a\ntag: b\n", []string{`Gosh.yaml:2:1: field "tag" repeated`}},
		{"path outside", "tag: a\ngoshfile: ../x.yaml\n", []string{`Gosh.yaml:2:11: goshfile: "../x.yaml" must be a path inside the directory`}},
		{"absolute sbom", "tag: a\nsbom: /etc/sbom\n", []string{`Gosh.yaml:2:7: sbom: "/etc/sbom" must be a path inside the directory`}},
		{"prepare pip", "tag: a\nprepare: [cargo, pip]\n", []string{`Gosh.yaml:2:18: prepare: "pip" is not a kind of dependency sign-cli prepares (cargo)`}},
		{"image without commit", "tag: a\nimages:\n  base: file:///r\n", []string{`Gosh.yaml:3:9: images: base: "file:///r" is not REPO_URL#COMMIT:DIR`}},
		{"image with a bad dir", "tag: a\nimages:\n  base: file:///r#abc1234:../x\n", []string{`Gosh.yaml:3:9: images: base: directory "../x" must be inside the repository`}},
		{"both build files", "tag: a\ngoshfile: g.yaml\ndockerfile: {path: D}\n", []string{"Gosh.yaml: dockerfile and goshfile: name one build file"}},
		{"args for a goshfile", "tag: a\nargs: {A: b}\n", []string{"Gosh.yaml: args are build arguments of a Dockerfile"}},
		{"no tag", "goshfile: g.yaml\n", []string{"Gosh.yaml: tag is required"}},
		{"not a mapping", "- a\n", []string{"Gosh.yaml:1:1: Gosh.yaml must be a mapping, found a list"}},
		{"not YAML", "a: [\n", []string{"Gosh.yaml: not YAML"}},
		{"two problems", "tag: [a]\nfoo: 1\n", []string{"Gosh.yaml:1:6: tag must be", `Gosh.yaml:2:1: unknown field "foo"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want ErrInvalid", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("errors\n%s\nwant %d", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %q, want it to start with %q", lines[i], w)
				}
			}
		})
	}
}
