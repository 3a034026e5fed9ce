package anytree_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/anytree"
	"github.com/gosh-sh/sign-cli/anytree/anytreetest"
)

func TestParseSource(t *testing.T) {
	tests := []struct {
		in   string
		want anytree.Source
		err  string
	}{
		{in: "https://example.com/r.git#0123abc:app", want: anytree.Source{Repo: "https://example.com/r.git", Commit: "0123abc", Dir: "app"}},
		{in: "file:///srv/r#0123abc", want: anytree.Source{Repo: "file:///srv/r", Commit: "0123abc", Dir: "."}},
		{in: "gosh://0:abc/dao/repo#0123abc:a/b/", want: anytree.Source{Repo: "gosh://0:abc/dao/repo", Commit: "0123abc", Dir: "a/b"}},
		{in: "./app", want: anytree.Source{Dir: "./app"}},
		{in: "#0123abc", err: "names no repository"},
		{in: "file:///r#", err: "names no commit"},
		{in: "file:///r#0123abc:../up", err: `directory "../up" must be inside the repository`},
		{in: "ext::sh -c x#0123abc", err: "expected an https://, ssh://, file:// or gosh:// URL or a path"},
		{in: "http://example.com/r#0123abc", err: "plain HTTP"},
	}
	for _, tt := range tests {
		got, err := anytree.ParseSource(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, anytree.ErrInvalid) {
				t.Errorf("ParseSource(%q): error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckout(t *testing.T) {
	repo := anytreetest.New(t)
	t1, t2 := time.Unix(1700000000, 0), time.Unix(1710000000, 0)
	c1 := repo.Commit(t1, map[string]string{"app/Gosh.yaml": "tag: r/a:1\n", "app/v": "one"})
	c2 := repo.Commit(t2, map[string]string{"app/v": "two"})
	g := &anytree.Git{Dir: t.TempDir(), Locked: true}
	ctx := context.Background()

	for _, tt := range []struct {
		commit, content string
		when            time.Time
	}{{c1, "one", t1}, {c2[:10], "two", t2}} {
		co, err := g.Checkout(ctx, anytree.Source{Repo: repo.URL(), Commit: tt.commit, Dir: "app"})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(co.Dir, "v"))
		if string(got) != tt.content || !co.Time.Equal(tt.when) || !strings.HasPrefix(co.Commit, tt.commit) || len(co.Commit) != 40 {
			t.Errorf("checkout of %s: v %q, time %v, commit %s", tt.commit, got, co.Time, co.Commit)
		}
		if err := co.Remove(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(co.Root); !os.IsNotExist(err) {
			t.Errorf("Remove left %s", co.Root)
		}
	}

	refusals := []struct {
		name string
		src  anytree.Source
		git  *anytree.Git
		err  string
		kind error
	}{
		{"a branch, locked", anytree.Source{Repo: repo.URL(), Commit: "main", Dir: "."}, g, `"main" is not a commit id`, anytree.ErrInvalid},
		{"a commit that does not exist", anytree.Source{Repo: repo.URL(), Commit: "0123456789abcdef0123456789abcdef01234567", Dir: "."}, g, "commit 0123456789abcdef0123456789abcdef01234567 is not in " + repo.URL(), anytree.ErrInvalid},
		{"a directory that does not exist", anytree.Source{Repo: repo.URL(), Commit: c1, Dir: "gone"}, g, "has no directory gone at " + c1, anytree.ErrInvalid},
		{"a repository that does not exist", anytree.Source{Repo: "file:///nonexistent/repo", Commit: c1, Dir: "."}, g, "cloning file:///nonexistent/repo", anytree.ErrGit},
		{"a gosh repository without its helper", anytree.Source{Repo: "gosh://0:abc/dao/r", Commit: c1, Dir: "."}, g, "git-remote-gosh, which is not installed", anytree.ErrInvalid},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if strings.HasPrefix(tt.src.Repo, "gosh://") {
				t.Setenv("PATH", t.TempDir())
			}
			_, err := tt.git.Checkout(ctx, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, tt.kind) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q that is %v", err, tt.err, tt.kind)
			}
		})
	}
	if ents, _ := os.ReadDir(g.Dir); len(ents) != 0 {
		t.Errorf("failed checkouts left %d clones", len(ents))
	}

	// Outside locked mode a branch is taken as it is now.
	dev := &anytree.Git{Dir: t.TempDir()}
	co, err := dev.Checkout(ctx, anytree.Source{Repo: repo.URL(), Commit: "main", Dir: "app"})
	if err != nil || co.Commit != c2 {
		t.Fatalf("dev checkout of main: %+v, %v; want %s", co, err, c2)
	}
	// A local directory is looked at, with its HEAD's time.
	co, err = dev.Checkout(ctx, anytree.Source{Dir: filepath.Join(repo.Dir, "app")})
	if err != nil || co.Commit != c2 || !co.Time.Equal(t2) || co.Remove() != nil {
		t.Fatalf("local checkout: %+v, %v", co, err)
	}
	if _, err := os.Stat(repo.Dir); err != nil {
		t.Fatal("Remove of a local source removed it")
	}

	// Symbolic links of the repository do not lead out of the clone.
	if err := os.Symlink("/etc", filepath.Join(repo.Dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(repo.Dir, "app", "sbom.spdx.json")); err != nil {
		t.Fatal(err)
	}
	c3 := repo.Commit(time.Unix(1720000000, 0), nil)
	if _, err := g.Checkout(ctx, anytree.Source{Repo: repo.URL(), Commit: c3, Dir: "out"}); err == nil || !errors.Is(err, anytree.ErrInvalid) || !strings.Contains(err.Error(), ". leaves the repository through a symbolic link") {
		t.Errorf("a directory that is a link out of the repository: %v", err)
	}
	linked, err := g.Checkout(ctx, anytree.Source{Repo: repo.URL(), Commit: c3, Dir: "app"})
	if err != nil {
		t.Fatal(err)
	}
	defer linked.Remove()
	if _, err := linked.Path("sbom.spdx.json"); err == nil || !strings.Contains(err.Error(), "sbom.spdx.json leaves the repository") {
		t.Errorf("a file that is a link out of the repository: %v", err)
	}
	if p, err := linked.Path("v"); err != nil || p != filepath.Join(linked.Dir, "v") {
		t.Errorf("Path(v) = %q, %v", p, err)
	}
}
