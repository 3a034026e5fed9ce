package anytree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// ErrGit is a git command that failed for another reason than the input:
// a repository that cannot be reached, above all.
var ErrGit = errors.New("git")

// Source is what anytree builds: a directory of a repository at a commit,
// or a local directory.
type Source struct {
	// Repo is what git clones (an https://, ssh://, file:// or gosh://
	// URL, or a path); empty for a local directory.
	Repo string
	// Commit is the commit to check out, as written.
	Commit string
	// Dir is the directory in the repository (slash-separated, "." for
	// its root), or the local directory.
	Dir string
}

// Local reports whether the source is a local directory, built as it is.
func (s Source) Local() bool { return s.Repo == "" }

func (s Source) String() string {
	if s.Local() {
		return s.Dir
	}
	return s.Repo + "#" + s.Commit + ":" + s.Dir
}

// ParseSource reads REPO_URL#COMMIT[:DIR], or a local directory (anything
// without a '#').
func ParseSource(s string) (Source, error) {
	repo, rest, ok := cutLast(s, "#")
	if !ok {
		if s == "" {
			return Source{}, invalidf("an empty source")
		}
		return Source{Dir: s}, nil
	}
	commit, dir, _ := strings.Cut(rest, ":")
	if dir == "" {
		dir = "."
	}
	switch {
	case repo == "":
		return Source{}, invalidf("%q names no repository before '#'", s)
	case commit == "":
		return Source{}, invalidf("%q names no commit after '#'", s)
	case strings.Contains(repo, "::") || strings.HasPrefix(repo, "-"):
		return Source{}, invalidf("repository %q: expected an https://, ssh://, file:// or gosh:// URL or a path", repo)
	case strings.HasPrefix(repo, "http://"):
		return Source{}, invalidf("repository %q: plain HTTP is not used for sources (https://)", repo)
	}
	clean := path.Clean(dir)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return Source{}, invalidf("directory %q must be inside the repository", dir)
	}
	return Source{Repo: repo, Commit: commit, Dir: clean}, nil
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// IsCommitID reports whether s is written as a commit id (at least 7 hex
// digits), which names one commit for ever, unlike a branch or a tag.
func IsCommitID(s string) bool {
	return len(s) >= 7 && len(s) <= 64 && hexstr.IsLower(s)
}

// Checkout is a source on disk.
type Checkout struct {
	// Root is the repository's work tree ("" for a local source that is
	// not in one).
	Root string
	// Dir is the source's directory.
	Dir string
	// Commit is the full id of the commit checked out ("" when none).
	Commit string
	// Time is the commit's time, the build's SOURCE_DATE_EPOCH (zero when
	// there is no commit).
	Time time.Time
	// clone is the directory Remove deletes, for a fresh clone.
	clone string
}

// Remove deletes the clone, if Git made one.
func (c *Checkout) Remove() error {
	if c.clone == "" {
		return nil
	}
	return os.RemoveAll(c.clone)
}

// Git clones sources.
type Git struct {
	// Dir holds the clones, each in a fresh directory.
	Dir string
	// Locked refuses a commit that is not written as a commit id.
	Locked bool
	// Progress receives git's own progress, if set.
	Progress io.Writer
}

