//go:build !lean

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
	"gopkg.in/yaml.v3"

	"github.com/gosh-sh/sign-cli/anytree"
	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/gosh-sh/sign-cli/internal/atomicfile"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/sbom"
	"github.com/gosh-sh/sign-cli/signature"
)

// NewCmdAnytree groups the commands that build from a repository at a
// commit.
func NewCmdAnytree(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "anytree",
		Short: shortAnytree,
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
	b.lock.cargo.addRegistry(f) // the Cargo.lock is Gosh.yaml's
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
		base = filepath.Join(os.TempDir(), "sign-cli")
	}
	git := &anytree.Git{Dir: filepath.Join(base, "anytree"), Locked: !a.dev}
	if !app.quiet {
		git.Progress = app.Err
	}
	read := func(co *anytree.Checkout) ([]byte, error) {
		p, err := co.Path(anytree.FileName)
		if err != nil {
			return nil, usageError("%v", err)
		}
		return readInput(app, anytree.FileName, p, anytree.MaxFileSize)
	}
	// Every source is checked out, and its Gosh.yaml read, before the
	// first build: a cycle or a bad Gosh.yaml anywhere builds nothing.
	tree, err := git.Resolve(ctx, src, read)
	if err != nil {
		return anytreeError(err)
	}
	if a.keep {
		for _, n := range tree.Order() {
			if n.Checkout.Root != "" && !n.Source.Local() {
				app.warn("kept the clone of %s at %s", n.Source, n.Checkout.Root)
			}
		}
	} else {
		defer tree.Remove()
	}
	tmp, err := os.MkdirTemp("", "sign-cli-anytree-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// So is a goshfile that does not read the images built for it.
	for i, n := range tree.Order() {
		if len(n.Images) > 0 {
			var nb buildFlags
			if err := applyGosh(&nb, n.File, n.Checkout); err != nil {
				return err
			}
			if err := useBuiltImages(app, &nb, n, nil, filepath.Join(tmp, "check", strconv.Itoa(i))); err != nil {
				return err
			}
		}
	}

	built := map[*anytree.Node]builtImage{}
	var results []signature.Signed
	var pub keys.PublicKey
	for i, n := range tree.Order() {
		nb := *b
		nb.labels, nb.buildArgs = slices.Clone(b.labels), nil
		results, pub, err = buildNode(ctx, app, o, &nb, a, n, built, filepath.Join(tmp, strconv.Itoa(i)))
		if err != nil {
			return err
		}
		if n == tree {
			break
		}
		if built[n], err = builtFrom(ctx, app, o, n, results); err != nil {
			return err
		}
	}
	if !app.quiet || slices.ContainsFunc(results, func(r signature.Signed) bool { return r.Err != nil }) {
		return printSigned(app, o.output, pub, results)
	}
	for _, r := range results {
		fmt.Fprintln(app.Out, r.Target.Digest)
	}
	return nil
}

// builtImage is an image anytree built from source for another build.
type builtImage struct {
	ref      string // REPOSITORY@DIGEST, as pushed
	identity string // image.Identity
}

// builtFrom reads what the build of n pushed.
func builtFrom(ctx context.Context, app *App, o *signFlags, n *anytree.Node, results []signature.Signed) (builtImage, error) {
	r := results[0]
	if r.Err != nil {
		return builtImage{}, &exitError{code: exitCode(r.Err), err: fmt.Errorf("%s: signing %s: %w", n.Source, r.Target, r.Err)}
	}
	id, err := o.reg.registry(app).Identity(ctx, r.Target)
	if err != nil {
		return builtImage{}, fmt.Errorf("%s: %w", n.Source, err)
	}
	app.progress("built %s: %s (identity %s)", n.Source, r.Target, id)
	return builtImage{ref: r.Target.String(), identity: id}, nil
}

// buildNode builds, pushes and signs one source, its images already built.
func buildNode(ctx context.Context, app *App, o *signFlags, b *buildFlags, a *anytreeFlags, n *anytree.Node, built map[*anytree.Node]builtImage, tmp string) ([]signature.Signed, keys.PublicKey, error) {
	co := n.Checkout
	if err := applyGosh(b, n.File, co); err != nil {
		return nil, keys.PublicKey{}, err
	}
	if !co.Time.IsZero() {
		b.epoch = strconv.FormatInt(co.Time.Unix(), 10)
	}
	identities := map[string]string{}
	if len(n.Images) > 0 {
		for name, child := range n.Images {
			identities[name] = built[child].identity
		}
		if err := useBuiltImages(app, b, n, built, tmp); err != nil {
			return nil, keys.PublicKey{}, err
		}
	}
	if a.dev {
		if err := writeSBOM(ctx, app, b, co, o.reg.insecure, identities); err != nil {
			return nil, keys.PublicKey{}, err
		}
	} else if err := checkBuiltImages(app, b, n, identities); err != nil {
		return nil, keys.PublicKey{}, err
	}
	if co.Commit != "" {
		app.progress("building %s at %s", n.Source, co.Commit)
	}
	return buildAndSign(ctx, app, o, b, []string{co.Dir})
}

