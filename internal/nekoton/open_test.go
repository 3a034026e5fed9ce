package nekoton_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

func TestOpenUnavailable(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		opts nekoton.Options
	}{
		{"no node", nekoton.Options{Node: "sign-cli-no-such-node"}},
		{"modules without nekoton-wasm", nekoton.Options{NodeModules: empty}},
		{"missing modules directory", nekoton.Options{NodeModules: filepath.Join(empty, "missing")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := nekoton.Open(tc.opts)
			if err == nil {
				b.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, nekoton.ErrUnavailable) {
				t.Fatalf("Open: %v, want ErrUnavailable", err)
			}
		})
	}
}

func TestFindNodeModules(t *testing.T) {
	nekotontest.Start(t) // skips or fails like every other test when node is missing
	repo, err := nekoton.FindNodeModules("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(repo, "nekoton-wasm", "package.json")); err != nil {
		t.Fatalf("found %s: %v", repo, err)
	}
	empty := t.TempDir()
	tests := []struct {
		name     string
		dir      string
		nodePath string
		want     string
	}{
		{"explicit node_modules", repo, "", repo},
		{"explicit directory above node_modules", filepath.Dir(repo), "", repo},
		{"NODE_PATH first", "", empty + string(os.PathListSeparator) + repo, repo},
		{"working directory and above", "", empty, repo},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := nekoton.FindNodeModules(tc.dir, func(k string) string {
				if k == "NODE_PATH" {
					return tc.nodePath
				}
				return ""
			})
			if err != nil || got != tc.want {
				t.Fatalf("FindNodeModules = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestOpenAndClose: a bridge of its own, from the embedded script with
// packages found through NODE_PATH only, answers until closed and then
// fails with ErrClosed.
func TestOpenAndClose(t *testing.T) {
	nekotontest.Start(t)
	modules, err := nekoton.FindNodeModules("", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // no node_modules here or above
	b, err := nekoton.Open(nekoton.Options{Getenv: func(k string) string {
		if k == "NODE_PATH" {
			return modules
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	var cfg string
	if err := b.CallInto(&cfg, "everConfig"); err != nil || len(cfg) < 1000 {
		t.Fatalf("everConfig: %d characters, %v", len(cfg), err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Call("everConfig"); !errors.Is(err, nekoton.ErrClosed) {
		t.Fatalf("call after Close: %v, want ErrClosed", err)
	}
	b.Close() // a second Close does nothing
}