// Checkout clones src.Repo into a fresh directory below g.Dir and checks
// out exactly src.Commit; a local source is only looked at.
func (g *Git) Checkout(ctx context.Context, src Source) (*Checkout, error) {
	if src.Local() {
		return g.local(ctx, src.Dir)
	}
	if g.Locked && !IsCommitID(src.Commit) {
		return nil, invalidf("%q is not a commit id: a branch or a tag moves, a locked build takes the commit itself", src.Commit)
	}
	if strings.HasPrefix(src.Repo, "gosh://") {
		if _, err := exec.LookPath("git-remote-gosh"); err != nil {
			return nil, invalidf("%s: gosh:// repositories are cloned through git-remote-gosh, which is not installed", src.Repo)
		}
	}
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("making a directory for the clone: %w", err)
	}
	clone, err := os.MkdirTemp(g.Dir, "clone-")
	if err != nil {
		return nil, fmt.Errorf("making a directory for the clone: %w", err)
	}
	c := &Checkout{Root: clone, clone: clone}
	fail := func(err error) (*Checkout, error) {
		c.Remove()
		return nil, err
	}
	if g.Progress != nil {
		fmt.Fprintf(g.Progress, "cloning %s\n", src.Repo)
	}
	if _, err := g.git(ctx, "", "clone", "--quiet", "--no-checkout", "--", src.Repo, clone); err != nil {
		return fail(fmt.Errorf("%w: cloning %s: %v", ErrGit, src.Repo, err))
	}
	candidates := []string{src.Commit}
	if !g.Locked {
		candidates = append(candidates, "origin/"+src.Commit)
	}
	for _, rev := range candidates {
		if out, err := g.git(ctx, clone, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}"); err == nil {
			c.Commit = strings.TrimSpace(out)
			break
		}
	}
	if c.Commit == "" || (g.Locked && !strings.HasPrefix(c.Commit, src.Commit)) {
		return fail(invalidf("commit %s is not in %s", src.Commit, src.Repo))
	}
	if _, err := g.git(ctx, clone, "checkout", "--quiet", "--detach", c.Commit); err != nil {
		return fail(fmt.Errorf("%w: checking out %s: %v", ErrGit, c.Commit, err))
	}
	if c.Time, err = g.commitTime(ctx, clone); err != nil {
		return fail(err)
	}
	c.Dir = filepath.Join(clone, filepath.FromSlash(src.Dir))
	if fi, err := os.Stat(c.Dir); err != nil || !fi.IsDir() {
		return fail(invalidf("%s has no directory %s at %s", src.Repo, src.Dir, c.Commit))
	}
	if _, err := c.Path("."); err != nil {
		return fail(err)
	}
	return c, nil
}

// Path is rel (slash-separated, inside the source's directory) on disk. In
// a clone, a path that a symbolic link of the repository takes out of the
// clone is refused: a repository must not make a build read the files of
// the machine that builds it.
func (c *Checkout) Path(rel string) (string, error) {
	p := filepath.Join(c.Dir, filepath.FromSlash(rel))
	if c.clone == "" {
		return p, nil
	}
	real, err := filepath.EvalSymlinks(p)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil // reading it says what is missing
	}
	if err != nil {
		return "", invalidf("%s: %v", rel, err)
	}
	root, err := filepath.EvalSymlinks(c.clone)
	if err != nil {
		return "", invalidf("%s: %v", rel, err)
	}
	if r, err := filepath.Rel(root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", invalidf("%s leaves the repository through a symbolic link", rel)
	}
	return p, nil
}

// local is a local directory, with its repository's HEAD commit when it
// is in one.
func (g *Git) local(ctx context.Context, dir string) (*Checkout, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, invalidf("%s is not a directory", dir)
	}
	c := &Checkout{Dir: dir}
	root, err := g.git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return c, nil // not a repository: no commit, no time
	}
	c.Root = strings.TrimSpace(root)
	if out, err := g.git(ctx, dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err == nil {
		c.Commit = strings.TrimSpace(out)
		if c.Time, err = g.commitTime(ctx, dir); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (g *Git) commitTime(ctx context.Context, dir string) (time.Time, error) {
	out, err := g.git(ctx, dir, "show", "-s", "--format=%ct", "HEAD")
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: reading the commit's time: %v", ErrGit, err)
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: the commit's time %q", ErrGit, strings.TrimSpace(out))
	}
	return time.Unix(sec, 0), nil
}

// git runs git in dir with no prompts and only the transports a source may
// use, and returns its output; the error carries the end of its standard
// error on one line.
func (g *Git) git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ALLOW_PROTOCOL=file:https:ssh:gosh",
		"GIT_CONFIG_NOSYSTEM=1",
		"LC_ALL=C",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", errors.New(gitMessage(stderr.String(), err))
	}
	return stdout.String(), nil
}

// gitMessage is the line of git's standard error that says what went
// wrong: its first "fatal:" or "error:" line, else its last line.
func gitMessage(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		for _, p := range []string{"fatal: ", "error: "} {
			if rest, ok := strings.CutPrefix(l, p); ok {
				return strings.TrimSpace(rest)
			}
		}
	}
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		return last
	}
	return err.Error()
}

// invalidf is an error that matches ErrInvalid and reads as its message
// alone.
func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }
