package depcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Module is this module's path.
const Module = "github.com/gosh-sh/sign-cli"

// Imports returns, for each package of the module under root, the
// packages of the module it imports (test files aside), as paths relative
// to the module ("abi/cell"; "." for the root).
func Imports(root string) (map[string][]string, error) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		pkg := relative(fields[0])
		deps[pkg] = nil
		for _, imp := range fields[1:] {
			if imp == Module || strings.HasPrefix(imp, Module+"/") {
				deps[pkg] = append(deps[pkg], relative(imp))
			}
		}
	}
	return deps, sc.Err()
}

func relative(path string) string {
	if path == Module {
		return "."
	}
	return strings.TrimPrefix(path, Module+"/")
}

// ModuleRoot is the directory of go.mod, looked for from dir upwards.
func ModuleRoot(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// Layers reads the table of the "Layers" section of an architecture
// document: one row per package, its name in backquotes in the first
// column and the module packages it may import, in backquotes, in the
// second.
func Layers(doc []byte) (map[string][]string, error) {
	allowed := map[string][]string{}
	in := false
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.TrimSpace(line) == "## Layers"
			continue
		}
		if !in || !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) < 4 {
			return nil, fmt.Errorf("layers row %q: want | package | imports |", line)
		}
		pkg := strings.Trim(strings.TrimSpace(cols[1]), "`")
		if _, dup := allowed[pkg]; dup {
			return nil, fmt.Errorf("package %s has two rows", pkg)
		}
		allowed[pkg] = quoted(cols[2])
	}
	if len(allowed) == 0 {
		return nil, fmt.Errorf("no Layers table")
	}
	return allowed, nil
}

// quoted returns the backquoted names in s.
func quoted(s string) []string {
	var names []string
	for {
		_, rest, ok := strings.Cut(s, "`")
		if !ok {
			return names
		}
		name, after, ok := strings.Cut(rest, "`")
		if !ok {
			return names
		}
		names = append(names, name)
		s = after
	}
}