// useBuiltImages makes the build of n read the images built for it, by
// digest: a goshfile's image: NAME is written anew in tmp with the image's
// reference (the build context stays the checkout); a Dockerfile reads
// each as the named build context NAME (FROM NAME).
func useBuiltImages(app *App, b *buildFlags, n *anytree.Node, built map[*anytree.Node]builtImage, tmp string) error {
	file := b.file
	if file == "" {
		file = defaultBuildFile(n.Checkout.Dir)
	}
	if !sbom.IsGoshfile(file) {
		// A Dockerfile reads them as named build contexts (FROM NAME).
		b.images = map[string]string{}
		for name, child := range n.Images {
			b.images[name] = built[child].ref
			if b.images[name] == "" {
				b.images[name] = "scratch" // checked before the images are built
			}
		}
		return nil
	}
	data, err := readInput(app, "goshfile "+file, file, goshfile.MaxSize)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return usageError("%s: not a goshfile", file)
	}
	used := ""
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "image" {
			continue
		}
		v := m.Content[i+1]
		if child, ok := n.Images[v.Value]; ok {
			used, v.Value = v.Value, built[child].ref
			if v.Value == "" {
				v.Value = "scratch" // checked before the images are built
			}
		}
	}
	for name := range n.Images {
		if name != used {
			return usageError("%s: images: %s is built but the goshfile's image: does not name it", n.Source, name)
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	b.file = filepath.Join(tmp, filepath.Base(file))
	return os.WriteFile(b.file, out, 0o644)
}

// checkBuiltImages holds the images built first to the identities the
// SBOM records for them: another identity is exit code 1.
func checkBuiltImages(app *App, b *buildFlags, n *anytree.Node, identities map[string]string) error {
	if len(identities) == 0 {
		return nil
	}
	data, err := readInput(app, "SBOM "+b.lock.sbom, b.lock.sbom, sbom.MaxSize)
	if err != nil {
		return err
	}
	doc, err := sbom.Read(bytes.NewReader(data))
	if err != nil {
		return sbomError(fmt.Errorf("%s: %w", b.lock.sbom, err))
	}
	recorded := sbom.Built(doc)
	for _, name := range slices.Sorted(maps.Keys(identities)) {
		switch rec, ok := recorded[name]; {
		case !ok:
			return usageError("%s: the SBOM records no identity for image %s (generate it with --dev)", n.Source, name)
		case rec != identities[name]:
			return &exitError{code: exitNotVerified, err: fmt.Errorf("%s: image %s built from %s is %s, the SBOM records %s", n.Source, name, n.Images[name].Source, identities[name], rec)}
		}
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
func applyGosh(b *buildFlags, g *anytree.File, co *anytree.Checkout) error {
	var errs []error
	in := func(p string) string {
		path, err := co.Path(p)
		errs = append(errs, err)
		return path
	}
	switch {
	case g.Dockerfile != "":
		b.file = in(g.Dockerfile)
	case g.Goshfile != "":
		b.file = in(g.Goshfile)
	default:
		for _, name := range []string{goshfileName, "Dockerfile"} {
			in(name)
		}
	}
	b.tag = g.Tag
	for _, k := range slices.Sorted(maps.Keys(g.Args)) {
		b.buildArgs = append(b.buildArgs, k+"="+g.Args[k])
	}
	b.lock.sbom, b.lock.locked = in(g.SBOM), true
	cargoLock := in(g.CargoLock)
	if slices.Contains(g.Prepare, "cargo") {
		b.lock.cargo.lock = cargoLock
	}
	if err := errors.Join(errs...); err != nil {
		return usageError("%s: %v", anytree.FileName, err)
	}
	return nil
}

// writeSBOM generates the SBOM of the build b describes and writes it
// where the locked build reads it (--dev).
func writeSBOM(ctx context.Context, app *App, b *buildFlags, co *anytree.Checkout, insecure bool, built map[string]string) error {
	s := &sbomFlags{file: b.file, buildArgs: b.buildArgs, cargo: b.lock.cargo, name: b.tag, images: b.images}
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
	for _, name := range slices.Sorted(maps.Keys(built)) {
		sbom.RecordBuilt(doc, name, built[name])
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
