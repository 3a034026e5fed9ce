package sbom

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spdx/tools-golang/spdx"

	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/goshfile"
)

// DefaultPlatform is the platform described when none is given, the one
// sign-cli builds by default.
var DefaultPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// Options describe a build to Generate.
type Options struct {
	// Filename is the build file's name as recorded in the document (the
	// path given on the command line, relative to the context). A name
	// ending in .yaml or .yml is a goshfile, anything else a Dockerfile.
	Filename string
	// Data is the build file's content.
	Data []byte
	// Name names the image being built, the document's root package.
	Name string
	// Platforms are the target platforms; DefaultPlatform when empty.
	Platforms []ocispecs.Platform
	// BuildPlatform is the platform of $BUILDPLATFORM in a Dockerfile;
	// DefaultPlatform when nil. It is fixed rather than taken from the host
	// so that the document does not depend on the machine it is made on.
	BuildPlatform *ocispecs.Platform
	// BuildArgs are a Dockerfile's build arguments (--build-arg).
	BuildArgs map[string]string
	// Target is the Dockerfile stage to build; the last one when empty.
	Target string
	// Created is the document's creation time; the Unix epoch when zero.
	Created time.Time
	// Tool names the creating tool, "sign-cli" when empty.
	Tool string
	// Resolver answers every image the build reads. Required.
	Resolver Resolver
	// CargoLock is the build's Cargo.lock, if it has one: every crate it
	// pins is recorded (see sbom/cargo.go). CargoLockName is its name
	// relative to the context.
	CargoLock     []byte
	CargoLockName string
	// CargoRegistry gives the crates' download locations; crates.io's
	// sparse index when nil.
	CargoRegistry *cargo.Registry
	// Locals are a Dockerfile's named build contexts read from local
	// directories (dockerbuild.LocalContexts), not images.
	Locals []string
	// Images are a Dockerfile's named build contexts that are images
	// (dockerbuild.ImageContexts), by name.
	Images map[string]string
}

// IsGoshfile reports whether a build file of this name is a goshfile.
func IsGoshfile(filename string) bool {
	ext := strings.ToLower(path.Ext(filename))
	return ext == ".yaml" || ext == ".yml"
}

// Generate describes the images the build in opt reads, as an SPDX
// document.
func Generate(ctx context.Context, opt Options) (*spdx.Document, error) {
	if opt.Resolver == nil {
		return nil, errors.New("sbom: Generate needs a Resolver")
	}
	plats, err := normalizePlatforms(opt.Platforms)
	if err != nil {
		return nil, err
	}
	var goshFile *goshfile.File
	if IsGoshfile(opt.Filename) {
		if len(opt.BuildArgs) > 0 || opt.Target != "" {
			return nil, fmt.Errorf("%w: a goshfile takes no build arguments and no target", ErrInvalid)
		}
		if goshFile, err = goshfile.Parse(path.Base(opt.Filename), opt.Data); err != nil {
			return nil, invalidf("%w", err)
		}
	}
	var images []image
	for _, p := range plats {
		rec := newRecorder(opt.Resolver, p)
		var st llb.State
		if goshFile != nil {
			st, err = translateGoshfile(ctx, goshFile, rec, p)
		} else {
			st, err = translateDockerfile(ctx, opt, rec, p)
		}
		if err != nil {
			return nil, err
		}
		srcs, err := imageSources(ctx, st, p)
		if err != nil {
			return nil, err
		}
		for _, s := range srcs {
			im, err := newImage(s, rec)
			if err != nil {
				return nil, err
			}
			images = append(images, im)
		}
	}
	doc := newDocument(opt, plats, images)
	if err := addCrates(ctx, doc, opt); err != nil {
		return nil, err
	}
	return doc, nil
}

func normalizePlatforms(ps []ocispecs.Platform) ([]ocispecs.Platform, error) {
	if len(ps) == 0 {
		return []ocispecs.Platform{DefaultPlatform}, nil
	}
	seen := map[string]bool{}
	var out []ocispecs.Platform
	for _, p := range ps {
		if p.OS == "" || p.Architecture == "" {
			return nil, invalidf("platform %q needs an OS and an architecture", platforms.FormatAll(p))
		}
		p = platforms.Normalize(p)
		if k := platforms.FormatAll(p); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return platforms.FormatAll(out[i]) < platforms.FormatAll(out[j]) })
	return out, nil
}

func translateGoshfile(ctx context.Context, f *goshfile.File, rec *recorder, p ocispecs.Platform) (llb.State, error) {
	st, _, err := goshfile.Translate(ctx, f, goshfile.TranslateOptions{Resolver: rec, Platform: &p})
	if err != nil {
		return llb.State{}, classify(err)
	}
	return st, nil
}

var llbCaps = pb.Caps.CapSet(pb.Caps.All())

func translateDockerfile(ctx context.Context, opt Options, rec *recorder, p ocispecs.Platform) (llb.State, error) {
	build := DefaultPlatform
	if opt.BuildPlatform != nil {
		build = platforms.Normalize(*opt.BuildPlatform)
	}
	convert := dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			BuildArgs:       opt.BuildArgs,
			Target:          opt.Target,
			TargetPlatforms: []ocispecs.Platform{p},
			BuildPlatforms:  []ocispecs.Platform{build},
		},
		TargetPlatform: &p,
		MetaResolver:   rec,
		// A daemon of this BuildKit's version has every capability; the
		// frontend then emits what a build would (merge ops for
		// COPY --link, for one).
		LLBCaps: &llbCaps,
	}
	if err := withLocals(&convert, opt, rec); err != nil {
		return llb.State{}, err
	}
	res, err := dockerfile2llb.Dockerfile2LLB(ctx, opt.Data, convert)
	if err != nil {
		return llb.State{}, classify(err)
	}
	return res.State, nil
}

// classify keeps the errors of the Resolver as they are and makes
// everything else a frontend's complaint about the build file.
func classify(err error) error {
	if errors.Is(err, ErrResolve) || errors.Is(err, ErrInvalid) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return invalidf("%v", err)
}
