package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/anytree"
	"github.com/gosh-sh/sign-cli/internal/atomicfile"
	"github.com/gosh-sh/sign-cli/sbom"
	"github.com/gosh-sh/sign-cli/signature"
)

// NewCmdAnytree groups the commands that build from a repository at a
// commit.
func NewCmdAnytree(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "anytree",
		Short: "Build, push and sign an image from a repository at a commit, locked by its SBOM",
		Args:  exactArgs(0, "a subcommand (build)"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdAnytreeBuild(app))
	return cmd
}

// anytreeFlags are anytree build's own flags.
type anytreeFlags struct {
	dev  bool
	keep bool
}

func newCmdAnytreeBuild(app *App) *cobra.Command {
	o := &signFlags{}
	b := &buildFlags{builder: "buildkit"}
	a := &anytreeFlags{}
	cmd := &cobra.Command{
		Use:   "build [-q] REPO_URL#COMMIT[:DIR] | DIR",
		Short: "Clone a repository at a commit and build, push and sign what its Gosh.yaml describes",
		Long: `Clone REPO_URL (https://, ssh://, file://, a path, or gosh:// through
git-remote-gosh) into a fresh directory under the user's cache directory,
check out exactly COMMIT (a commit id: a branch or a tag is refused), read
DIR/Gosh.yaml and build what it describes, locked to its SBOM, as
'build-and-sign --sbom SBOM --locked' does: the images the SBOM pins, run
steps without a network, the Rust crates of prepare: [cargo] prepared from
the SBOM. The image is pushed to Gosh.yaml's tag and signed as 'sign' signs
(every signing flag applies). SOURCE_DATE_EPOCH is the commit's time, so
the same commit gives the same digest. A local DIR is built as it is.

-q prints only the pushed digest. --dev takes a branch too, and generates
the SBOM (writing it into the checkout) instead of requiring it; --keep
keeps the clone. See docs/anytree.md.`,
		Example: `  sign-cli anytree build https://example.com/team/app.git#4f1c2a9e0b7d:service
  sign-cli anytree build -q file:///srv/git/app#4f1c2a9e0b7d
  sign-cli anytree build --dev .`,
		Args: exactArgs(1, "the source: REPO_URL#COMMIT[:DIR] or a directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.lifetimeSet = cmd.Flags().Changed("message-lifetime")
			return runAnytreeBuild(cmd.Context(), app, o, b, a, args[0])
		},
	}
	o.add(cmd)
	f := cmd.Flags()
	f.StringVar(&b.addr, "addr", "", "BuildKit daemon address (default $BUILDKIT_HOST or "+defaultBuildkitAddr+")")
	f.StringVar(&b.platform, "platform", "", "target platform, such as linux/amd64")
	f.StringVar(&b.progress, "progress", "auto", "progress display: auto, plain, tty or quiet")
	f.BoolVar(&b.noCache, "no-cache", false, "do not use BuildKit's cache")
	f.StringArrayVar(&b.labels, "label", nil, "`key=value` label of the image (repeatable)")
	b.lock.cargo.add(f, true)
	f.BoolVar(&a.dev, "dev", false, "development: take a branch, and generate or update the SBOM instead of requiring it")
	f.BoolVar(&a.keep, "keep", false, "keep the clone (its path is printed on standard error)")
	return cmd
}

