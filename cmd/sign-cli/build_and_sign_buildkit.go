//go:build !lean

package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"

	// The connection helpers register the docker-container://,
	// podman-container://, nerdctl-container://, kube-pod:// and ssh://
	// address schemes with the BuildKit client.
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"

	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/gosh-sh/sign-cli/sbom"
)

// exporterDigestKey is where the image exporter reports the pushed
// manifest's digest.
const exporterDigestKey = "containerimage.digest"

// buildWithBuildkit builds and pushes the image through the daemon at
// req.addr and returns the pushed manifest's digest.
func buildWithBuildkit(ctx context.Context, app *App, req *buildRequest) (string, error) {
	disp, err := progressui.NewDisplay(app.rawErr, progressui.DisplayMode(req.progress))
	if err != nil {
		return "", usageError("--progress %s: %v", req.progress, err)
	}
	c, err := client.New(ctx, req.addr)
	if err != nil {
		return "", fmt.Errorf("connecting to BuildKit at %s: %w", req.addr, err)
	}
	defer c.Close()

	contextFS, err := fsutil.NewFS(req.contextDir)
	if err != nil {
		return "", usageError("build context %s: %v", req.contextDir, err)
	}
	fileFS, err := fsutil.NewFS(filepath.Dir(req.file))
	if err != nil {
		return "", usageError("build file directory %s: %v", filepath.Dir(req.file), err)
	}
	attrs := req.frontendAttrs()
	opt := client.SolveOpt{
		LocalMounts: map[string]fsutil.FS{
			goshfile.LocalContext:    contextFS,
			goshfile.LocalDockerfile: fileFS,
		},
		FrontendAttrs: attrs,
		Exports: []client.ExportEntry{{
			Type: client.ExporterImage,
			Attrs: map[string]string{
				"name":              req.image.String(),
				"push":              "true",
				"registry.insecure": strconv.FormatBool(req.insecure),
			},
		}},
	}
	if err := req.addContexts(opt.LocalMounts, opt.FrontendAttrs); err != nil {
		return "", err
	}
	if req.epoch != "" {
		// Every time in the image (config, history, layer entries) is the
		// epoch, so that the same sources give the same digest.
		opt.Exports[0].Attrs["source-date-epoch"] = req.epoch
		opt.Exports[0].Attrs["rewrite-timestamp"] = "true"
	}
	var build gateway.BuildFunc
	// refused is the lock's audit's verdict on the LLB, when it refused it.
	var refused refusal
	if req.lock != nil {
		// The daemon enforces the pins too: a source the audit missed
		// is still refused.
		opt.SourcePolicy = req.lock.SourcePolicy(sbom.BuildLocals...)
	}
	if req.frontend != "" {
		// The frontend image reads the same options and locals.
		opt.Frontend = "gateway.v0"
		opt.FrontendAttrs["source"] = req.frontend
	} else if req.dockerfile {
		if build, err = dockerfileBuildFunc(ctx, req, &refused); err != nil {
			return "", err
		}
	} else {
		if build, err = goshfileBuildFunc(ctx, req.file, attrs, req.lock, &refused); err != nil {
			return "", err
		}
	}

	status := make(chan *client.SolveStatus)
	shown := make(chan struct{})
	go func() {
		defer close(shown)
		// The display reads until the client closes the channel; its own
		// context is never cancelled so that the last updates are drawn.
		_, _ = disp.UpdateFrom(context.WithoutCancel(ctx), status)
	}()
	var resp *client.SolveResponse
	if build != nil {
		resp, err = c.Build(ctx, opt, "sign-cli", build, status)
	} else {
		resp, err = c.Solve(ctx, nil, opt, status)
	}
	<-shown
	if err := refused.get(); err != nil {
		return "", sbomError(err)
	}
	if err != nil {
		return "", fmt.Errorf("building %s with BuildKit at %s: %w", req.file, req.addr, err)
	}
	digest := resp.ExporterResponse[exporterDigestKey]
	if digest == "" {
		return "", fmt.Errorf("building %s: BuildKit reported no %s for the pushed image", req.file, exporterDigestKey)
	}
	return digest, nil
}
