//go:build !lean

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/loopback"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/sbom"
	"github.com/gosh-sh/sign-cli/signature"
)

// buildFlags are build-and-sign's own flags; the signing flags are sign's.
type buildFlags struct {
	file          string
	tag           string
	addr          string
	builder       string
	frontendImage string
	labels        []string
	noCache       bool
	platform      string
	buildArgs     []string
	target        string
	progress      string
	lock          lockFlags
	attest        bool              // --attest (attest.go)
	epoch         string            // SOURCE_DATE_EPOCH of a reproducible build (anytree)
	images        map[string]string // a Dockerfile's named contexts that are images built first (anytree)
}

const (
	defaultBuildkitAddr = "unix:///run/buildkit/buildkitd.sock"
	goshfileName        = "goshfile.yaml"
)

// buildRequest is one build, whichever builder runs it.
type buildRequest struct {
	contextDir string
	file       string // path of the goshfile or Dockerfile
	dockerfile bool   // file is a Dockerfile (sbom.IsGoshfile says no)
	buildArgs  map[string]string
	target     string
	image      name.Tag
	labels     map[string]string
	insecure   bool // push over plain HTTP
	noCache    bool
	platform   string
	progress   string // auto, plain, tty or quiet
	frontend   string // image of the goshfile frontend; empty builds in-process
	addr       string
	lock       *sbom.Lock        // --locked: build only what this SBOM pins
	cargoDir   string            // the crates prepared for cargo: true steps
	epoch      string            // SOURCE_DATE_EPOCH: the image's times, for a reproducible digest
	images     map[string]string // named contexts that are images, by name (a Dockerfile's FROM NAME)
}

// NewCmdBuildAndSign builds an image from a goshfile with BuildKit, pushes it
// and signs the pushed digest.
func NewCmdBuildAndSign(app *App) *cobra.Command {
	o := &signFlags{}
	b := &buildFlags{}
	cmd := &cobra.Command{
		Use:   useBuildAndSign,
		Short: shortBuildAndSign,
		Long: `Build the goshfile or Dockerfile (-f, default CONTEXT/goshfile.yaml when it
exists, else CONTEXT/Dockerfile; a name ending in .yaml or .yml is a
goshfile, anything else a Dockerfile) with BuildKit, push the image to IMAGE
(-t) with the label WALLET_PUBLIC=<signer's public key> and any --label, and
sign the pushed manifest digest exactly as 'sign' does: a proof contract on
chain and a cosign signature next to the image.

The digest comes from the build itself, so nothing is pulled. A build that
fails signs nothing and exits with code 3. --timeout bounds the signing, not
the build.

By default the build runs in-process through the BuildKit daemon at --addr
($BUILDKIT_HOST, default ` + defaultBuildkitAddr + `); unix://, tcp://,
docker-container://, podman-container://, nerdctl-container://, kube-pod://
and ssh:// addresses work. A Dockerfile is translated by BuildKit's own
Dockerfile frontend compiled into sign-cli (a '# syntax=' line is not
followed), with --build-arg and --target. --frontend-image REF builds a
goshfile through the goshfile frontend image instead (BuildKit's gateway.v0
frontend).

--builder docker runs 'docker buildx build --push' with Docker's own BuildKit;
a goshfile then needs a '# syntax=REF' first line, or --frontend-image.

--sbom FILE --locked builds only what the SBOM (sign-cli sbom generate)
pins: every image by its digest, every run step without a network, and the
daemon told to run no other source. What the SBOM does not allow (an image it
does not pin, RUN --network=host, cache and SSH mounts, ADD of a URL) is
refused with exit code 2 before anything is built. Before the daemon is asked,
each image the SBOM pins by a tag is resolved again: a tag that has moved or
gone makes the SBOM stale, and the build is refused with exit code 1 (the
changes on standard error, as 'sign-cli sbom verify' prints them; make the
SBOM again with 'sign-cli sbom generate --force'); see docs/sbom.md.`,
		Example: `  export SIGN_CLI_NETWORK=https://mainnet.evercloud.dev/<project-id>/graphql
  export WALLET=0:... WALLET_SECRET=...
  sign-cli build-and-sign -t registry.example.com/team/app:1.4 .
  sign-cli build-and-sign --addr docker-container://buildkitd -f app/goshfile.yaml -t registry.example.com/team/app:1.4 app
  sign-cli build-and-sign -f Dockerfile --build-arg VERSION=1.4 --target runtime -t registry.example.com/team/app:1.4 .
  sign-cli build-and-sign --sbom sbom.spdx.json --locked -t registry.example.com/team/app:1.4 .
  sign-cli build-and-sign --builder docker --frontend-image registry.example.com/goshfile-frontend -t registry.example.com/team/app:1.4 .`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError("build-and-sign takes at most one CONTEXT directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.lifetimeSet = cmd.Flags().Changed("message-lifetime")
			return runBuildAndSign(cmd.Context(), app, o, b, args)
		},
	}
	o.add(cmd)
	f := cmd.Flags()
	f.StringVarP(&b.file, "file", "f", "", "the goshfile (*.yaml, *.yml) or Dockerfile (default CONTEXT/"+goshfileName+", else CONTEXT/Dockerfile)")
	f.StringVarP(&b.tag, "tag", "t", "", "the image to push, `registry/repo:tag` (required)")
	f.StringVar(&b.addr, "addr", "", "BuildKit daemon address (default $BUILDKIT_HOST or "+defaultBuildkitAddr+")")
	f.StringVar(&b.builder, "builder", "buildkit", "what builds: buildkit (a BuildKit daemon) or docker (docker buildx build)")
	f.StringVar(&b.frontendImage, "frontend-image", "", "build a goshfile through this goshfile frontend image (gateway.v0) instead of in-process")
	f.StringArrayVar(&b.labels, "label", nil, "`key=value` label of the image (repeatable)")
	f.BoolVar(&b.noCache, "no-cache", false, "do not use BuildKit's cache")
	f.StringVar(&b.platform, "platform", "", "target platform, such as linux/amd64")
	f.StringArrayVar(&b.buildArgs, "build-arg", nil, "a Dockerfile build argument NAME=VALUE; repeat for more")
	f.StringVar(&b.target, "target", "", "the Dockerfile stage to build (default the last)")
	f.StringVar(&b.progress, "progress", "auto", "progress display: auto, plain, tty or quiet")
	b.lock.add(f)
	addAttestBuildFlag(cmd, &b.attest)
	return cmd
}

