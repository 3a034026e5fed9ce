package depcheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestLayering fails on an import of a module package that the Layers table
// of docs/architecture.md does not allow, on a package the table does not
// place, and on a row for a package that no longer exists.
func TestLayering(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	allowed, err := Layers(doc)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := Imports(root)
	if err != nil {
		t.Fatal(err)
	}
	for pkg, imports := range deps {
		may, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s is not in the Layers table of docs/architecture.md: place it (and draw it in the diagram)", pkg)
			continue
		}
		for _, imp := range imports {
			if !slices.Contains(may, imp) {
				t.Errorf("%s imports %s, which the Layers table of docs/architecture.md does not allow", pkg, imp)
			}
		}
	}
	for pkg := range allowed {
		if _, ok := deps[pkg]; !ok {
			t.Errorf("the Layers table places %s, which is not a package of the module", pkg)
		}
	}
}

// TestLayers keeps the table reader able to fail.
func TestLayers(t *testing.T) {
	doc := []byte("# A\n\n## Layers\n\n| package | may import |\n| --- | --- |\n| `abi` | `abi/cell` |\n| `abi/cell` | |\n| `proof` | `contract`, `keys` |\n\n## Next\n\n| `other` | `x` |\n")
	got, err := Layers(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"abi": {"abi/cell"}, "abi/cell": nil, "proof": {"contract", "keys"}}
	if len(got) != len(want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	if _, err := Layers([]byte("| `a` | `b` |\n")); err == nil {
		t.Error("a document with no Layers section was read")
	}
	if _, err := Layers([]byte("## Layers\n| `a` | |\n| `a` | `b` |\n")); err == nil {
		t.Error("a package with two rows was read")
	}
}
