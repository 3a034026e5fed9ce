package buildkittest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Where Debian's busybox-static and bash-static put their binaries.
var (
	busyboxPaths = []string{"/bin/busybox", "/usr/bin/busybox"}
	bashPaths    = []string{"/bin/bash-static", "/usr/bin/bash-static"}
)

// File is one entry of an image layer made by Layer.
type File struct {
	Path string // absolute path in the image
	Mode int64  // permission bits; directories get 0755 when zero
	Data []byte
	Link string // symbolic link target, when not empty
	Dir  bool
}

// Layer makes an uncompressed tar layer of files, in order, with fixed
// times so that the same files make the same layer.
func Layer(files []File) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(0, 0)
	for _, f := range files {
		h := &tar.Header{Name: strings.TrimPrefix(f.Path, "/"), Mode: f.Mode, ModTime: mtime, Format: tar.FormatPAX}
		switch {
		case f.Dir:
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case f.Link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.Link, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.Data))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("writing layer entry %s: %w", f.Path, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("writing layer entry %s: %w", f.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing layer: %w", err)
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}

// PushImage pushes a linux/amd64 image of one layer with the given config to
// the registry as repo:tag and returns its reference.
func (r *Registry) PushImage(repo string, files []File, cfg v1.Config) (string, error) {
	layer, err := Layer(files)
	if err != nil {
		return "", err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return "", fmt.Errorf("making image %s: %w", repo, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", fmt.Errorf("making image %s: %w", repo, err)
	}
	cf = cf.DeepCopy()
	// BuildKit refuses a base image whose config names no platform.
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config = cfg
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return "", fmt.Errorf("making image %s: %w", repo, err)
	}
	return r.PushV1Image(repo, img)
}

// PushV1Image pushes img to the registry as repo:tag and returns its
// reference.
func (r *Registry) PushV1Image(repo string, img v1.Image) (string, error) {
	ref := r.Host + "/" + repo
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		return "", fmt.Errorf("image reference %s: %w", ref, err)
	}
	if err := remote.Write(tag, img); err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	return ref, nil
}

// BaseImage returns the reference of a small base image in the daemon's
// registry, pushing it on first use: Debian's static busybox (/bin/busybox
// with a link for each applet, so /bin/sh works) and static bash
// (/bin/bash), with /etc/passwd, /etc/group, /root and /tmp.
func (d *Daemon) BaseImage(t testing.TB) string {
	t.Helper()
	d.baseOnce.Do(func() { d.base, d.baseErr = d.pushBase() })
	if d.baseErr != nil {
		if errors.Is(d.baseErr, ErrMissing) {
			unavailable(t, d.baseErr)
		}
		t.Fatalf("base image: %v", d.baseErr)
	}
	return d.base
}

func firstFile(paths []string) (string, []byte, error) {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			return p, b, nil
		}
	}
	return "", nil, fmt.Errorf("%w: none of %v (Debian packages busybox-static and bash-static)", ErrMissing, paths)
}

// BaseFiles are the files of BaseImage, from the host's busybox-static and
// bash-static.
func BaseFiles() ([]File, error) {
	bbPath, busybox, err := firstFile(busyboxPaths)
	if err != nil {
		return nil, err
	}
	_, bash, err := firstFile(bashPaths)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(bbPath, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("listing busybox applets: %w", err)
	}
	files := []File{
		{Path: "/bin", Dir: true},
		{Path: "/etc", Dir: true},
		{Path: "/root", Dir: true, Mode: 0o700},
		{Path: "/tmp", Dir: true, Mode: 0o1777},
		{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
		{Path: "/etc/group", Data: []byte("root:x:0:\nnogroup:x:65534:\n")},
		{Path: "/bin/busybox", Mode: 0o755, Data: busybox},
		{Path: "/bin/bash", Mode: 0o755, Data: bash},
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" || applet == "bash" || strings.Contains(applet, "/") {
			continue
		}
		files = append(files, File{Path: "/bin/" + applet, Link: "busybox"})
	}
	return files, nil
}

func (d *Daemon) pushBase() (string, error) {
	files, err := BaseFiles()
	if err != nil {
		return "", err
	}
	return d.Registry.PushImage("base:latest", files, v1.Config{
		Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Cmd: []string{"/bin/sh"},
	})
}

// FrontendImage returns the reference of the goshfile frontend's image in
// the daemon's registry, building ./cmd/goshfile-frontend statically and
// pushing it on first use. The test is skipped when the module has no
// cmd/goshfile-frontend.
func (d *Daemon) FrontendImage(t testing.TB) string {
	t.Helper()
	if root, err := ModuleRoot(); err == nil {
		if _, err := os.Stat(filepath.Join(root, "cmd", "goshfile-frontend")); err != nil {
			t.Skipf("skipping: no cmd/goshfile-frontend in this module to build the frontend image from (%v)", err)
		}
	}
	d.frontOnce.Do(func() { d.front, d.frontErr = d.pushFrontend() })
	if d.frontErr != nil {
		t.Fatalf("goshfile frontend image: %v", d.frontErr)
	}
	return d.front
}

func (d *Daemon) pushFrontend() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	bin, err := BuildStatic(root, "./cmd/goshfile-frontend", d.Dir)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", bin, err)
	}
	return d.Registry.PushImage("goshfile-frontend:latest", []File{
		{Path: "/bin", Dir: true},
		{Path: "/bin/goshfile-frontend", Mode: 0o755, Data: data},
	}, v1.Config{Entrypoint: []string{"/bin/goshfile-frontend"}})
}

// BuildStatic builds the Go command pkg (relative to the module at root) as
// a static binary in dir, the way the Dockerfile does, and returns its path.
func BuildStatic(root, pkg, dir string) (string, error) {
	out := filepath.Join(dir, path.Base(pkg))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w: %s", pkg, err, strings.TrimSpace(string(b)))
	}
	return out, nil
}
