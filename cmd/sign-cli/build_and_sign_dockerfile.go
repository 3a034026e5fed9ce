package main

import (
	"context"

	"github.com/containerd/platforms"
	gateway "github.com/moby/buildkit/frontend/gateway/client"

	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/internal/inputfile"
)

// dockerfileBuildFunc is the in-process build of the Dockerfile of req:
// BuildKit's Dockerfile frontend, compiled in. The Dockerfile is translated
// here first with stand-in images, so that its mistakes are reported with
// their lines (exit code 2) before the daemon is asked for anything.
func dockerfileBuildFunc(ctx context.Context, req *buildRequest) (gateway.BuildFunc, error) {
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
	if _, err := dockerbuild.Convert(ctx, data, dockerbuild.ConvertOptions{
		Filename:  req.file,
		Platform:  &platform,
		BuildArgs: req.buildArgs,
		Target:    req.target,
	}); err != nil {
		return nil, usageError("%v", err)
	}
	var opt dockerbuild.Options
	return func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		return dockerbuild.Build(ctx, c, opt)
	}, nil
}