func runAnytreeBuild(ctx context.Context, app *App, o *signFlags, b *buildFlags, a *anytreeFlags, source string) error {
	src, err := anytree.ParseSource(source)
	if err != nil {
		return usageError("%v", err)
	}
	base := app.cacheDir()
	if base == "" {
		base = os.TempDir()
	}
	git := &anytree.Git{Dir: filepath.Join(base, "sign-cli", "anytree"), Locked: !a.dev}
	if !app.quiet {
		git.Progress = app.Err
	}
	co, err := git.Checkout(ctx, src)
	if err != nil {
		return anytreeError(err)
	}
	if a.keep && !src.Local() {
		app.warn("kept the clone of %s at %s", src, co.Root)
	} else {
		defer co.Remove()
	}
	if co.Commit != "" {
		app.progress("building %s at %s", src, co.Commit)
	}
	data, err := readInput(app, anytree.FileName, filepath.Join(co.Dir, anytree.FileName), anytree.MaxFileSize)
	if err != nil {
		return err
	}
	gosh, err := anytree.Parse(data)
	if err != nil {
		return usageError("%v", err)
	}
	if len(gosh.Images) > 0 {
		return usageError("%s: images: building images from other sources first is not supported yet", anytree.FileName)
	}
	applyGosh(b, gosh, co)
	if !co.Time.IsZero() {
		b.epoch = strconv.FormatInt(co.Time.Unix(), 10)
	}
	if a.dev {
		if err := writeSBOM(ctx, app, b, co, o.reg.insecure); err != nil {
			return err
		}
	}
	results, pub, err := buildAndSign(ctx, app, o, b, []string{co.Dir})
	if err != nil {
		return err
	}
	if !app.quiet || slices.ContainsFunc(results, func(r signature.Signed) bool { return r.Err != nil }) {
		return printSigned(app, o.output, pub, results)
	}
	for _, r := range results {
		fmt.Fprintln(app.Out, r.Target.Digest)
	}
	return nil
}

// anytreeError gives git's and Gosh.yaml's bad input exit code 2; a git
// that fails otherwise (a repository out of reach) keeps 3.
func anytreeError(err error) error {
	if errors.Is(err, anytree.ErrInvalid) {
		return &exitError{code: exitUsage, err: err}
	}
	return err
}

// applyGosh turns a Gosh.yaml into build-and-sign's flags for a locked
// build of the checkout.
func applyGosh(b *buildFlags, g *anytree.File, co *anytree.Checkout) {
	in := func(p string) string { return filepath.Join(co.Dir, filepath.FromSlash(p)) }
	switch {
	case g.Dockerfile != "":
		b.file = in(g.Dockerfile)
	case g.Goshfile != "":
		b.file = in(g.Goshfile)
	}
	b.tag = g.Tag
	for _, k := range slices.Sorted(maps.Keys(g.Args)) {
		b.buildArgs = append(b.buildArgs, k+"="+g.Args[k])
	}
	b.lock.sbom, b.lock.locked = in(g.SBOM), true
	if slices.Contains(g.Prepare, "cargo") {
		b.lock.cargo.lock = in(g.CargoLock)
	}
}

// writeSBOM generates the SBOM of the build b describes and writes it
// where the locked build reads it (--dev).
func writeSBOM(ctx context.Context, app *App, b *buildFlags, co *anytree.Checkout, insecure bool) error {
	s := &sbomFlags{file: b.file, buildArgs: b.buildArgs, cargo: b.lock.cargo, name: b.tag}
	s.reg.insecure = insecure
	if b.platform != "" {
		s.platforms = []string{b.platform}
	}
	opt, err := s.options(app, []string{co.Dir})
	if err != nil {
		return err
	}
	if b.epoch != "" {
		sec, _ := strconv.ParseInt(b.epoch, 10, 64)
		opt.Created = time.Unix(sec, 0)
	}
	doc, err := sbom.Generate(ctx, opt)
	if err != nil {
		return sbomError(fmt.Errorf("generating the SBOM of %s: %w", opt.Filename, err))
	}
	var buf bytes.Buffer
	if err := sbom.Write(&buf, doc); err != nil {
		return err
	}
	if err := atomicfile.Write(b.lock.sbom, buf.Bytes(), 0o644, true); err != nil {
		return usageError("writing %s: %v", b.lock.sbom, err)
	}
	app.progress("wrote the SBOM of %s (%d packages) to %s", opt.Filename, len(doc.Packages)-1, b.lock.sbom)
	return nil
}
