// Package anytreetest makes git repositories for tests: commits of given
// files at given times, served as file:// URLs.
package anytreetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Repo is a git repository in a test's temporary directory.
type Repo struct {
	Dir string
	t   testing.TB
}

// New makes an empty repository whose branch is main. The test is skipped
// when git is missing.
func New(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skipf("git is not installed: %v", err)
	}
	r := &Repo{Dir: t.TempDir(), t: t}
	r.Git("init", "--quiet", "--initial-branch=main")
	return r
}

// URL is the repository's file:// URL.
func (r *Repo) URL() string { return "file://" + filepath.ToSlash(r.Dir) }

// Git runs git in the repository and returns its output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.gitAt(time.Unix(1700000000, 0), args...)
}

func (r *Repo) gitAt(when time.Time, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	date := strconv.FormatInt(when.Unix(), 10) + " +0000"
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com", "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+r.Dir,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (slash-separated paths; an empty content removes the
// file), commits them all at when and returns the commit's id.
func (r *Repo) Commit(when time.Time, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if content == "" {
			os.Remove(p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.gitAt(when, "add", "--all")
	r.gitAt(when, "commit", "--quiet", "--allow-empty", "-m", "commit at "+when.UTC().Format(time.RFC3339))
	return r.gitAt(when, "rev-parse", "HEAD")
}
