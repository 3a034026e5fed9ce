//go:build !lean

package main

import (
	"context"

	"github.com/containerd/platforms"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/internal/inputfile"
)

// dockerfileBuildFunc is the in-process build of the Dockerfile of req:
// BuildKit's Dockerfile frontend, compiled in. The Dockerfile is translated
// here first with stand-in images, so that its mistakes are reported with
// their lines (exit code 2) before the daemon is asked for anything; a
// locked build's Dockerfile was translated and audited that way already
// (lockFlags.load).
//
// Locked, the build answers images from the SBOM (then from the daemon by
// digest), runs steps without a network, and audits each platform's LLB
// again before the daemon solves it: with the daemon's image configs the
// LLB can differ from the one checked first. *refused is set to the
// audit's error, so that the caller reports it as bad input whatever the
// daemon's answer says.
func dockerfileBuildFunc(ctx context.Context, req *buildRequest, refused *refusal) (gateway.BuildFunc, error) {
	data, err := inputfile.Read(ctx, req.file, maxBuildFile, nil)
	if err != nil {
		return nil, usageError("reading Dockerfile: %v", err)
	}
	platform := dockerbuild.DefaultPlatform
	if req.platform != "" {
		if platform, err = platforms.Parse(req.platform); err != nil {
			return nil, usageError("--platform %q: %v", req.platform, err)
		}
	}
	if req.lock == nil {
		if _, err := dockerbuild.Convert(ctx, data, req.convertOptions(platform)); err != nil {
			return nil, usageError("%v", err)
		}
		return func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
			return dockerbuild.Build(ctx, c, dockerbuild.Options{})
		}, nil
	}
	lock := req.lock
	return func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		return dockerbuild.Build(ctx, c, dockerbuild.Options{
			Resolver:    refused.resolver(lock, c),
			NetworkNone: true,
			Check:       refused.audit(lock),
		})
	}, nil
}

// convertOptions describe the Dockerfile build of req for platform.
func (r *buildRequest) convertOptions(platform ocispecs.Platform) dockerbuild.ConvertOptions {
	return dockerbuild.ConvertOptions{
		Filename:  r.file,
		Platform:  &platform,
		BuildArgs: r.buildArgs,
		Target:    r.target,
		Labels:    r.labels,
		Locals:    dockerfileLocals,
		Images:    r.images,
	}
}