func runBuildAndSign(ctx context.Context, app *App, o *signFlags, b *buildFlags, args []string) error {
	results, pub, err := buildAndSign(ctx, app, o, b, args)
	if err != nil {
		return err
	}
	return printSigned(app, o.output, pub, results)
}

// buildAndSign builds, pushes and signs, and returns what was signed.
func buildAndSign(ctx context.Context, app *App, o *signFlags, b *buildFlags, args []string) ([]signature.Signed, keys.PublicKey, error) {
	if o.noChain && o.noRegistry {
		return nil, keys.PublicKey{}, usageError("--no-chain and --no-registry together leave nothing to do")
	}
	if err := checkTimeout(o.timeout); err != nil {
		return nil, keys.PublicKey{}, err
	}
	req, err := b.request(app, args)
	if err != nil {
		return nil, keys.PublicKey{}, err
	}
	annotations, err := image.ParseAnnotations(o.annotations)
	if err != nil {
		return nil, keys.PublicKey{}, usageError("--annotations: %v", err)
	}
	key, err := o.signer.key(app, "", &o.wallet)
	if err != nil {
		return nil, keys.PublicKey{}, err
	}
	// Everything the signing needs is checked before the build, so that a
	// bad flag never costs a build.
	s, err := o.newSigner(app, key, annotations)
	if err != nil {
		return nil, keys.PublicKey{}, err
	}
	if s.Attest, err = b.attestation(app); err != nil {
		return nil, keys.PublicKey{}, err
	}
	pub := key.Public().String()
	if v, ok := req.labels[image.WalletPublicLabel]; ok && v != pub {
		return nil, keys.PublicKey{}, usageError("--label %s=%s differs from the signer's public key %s", image.WalletPublicLabel, abbreviate(v), pub)
	}
	req.labels[image.WalletPublicLabel] = pub
	req.insecure = o.reg.insecure || loopback.IsAddr(req.image.RegistryStr())
	if err := b.lock.checkTags(ctx, app, req.lock, o.reg.insecure); err != nil {
		return nil, keys.PublicKey{}, err
	}

	cleanup, err := b.lock.prepareCargo(ctx, app, req, b.builder, o.reg.insecure)
	if err != nil {
		return nil, keys.PublicKey{}, err
	}
	defer cleanup()

	// Builds take as long as they take (Ctrl-C stops one); --timeout bounds
	// the signing, as it does for sign.
	var digest string
	switch b.builder {
	case "docker":
		digest, err = buildWithDocker(ctx, app, req)
	default:
		digest, err = buildWithBuildkit(ctx, app, req)
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return nil, keys.PublicKey{}, err
		}
		// Whatever the build's error says, it is not the user's input that
		// is wrong in a way sign-cli could tell: exit code 3.
		return nil, keys.PublicKey{}, &exitError{code: exitFailure, err: err}
	}
	target, err := image.ParseTarget(req.image.Context().String() + "@" + digest)
	if err != nil {
		return nil, keys.PublicKey{}, &exitError{code: exitFailure, err: fmt.Errorf("the build reported digest %q: %w", digest, err)}
	}
	app.progress("pushed %s", target)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return s.Sign(ctx, []image.Target{target}), key.Public(), nil
}

