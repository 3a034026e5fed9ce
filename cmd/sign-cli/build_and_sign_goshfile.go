//go:build !lean

package main

import (
	"context"

	gateway "github.com/moby/buildkit/frontend/gateway/client"

	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/gosh-sh/sign-cli/internal/inputfile"
	"github.com/gosh-sh/sign-cli/sbom"
)

// goshfileBuildFunc is the in-process build of the goshfile at path with
// the frontend options attrs: the same code the frontend image runs. The
// goshfile is parsed here first, so that its mistakes are reported with
// their lines (exit code 2) before the daemon is asked for anything.
func goshfileBuildFunc(ctx context.Context, path string, attrs map[string]string, lock *sbom.Lock, refused *refusal) (gateway.BuildFunc, error) {
	data, err := inputfile.Read(ctx, path, goshfile.MaxSize, nil)
	if err != nil {
		return nil, usageError("reading goshfile: %v", err)
	}
	if _, err := goshfile.Parse(path, data); err != nil {
		return nil, usageError("%v", err)
	}
	opt, err := goshfile.ParseFrontendOptions(attrs)
	if err != nil {
		return nil, usageError("build options: %v", err)
	}
	return func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		lockBuild(&opt, lock, c, refused)
		return goshfile.Build(ctx, c, opt)
	}, nil
}
