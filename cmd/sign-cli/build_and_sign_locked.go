//go:build !lean

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/pflag"

	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/gosh-sh/sign-cli/sbom"
)

// lockFlags make build-and-sign build from an SBOM: every image pinned to
// the SBOM's digest, every run step without a network.
type lockFlags struct {
	sbom     string
	locked   bool
	cargo    cargoFlags
	platform ocispecs.Platform // the build's, once load has read the lock
}

func (l *lockFlags) add(f *pflag.FlagSet) {
	f.StringVar(&l.sbom, "sbom", "", "the SBOM (sign-cli sbom generate) that --locked builds from and --attest attests")
	f.BoolVar(&l.locked, "locked", false, "build only what --sbom FILE pins: images by its digests, run steps without a network; refuse anything else before building")
	l.cargo.add(f, true)
}

// load checks the flags against the build request and reads the lock.
// Everything it refuses is refused before the daemon is asked for
// anything, so nothing is built, pushed or signed.
func (l *lockFlags) load(app *App, req *buildRequest, builder string, attest bool) (*sbom.Lock, error) {
	switch {
	case l.sbom == "" && !l.locked:
		return nil, nil
	case !l.locked && attest:
		return nil, nil // --sbom names the SBOM --attest attests, not a lock
	case !l.locked:
		return nil, usageError("--sbom is used with --locked")
	case l.sbom == "":
		return nil, usageError("--locked needs the SBOM to build from: --sbom FILE")
	case builder != "buildkit" || req.frontend != "":
		return nil, usageError("--locked builds in-process only, not with --builder docker or --frontend-image")
	}
	data, err := readInput(app, "SBOM "+l.sbom, l.sbom, sbom.MaxSize)
	if err != nil {
		return nil, err
	}
	doc, err := sbom.Read(bytes.NewReader(data))
	if err != nil {
		return nil, sbomError(err)
	}
	lock, err := sbom.NewLock(doc)
	if err != nil {
		return nil, sbomError(err)
	}
	platform := sbom.DefaultPlatform
	if req.platform != "" {
		if platform, err = platforms.Parse(req.platform); err != nil {
			return nil, usageError("--platform %q: %v", req.platform, err)
		}
	}
	if err := lock.CheckPlatform(platform); err != nil {
		return nil, sbomError(err)
	}
	l.platform = platform
	if req.dockerfile {
		df, err := readInput(app, "Dockerfile "+req.file, req.file, maxBuildFile)
		if err != nil {
			return nil, err
		}
		if err := lock.CheckDockerfile(app.context(), df, req.convertOptions(platform), sbom.AuditOptions{}); err != nil {
			return nil, sbomError(err)
		}
	} else {
		f, err := readGoshfile(app, req.file)
		if err != nil {
			return nil, err
		}
		if err := lock.CheckGoshfile(f, req.file, platform); err != nil {
			return nil, sbomError(err)
		}
	}
	if err := checkCargoLock(app, lock, req.contextDir, &l.cargo); err != nil {
		return nil, err
	}
	return lock, nil
}

// checkTags refuses to build from a stale SBOM: one that pins an image by
// a tag that names another image now, or none. A lock file made in
// development is reproduced exactly in production, or not at all: the
// build would still read the pinned digest, but what the SBOM says the tag
// is would be false, so it is made again on purpose, not built around.
// Nothing is built, pushed or signed when it refuses.
func (l *lockFlags) checkTags(ctx context.Context, app *App, lock *sbom.Lock, insecure bool) error {
	if lock == nil {
		return nil
	}
	n, err := lock.TaggedImages(l.platform)
	if err != nil {
		return sbomError(err)
	}
	if n == 0 {
		return nil
	}
	app.progress("%s: checking that its %d tagged image(s) are still what their tags name", l.sbom, n)
	diff, err := lock.CheckTags(ctx, sbomResolver(app, insecure), l.platform)
	if err != nil {
		return sbomError(fmt.Errorf("checking the tags %s pins: %w", l.sbom, err))
	}
	if diff.Empty() {
		return nil
	}
	if _, err := diff.WriteTo(app.Err); err != nil {
		return err
	}
	return &exitError{code: exitNotVerified, err: fmt.Errorf("the SBOM %s is stale: %d of its tags no longer name the images it pins; make it again on purpose with 'sign-cli sbom generate --force -o %s' and the build's flags, review the difference, and build from the new one",
		l.sbom, len(diff.Changed)+len(diff.Removed), l.sbom)}
}

// lockBuild makes a build locked to lock: the base image answered from the
// SBOM (and then by the daemon, by digest), run steps without a network,
// the LLB audited before it is solved.
func lockBuild(opt *goshfile.BuildOptions, lock *sbom.Lock, daemon llb.ImageMetaResolver, refused *refusal) {
	if lock == nil {
		return
	}
	opt.Resolver = refused.resolver(lock, daemon)
	opt.NetworkNone = true
	opt.Check = refused.audit(lock)
}

// refusal is why a locked build was refused on the daemon's side of the
// build: the audit of its LLB, or an image the SBOM does not pin for what
// the daemon asked (a $BUILDPLATFORM other than the SBOM's, say). The
// client's Build returns the daemon's account of the failure, not these
// errors, so they are kept here for the exit code. The build function runs
// in the client's goroutines.
type refusal struct {
	mu  sync.Mutex
	err error
}

func (r *refusal) set(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// resolver answers images from lock (then from daemon, by digest), noting
// the images the SBOM does not pin.
func (r *refusal) resolver(lock *sbom.Lock, daemon llb.ImageMetaResolver) llb.ImageMetaResolver {
	return notingResolver{inner: lock.Resolver(daemon), refused: r}
}

type notingResolver struct {
	inner   llb.ImageMetaResolver
	refused *refusal
}

func (n notingResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	name, d, config, err := n.inner.ResolveImageConfig(ctx, ref, opt)
	if errors.Is(err, sbom.ErrNotLocked) {
		n.refused.set(err)
	}
	return name, d, config, err
}

// audit is the check of a build locked to lock, noting its refusals.
func (r *refusal) audit(lock *sbom.Lock) func(*llb.Definition, ocispecs.Platform) error {
	return func(def *llb.Definition, p ocispecs.Platform) error {
		err := lock.Audit(def, p, sbom.AuditOptions{Locals: sbom.BuildLocals})
		if err != nil {
			r.set(err)
		}
		return err
	}
}

func (r *refusal) get() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
