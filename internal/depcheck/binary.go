package depcheck

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Graph is the import graph of a program: each package it links, with the
// packages that package imports.
type Graph map[string][]string

// Load runs `go list -deps` on pkg (a package path or a directory such as
// ".") built with the given build tags, and returns its import graph.
func Load(t testing.TB, pkg string, tags ...string) Graph {
	t.Helper()
	args := []string{"list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	out, err := exec.Command("go", append(args, pkg)...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps %s: %v: %s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	g := Graph{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) > 0 {
			g[f[0]] = f[1:]
		}
	}
	return g
}

// Importers returns the packages in g that import dep directly, sorted.
func (g Graph) Importers(dep string) []string {
	var by []string
	for p, imports := range g {
		if slices.Contains(imports, dep) {
			by = append(by, p)
		}
	}
	slices.Sort(by)
	return by
}

// AssertNoDependency fails t for each package in forbidden that pkg links,
// naming the packages that import it.
func AssertNoDependency(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	g := Load(t, pkg)
	for _, dep := range forbidden {
		if _, ok := g[dep]; ok {
			t.Errorf("%s links %s, imported by %s", pkg, dep, strings.Join(g.Importers(dep), ", "))
		}
	}
}
