//go:build !lean

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/atomicfile"
	"github.com/gosh-sh/sign-cli/sbom"
)

// maxBuildFile bounds a Dockerfile or goshfile, as a goshfile is bounded.
const maxBuildFile = 1 << 20

// sbomFlags are the flags that say which build an SBOM describes: the same
// for generate and verify, so that verify regenerates exactly.
type sbomFlags struct {
	reg       registryFlags
	file      string
	platforms []string
	buildArgs []string
	target    string
	name      string
	cargo     cargoFlags
	images    map[string]string // named contexts that are images built first (anytree)
}

func (s *sbomFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&s.file, "file", "f", "", "the goshfile (*.yaml, *.yml) or Dockerfile (default CONTEXT/goshfile.yaml, else CONTEXT/Dockerfile)")
	f.StringArrayVar(&s.platforms, "platform", nil, "target platform, such as linux/arm64; repeat or separate with commas (default linux/amd64)")
	f.StringArrayVar(&s.buildArgs, "build-arg", nil, "a Dockerfile build argument NAME=VALUE; repeat for more")
	f.StringVar(&s.target, "target", "", "the Dockerfile stage to build (default the last)")
	f.StringVar(&s.name, "name", "", "the name of the image built, recorded as the SBOM's root package (default the context directory's name)")
	s.cargo.add(f, true)
	s.reg.add(cmd)
}

// options reads the build file and turns the flags into sbom.Options.
func (s *sbomFlags) options(app *App, args []string) (sbom.Options, error) {
	contextDir := args[0]
	if fi, err := os.Stat(contextDir); err != nil || !fi.IsDir() {
		return sbom.Options{}, usageError("build context %q is not a directory", contextDir)
	}
	file := s.file
	if file == "" {
		file = defaultBuildFile(contextDir)
	}
	data, err := readInput(app, "build file "+file, file, maxBuildFile)
	if err != nil {
		return sbom.Options{}, err
	}
	opt := sbom.Options{
		Filename: recordedName(contextDir, file),
		Data:     data,
		Name:     s.name,
		Target:   s.target,
		Tool:     "sign-cli-" + version(),
		Resolver: sbomResolver(app, s.reg.insecure),
	}
	if opt.Name == "" {
		abs, err := filepath.Abs(contextDir)
		if err != nil {
			return sbom.Options{}, usageError("build context %q: %v", contextDir, err)
		}
		opt.Name = filepath.Base(abs)
	}
	for _, list := range s.platforms {
		for _, p := range strings.Split(list, ",") {
			plat, err := platforms.Parse(strings.TrimSpace(p))
			if err != nil {
				return sbom.Options{}, usageError("--platform %q: %v", p, err)
			}
			opt.Platforms = append(opt.Platforms, plat)
		}
	}
	if opt.BuildArgs, err = parseBuildArgs(s.buildArgs); err != nil {
		return sbom.Options{}, err
	}
	if opt.Created, err = sourceDateEpoch(app); err != nil {
		return sbom.Options{}, err
	}
	if !sbom.IsGoshfile(opt.Filename) {
		opt.Locals, opt.Images = dockerfileLocals, s.images
	}
	if err := s.cargo.cargoOptions(app, contextDir, s.reg.insecure, &opt); err != nil {
		return sbom.Options{}, err
	}
	return opt, nil
}

// sbomResolver resolves images through their registries, as docker pull
// would, with the Docker keychain's credentials.
func sbomResolver(app *App, insecure bool) *sbom.RegistryResolver {
	return &sbom.RegistryResolver{
		Insecure:  insecure,
		UserAgent: "sign-cli/" + version(),
		// SIGN_CLI_TRACE_REQUESTS counts these requests too.
		Transport: app.traceRegistry(&image.Registry{}).Transport,
	}
}

// recordedName is the build file's name as the SBOM records it: relative
// to the context when it is inside, so that the SBOM does not depend on
// where the checkout is.
func recordedName(contextDir, file string) string {
	if rel, err := filepath.Rel(contextDir, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(file)
}

// sourceDateEpoch is $SOURCE_DATE_EPOCH, the reproducible-builds
// convention for the time a build claims; zero when unset.
func sourceDateEpoch(app *App) (time.Time, error) {
	v := app.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, usageError("SOURCE_DATE_EPOCH %q: expected seconds since 1970 (a non-negative integer)", v)
	}
	return time.Unix(n, 0), nil
}

