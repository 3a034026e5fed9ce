//go:build !lean

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gosh-sh/sign-cli/internal/tailbuf"
)

// buildWithDocker builds and pushes the image with `docker buildx build`,
// through the goshfile frontend named by the goshfile's syntax line or
// --frontend-image, and returns the pushed manifest's digest from the
// metadata file that buildx writes.
func buildWithDocker(ctx context.Context, app *App, req *buildRequest) (string, error) {
	syntax, err := syntaxLine(req.file)
	if err != nil {
		return "", err
	}
	if !req.dockerfile && syntax == "" && req.frontend == "" {
		return "", usageError("%s has no '# syntax=FRONTEND-IMAGE' first line: docker needs it (or --frontend-image) to build a goshfile", req.file)
	}
	dir, err := os.MkdirTemp("", "sign-cli-build-")
	if err != nil {
		return "", fmt.Errorf("making a directory for the build's metadata: %w", err)
	}
	defer os.RemoveAll(dir)
	meta := filepath.Join(dir, "metadata.json")
	args := dockerArgs(req, meta)

	cmd := exec.CommandContext(ctx, "docker", args...)
	// docker prints its progress on standard error: pass it on, and keep the
	// end of it for the error message. One writer for both streams, so that
	// exec copies them in one goroutine.
	var tail tailbuf.Buffer
	var out io.Writer = &tail
	if req.progress != "quiet" {
		out = io.MultiWriter(app.Err, &tail)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("running docker: %w (install Docker with buildx, or use --builder buildkit)", err)
		}
		if last := tail.LastLine(); last != "" {
			return "", fmt.Errorf("docker buildx build: %s (%v)", last, err)
		}
		return "", fmt.Errorf("docker buildx build: %w", err)
	}
	b, err := os.ReadFile(meta)
	if err != nil {
		return "", fmt.Errorf("reading docker's build metadata: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("reading docker's build metadata: %w", err)
	}
	digest, _ := m[exporterDigestKey].(string)
	if digest == "" {
		return "", fmt.Errorf("docker's build metadata has no %s for the pushed image", exporterDigestKey)
	}
	return digest, nil
}

// dockerArgs is the command line of `docker buildx build` for req.
func dockerArgs(req *buildRequest, meta string) []string {
	args := []string{"buildx", "build", "--push", "--metadata-file", meta, "-f", req.file, "-t", req.image.String()}
	for _, l := range req.sortedLabels() {
		args = append(args, "--label", l)
	}
	if req.frontend != "" {
		args = append(args, "--build-arg", "BUILDKIT_SYNTAX="+req.frontend)
	}
	for _, k := range slices.Sorted(maps.Keys(req.buildArgs)) {
		args = append(args, "--build-arg", k+"="+req.buildArgs[k])
	}
	if req.target != "" {
		args = append(args, "--target", req.target)
	}
	if req.noCache {
		args = append(args, "--no-cache")
	}
	if req.platform != "" {
		args = append(args, "--platform", req.platform)
	}
	if req.progress != "auto" {
		args = append(args, "--progress", req.progress)
	}
	return append(args, req.contextDir)
}

// syntaxLine returns the frontend image of the goshfile's `# syntax=`
// directive, which like a Dockerfile's must come before anything but other
// comments and blank lines.
func syntaxLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usageError("reading goshfile: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			return "", nil
		}
		k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "#")), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "syntax") {
			return strings.TrimSpace(v), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", usageError("reading goshfile %s: %v", path, err)
	}
	return "", nil
}
