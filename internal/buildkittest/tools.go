package buildkittest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Tools are the programs a daemon needs, as absolute paths.
type Tools struct {
	Buildkitd string
	Buildctl  string
	Runc      string
}

// ErrMissing is returned (wrapped) when a tool or a privilege is missing.
var ErrMissing = errors.New("missing")

const howTo = "run `CI=1 make ci-deps` as root to install runc, busybox-static and bash-static and build buildkitd, buildctl and crane into .tools/bin"

// FindTools looks for buildkitd and buildctl in the module's .tools/bin and
// then on PATH, and for runc on PATH and in /usr/sbin.
func FindTools() (Tools, error) {
	var t Tools
	var missing []string
	bin := ""
	if root, err := ModuleRoot(); err == nil {
		bin = filepath.Join(root, ".tools", "bin")
	}
	find := func(name string, dirs ...string) string {
		for _, d := range dirs {
			if d == "" {
				continue
			}
			p := filepath.Join(d, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return p
			}
		}
		if p, err := exec.LookPath(name); err == nil {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
		}
		missing = append(missing, name)
		return ""
	}
	t.Buildkitd = find("buildkitd", bin)
	t.Buildctl = find("buildctl", bin)
	t.Runc = find("runc", "/usr/sbin", "/usr/bin")
	if len(missing) > 0 {
		return t, fmt.Errorf("%w: %v not found in .tools/bin or on PATH", ErrMissing, missing)
	}
	return t, nil
}

// ModuleRoot is the directory of the go.mod above the working directory:
// tests run in their package's directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("finding the module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// unavailable skips the test with a message saying how to run it, or fails
// it when CI is set: in CI every tool is installed by `make ci-deps`.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("end-to-end build test cannot run in CI: %v (%s)", err, howTo)
	}
	t.Skipf("skipping end-to-end build test: %v; %s", err, howTo)
}

// checkPrivileges reports why runc cannot run here.
func checkPrivileges() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: BuildKit's runc worker needs root (running as uid %d)", ErrMissing, os.Geteuid())
	}
	return nil
}
