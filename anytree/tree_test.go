package anytree_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/anytree"
	"github.com/gosh-sh/sign-cli/anytree/anytreetest"
)

func readGosh(co *anytree.Checkout) ([]byte, error) {
	p, err := co.Path(anytree.FileName)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// TestResolve: a diamond (top reads left and right, both read bottom)
// resolves bottom once, and orders every source after its images.
func TestResolve(t *testing.T) {
	repo := anytreetest.New(t)
	bottom := repo.Commit(time.Unix(1700000000, 0), map[string]string{"bottom/Gosh.yaml": "tag: r/bottom:1\n"})
	src := func(dir string) string { return repo.URL() + "#" + bottom + ":" + dir }
	// left names bottom by its full id, right by a short one: one source.
	c := repo.Commit(time.Unix(1700000100, 0), map[string]string{
		"left/Gosh.yaml":  "tag: r/left:1\nimages:\n  b: " + src("bottom") + "\n",
		"right/Gosh.yaml": "tag: r/right:1\nimages:\n  b: " + repo.URL() + "#" + bottom[:9] + ":bottom\n",
	})
	c = repo.Commit(time.Unix(1700000200, 0), map[string]string{
		"top/Gosh.yaml": "tag: r/top:1\nimages:\n  l: " + repo.URL() + "#" + c + ":left\n  r: " + repo.URL() + "#" + c + ":right\n",
	})
	g := &anytree.Git{Dir: t.TempDir(), Locked: true}
	tree, err := g.Resolve(context.Background(), anytree.Source{Repo: repo.URL(), Commit: c, Dir: "top"}, readGosh)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, n := range tree.Order() {
		order = append(order, n.File.Tag)
	}
	if got := strings.Join(order, " "); got != "r/bottom:1 r/left:1 r/right:1 r/top:1" {
		t.Errorf("order %s", got)
	}
	if tree.Images["l"].Images["b"] != tree.Images["r"].Images["b"] {
		t.Error("bottom resolved twice")
	}
	if ents, _ := os.ReadDir(g.Dir); len(ents) != 4 {
		t.Errorf("%d clones, want 4 (one per source)", len(ents))
	}
	tree.Remove()
	if ents, _ := os.ReadDir(g.Dir); len(ents) != 0 {
		t.Errorf("Remove left %d clones", len(ents))
	}
}

func TestResolveRefuses(t *testing.T) {
	repo := anytreetest.New(t)
	repo.Commit(time.Unix(1700000000, 0), map[string]string{
		"x/Gosh.yaml":   "tag: r/x:1\nimages:\n  y: " + repo.URL() + "#main:y\n",
		"y/Gosh.yaml":   "tag: r/y:1\nimages:\n  x: " + repo.URL() + "#main:x\n",
		"bad/Gosh.yaml": "tag: r/bad:1\nimages:\n  z: " + repo.URL() + "#main:z\n",
		"z/Gosh.yaml":   "tag: r/z:1\nfrom: x\n",
	})
	head := repo.Git("rev-parse", "HEAD")
	tests := []struct {
		dir  string
		err  string
		kind error
	}{
		{"x", "a cycle of images: " + repo.URL() + "#" + head + ":x -> " + repo.URL() + "#" + head + ":y -> " + repo.URL() + "#" + head + ":x", anytree.ErrCycle},
		{"bad", "image z: " + repo.URL() + "#main:z: Gosh.yaml:2:1: unknown field \"from\"", anytree.ErrInvalid},
	}
	for _, tt := range tests {
		g := &anytree.Git{Dir: t.TempDir()}
		_, err := g.Resolve(context.Background(), anytree.Source{Repo: repo.URL(), Commit: "main", Dir: tt.dir}, readGosh)
		if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, tt.kind) {
			t.Errorf("%s: error %v, want %q", tt.dir, err, tt.err)
		}
		if ents, _ := os.ReadDir(g.Dir); len(ents) != 0 {
			t.Errorf("%s: a refusal left %d clones", tt.dir, len(ents))
		}
	}
}
