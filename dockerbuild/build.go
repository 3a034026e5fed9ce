package dockerbuild

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options change how Build resolves and what it lets the daemon solve. The
// zero value builds as the dockerfile.v0 frontend does.
type Options struct {
	// Resolver, when set, answers every image the Dockerfile reads instead
	// of the gateway client: a locked build pins them to its SBOM's digests
	// this way.
	Resolver llb.ImageMetaResolver
	// NetworkNone makes the network of RUN steps none unless a step asks
	// for another with --network (which Check can refuse).
	NetworkNone bool
	// Check, when set, sees each platform's LLB before it is solved; an
	// error stops the build before the daemon runs anything of it.
	Check func(def *llb.Definition, platform ocispecs.Platform) error
}

// ErrCheck wraps the error of Options.Check in what Build returns, so that
// a caller of Build tells a refused build from a failed one. A BuildKit
// client's Build reports the daemon's account of the failure instead (the
// message survives, the error's identity does not), so a caller there
// keeps Check's verdict itself.
var ErrCheck = errors.New("dockerbuild: the build was refused")

// checkError is Options.Check's error, read as itself and matching
// ErrCheck too.
type checkError struct{ err error }

func (e *checkError) Error() string   { return e.err.Error() }
func (e *checkError) Unwrap() []error { return []error{ErrCheck, e.err} }

// Build reads the Dockerfile named by the "filename" option from the
// "dockerfile" local, translates it for each target platform and solves
// it, and returns the result with its image configs, ready for BuildKit's
// image exporter. It is a gateway client's build function, as BuildKit's
// own dockerfile.v0 frontend is, without the subrequests, the `# syntax=`
// forwarding and the SBOM scanner.
func Build(ctx context.Context, c gwclient.Client, opt Options) (*gwclient.Result, error) {
	bc, err := dockerui.NewClient(c)
	if err != nil {
		return nil, fmt.Errorf("reading the build options: %w", err)
	}
	src, err := bc.ReadEntrypoint(ctx, "Dockerfile")
	if err != nil {
		return nil, fmt.Errorf("reading the Dockerfile: %w", err)
	}
	var resolver llb.ImageMetaResolver = c
	if opt.Resolver != nil {
		resolver = opt.Resolver
	}
	convert := dockerfile2llb.ConvertOpt{
		Config:       bc.Config,
		Client:       bc,
		SourceMap:    src.SourceMap,
		MetaResolver: resolver,
	}
	if opt.NetworkNone {
		convert.NetworkMode = pb.NetMode_NONE
	}
	rb, err := bc.Build(ctx, func(ctx context.Context, platform *ocispecs.Platform, _ int) (*dockerui.BuildResult, error) {
		o := convert
		o.BuildArgs = maps.Clone(o.BuildArgs)
		o.TargetPlatform = platform
		res, err := dockerfile2llb.Dockerfile2LLB(ctx, src.Data, o)
		if err != nil {
			return nil, err
		}
		def, err := res.State.Marshal(ctx)
		if err != nil {
			return nil, fmt.Errorf("marshalling the build's LLB: %w", err)
		}
		if opt.Check != nil {
			// Without a target platform the frontend builds for the
			// daemon's worker, the first build platform.
			p := bc.BuildPlatforms[0]
			if platform != nil {
				p = platforms.Normalize(*platform)
			}
			if err := opt.Check(def, p); err != nil {
				return nil, &checkError{err: err}
			}
		}
		r, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB(), CacheImports: bc.CacheImports})
		if err != nil {
			return nil, err
		}
		ref, err := r.SingleRef()
		if err != nil {
			return nil, err
		}
		return &dockerui.BuildResult{Reference: ref, Image: res.Image, BaseImage: res.BaseImage, Epoch: res.Epoch}, nil
	})
	if err != nil {
		return nil, err
	}
	return rb.Finalize()
}