// NewCmdSBOM groups the commands that make and check SBOMs.
func NewCmdSBOM(app *App) *cobra.Command {
	return newCmdSBOMGroup(newCmdSBOMGenerate(app), newCmdSBOMVerify(app), newCmdSBOMShow(app))
}

func newCmdSBOMGenerate(app *App) *cobra.Command {
	s := &sbomFlags{}
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   useSBOMGenerate,
		Short: shortSBOMGenerate,
		Long: `Resolve every image the build of FILE (a goshfile or a Dockerfile) reads
through its registry, with your Docker credentials, and write an SPDX 2.3
JSON document naming each with its manifest digest: to standard output, or
to -o FILE (written atomically; an existing file is replaced only with
--force). The same build and registry content give the same bytes; the
creation time is $SOURCE_DATE_EPOCH, or 1970-01-01T00:00:00Z.`,
		Example: `  sign-cli sbom generate -o sbom.spdx.json .
  sign-cli sbom generate -f Dockerfile --platform linux/amd64,linux/arm64 --build-arg VERSION=1.4 -o sbom.spdx.json .`,
		Args: exactArgs(1, "the build context directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if force && out == "" {
				return usageError("--force only applies to -o FILE")
			}
			opt, err := s.options(app, args)
			if err != nil {
				return err
			}
			doc, err := sbom.Generate(cmd.Context(), opt)
			if err != nil {
				return sbomError(fmt.Errorf("generating the SBOM of %s: %w", opt.Filename, err))
			}
			var buf bytes.Buffer
			if err := sbom.Write(&buf, doc); err != nil {
				return err
			}
			if out == "" {
				_, err := app.Out.Write(buf.Bytes())
				return err
			}
			if err := atomicfile.Write(out, buf.Bytes(), 0o644, force); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return usageError("%s already exists; use --force to replace it", out)
				}
				return usageError("writing %s: %v", out, err)
			}
			app.progress("wrote the SBOM of %s (%d images) to %s", opt.Filename, len(doc.Packages)-1, out)
			return nil
		},
	}
	s.add(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the SBOM to FILE instead of standard output")
	cmd.Flags().BoolVar(&force, "force", false, "replace -o FILE if it exists")
	return cmd
}

func newCmdSBOMVerify(app *App) *cobra.Command {
	s := &sbomFlags{}
	var file string
	cmd := &cobra.Command{
		Use:   useSBOMVerify,
		Short: shortSBOMVerify,
		Long: `Generate the SBOM of the build again, with the same flags as 'generate', and
compare it with --sbom FILE as sets of images (package URL without the digest,
digest, relationship), never as bytes. Exit code 0: the same images; 1: not,
with one line per difference on standard output ("+ " added, "- " removed or
pinned by a tag the registry no longer has, "~ " pinned to another digest); 2:
bad input (a malformed SBOM, one made for other platforms, an image the build
names that neither the SBOM nor the registry has); 3: a registry failed.`,
		Example: `  sign-cli sbom verify --sbom sbom.spdx.json .`,
		Args:    exactArgs(1, "the build context directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return usageError("sbom verify needs the SBOM to compare with: --sbom FILE")
			}
			data, err := readInput(app, "SBOM "+file, file, sbom.MaxSize)
			if err != nil {
				return err
			}
			doc, err := sbom.Read(bytes.NewReader(data))
			if err != nil {
				return sbomError(fmt.Errorf("%s: %w", file, err))
			}
			opt, err := s.options(app, args)
			if err != nil {
				return err
			}
			_, diff, err := sbom.Verify(cmd.Context(), opt, doc)
			if err != nil {
				return sbomError(fmt.Errorf("verifying %s: %w", file, err))
			}
			if !diff.Empty() {
				if _, err := diff.WriteTo(app.Out); err != nil {
					return err
				}
				return silentExit(exitNotVerified)
			}
			app.progress("%s: the build reads exactly the images it pins", file)
			return nil
		},
	}
	s.add(cmd)
	cmd.Flags().StringVar(&file, "sbom", "", "the SBOM to verify against (required)")
	return cmd
}