// request checks the build flags and makes the build request, labels but
// WALLET_PUBLIC included.
func (b *buildFlags) request(app *App, args []string) (*buildRequest, error) {
	req := &buildRequest{contextDir: ".", noCache: b.noCache, platform: b.platform, frontend: b.frontendImage, epoch: b.epoch, images: b.images}
	if len(args) == 1 {
		req.contextDir = args[0]
	}
	if fi, err := os.Stat(req.contextDir); err != nil || !fi.IsDir() {
		return nil, usageError("build context %q is not a directory", req.contextDir)
	}
	req.file = b.file
	if req.file == "" {
		req.file = defaultBuildFile(req.contextDir)
	}
	if fi, err := os.Stat(req.file); err != nil || fi.IsDir() {
		return nil, usageError("build file %q: not a readable file (give the goshfile or Dockerfile with -f)", req.file)
	}
	req.dockerfile = !sbom.IsGoshfile(req.file)
	if err := b.dockerfileFlags(req); err != nil {
		return nil, err
	}
	if b.tag == "" {
		return nil, usageError("build-and-sign needs the image to push: -t registry/repo:tag")
	}
	ref, err := name.ParseReference(b.tag)
	if err != nil {
		return nil, usageError("-t %q is not an image reference: %v", b.tag, err)
	}
	tag, ok := ref.(name.Tag)
	if !ok {
		return nil, usageError("-t %q: give a tag to push (registry/repo:tag), not a digest", b.tag)
	}
	req.image = tag
	req.labels = map[string]string{}
	for _, l := range b.labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return nil, usageError("--label %q: expected key=value", l)
		}
		req.labels[k] = v
	}
	switch b.progress {
	case "auto", "plain", "tty", "quiet":
		req.progress = b.progress
	default:
		return nil, usageError("--progress %q: expected auto, plain, tty or quiet", b.progress)
	}
	if app.quiet {
		req.progress = "quiet"
	}
	switch b.builder {
	case "buildkit":
		req.addr = b.addr
		if req.addr == "" {
			req.addr = app.Getenv("BUILDKIT_HOST")
		}
		if req.addr == "" {
			req.addr = defaultBuildkitAddr
		}
	case "docker":
		if b.addr != "" {
			return nil, usageError("--addr applies to --builder buildkit; docker uses its own builder")
		}
	default:
		return nil, usageError("--builder %q: expected buildkit or docker", b.builder)
	}
	if req.lock, err = b.lock.load(app, req, b.builder, b.attest); err != nil {
		return nil, err
	}
	return req, nil
}

// defaultBuildFile is the build file of a context, as sbom generate finds
// it: goshfile.yaml when there is one, else the Dockerfile.
func defaultBuildFile(contextDir string) string {
	file := filepath.Join(contextDir, goshfileName)
	if _, err := os.Stat(file); err != nil {
		file = filepath.Join(contextDir, "Dockerfile")
	}
	return file
}

// dockerfileFlags reads the flags that only a Dockerfile takes.
func (b *buildFlags) dockerfileFlags(req *buildRequest) error {
	if !req.dockerfile {
		if len(b.buildArgs) > 0 || b.target != "" {
			return usageError("--build-arg and --target apply to a Dockerfile; %s is a goshfile", req.file)
		}
		return nil
	}
	if b.frontendImage != "" {
		return usageError("--frontend-image builds goshfiles; %s is a Dockerfile (a name not ending in .yaml or .yml)", req.file)
	}
	req.target = b.target
	var err error
	req.buildArgs, err = parseBuildArgs(b.buildArgs)
	return err
}

// parseBuildArgs reads --build-arg NAME=VALUE flags; nil for none.
func parseBuildArgs(list []string) (map[string]string, error) {
	var args map[string]string
	for _, a := range list {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, usageError("--build-arg %q: expected NAME=VALUE", a)
		}
		if args == nil {
			args = map[string]string{}
		}
		args[k] = v
	}
	return args, nil
}

// frontendAttrs are the options of the goshfile frontend or the Dockerfile
// frontend, in BuildKit's Dockerfile frontend's conventions.
func (r *buildRequest) frontendAttrs() map[string]string {
	attrs := map[string]string{"filename": filepath.Base(r.file)}
	for k, v := range r.buildArgs {
		attrs["build-arg:"+k] = v
	}
	if r.target != "" {
		attrs["target"] = r.target
	}
	for k, v := range r.labels {
		attrs["label:"+k] = v
	}
	if r.noCache {
		attrs["no-cache"] = ""
	}
	if r.platform != "" {
		attrs["platform"] = r.platform
	}
	return attrs
}

// sortedLabels lists labels as key=value in key order, for stable command
// lines.
func (r *buildRequest) sortedLabels() []string {
	var out []string
	for k, v := range r.labels {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// buildAttestation is build-and-sign's attestation: the SBOM of --sbom
// when --attest is given.
func (b *buildFlags) attestation(app *App) (*signature.Attestation, error) {
	if !b.attest {
		return nil, nil
	}
	if b.lock.sbom == "" {
		return nil, usageError("--attest needs the SBOM of the build: --sbom FILE")
	}
	return loadAttestation(app, "--sbom", b.lock.sbom, false)
}

// addAttestBuildFlag adds build-and-sign's --attest.
func addAttestBuildFlag(cmd *cobra.Command, dst *bool) {
	cmd.Flags().BoolVar(dst, "attest", false, "also attest the SBOM given with --sbom FILE about the image built: an in-toto attestation in the registry and a proof of it on chain")
}
