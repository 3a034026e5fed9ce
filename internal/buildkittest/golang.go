package buildkittest

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// golangImage is the state of GolangImage, per daemon.
type golangImage struct {
	once  sync.Once
	ref   string
	err   error
	proxy *httptest.Server
}

var golangImages sync.Map // *Daemon -> *golangImage

// GolangImage returns the reference of a stand-in for Docker's golang image,
// for building the repository's Dockerfile with no access to Docker Hub: the
// base image plus this machine's Go toolchain (GOROOT), CA certificates, and
// GOPROXY set to a module proxy on loopback that serves this machine's module
// download cache, so that `go mod download` in a RUN step (which shares the
// daemon's network) needs nothing from outside.
func (d *Daemon) GolangImage(t testing.TB) string {
	t.Helper()
	base := d.BaseImage(t)
	v, _ := golangImages.LoadOrStore(d, &golangImage{})
	g := v.(*golangImage)
	g.once.Do(func() { g.ref, g.err = d.pushGolang(g, base) })
	if g.err != nil {
		if errors.Is(g.err, ErrMissing) {
			unavailable(t, g.err)
		}
		t.Fatalf("golang image: %v", g.err)
	}
	return g.ref
}

func goEnv(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("%w: go env %s: %v", ErrMissing, name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (d *Daemon) pushGolang(g *golangImage, base string) (string, error) {
	goroot, err := goEnv("GOROOT")
	if err != nil {
		return "", err
	}
	modcache, err := goEnv("GOMODCACHE")
	if err != nil {
		return "", err
	}
	// The Dockerfile's `go mod download` wants every module go.mod lists,
	// some of which a build on this machine may never have fetched.
	if root, err := ModuleRoot(); err == nil {
		cmd := exec.Command("go", "mod", "download")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go mod download: %v: %s", err, strings.TrimSpace(string(out)))
		}
	}
	g.proxy = httptest.NewServer(http.FileServer(http.Dir(filepath.Join(modcache, "cache", "download"))))
	d.cleanups = append(d.cleanups, g.proxy.Close)

	f, err := os.CreateTemp(d.Dir, "golang-*.tar")
	if err != nil {
		return "", fmt.Errorf("making the Go toolchain layer: %w", err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := addTree(tw, goroot, "usr/local/go"); err != nil {
		return "", fmt.Errorf("making the Go toolchain layer: %w", err)
	}
	certs, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		return "", fmt.Errorf("%w: CA certificates: %v", ErrMissing, err)
	}
	for _, dir := range []string{"etc/ssl", "etc/ssl/certs", "go", "src"} {
		if err := tw.WriteHeader(&tar.Header{Name: dir + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return "", err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: "etc/ssl/certs/ca-certificates.crt", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(certs))}); err != nil {
		return "", err
	}
	if _, err := tw.Write(certs); err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("making the Go toolchain layer: %w", err)
	}
	return d.pushOnBase(base, f.Name(), "golang:"+strings.TrimPrefix(runtime.Version(), "go"), func(c *v1.Config) {
		c.Env = []string{
			"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"GOPATH=/go",
			"GOTOOLCHAIN=local",
			"GOPROXY=" + g.proxy.URL,
			"GOSUMDB=off",
			"GOFLAGS=-buildvcs=false",
		}
		c.WorkingDir = "/go"
	})
}

// addTree adds the regular files, directories and symbolic links under dir
// to tw, below prefix.
func addTree(tw *tar.Writer, dir, prefix string) error {
	return filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		} else if !info.Mode().IsRegular() && !info.IsDir() {
			return nil
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(filepath.Join(prefix, rel))
		if info.IsDir() {
			h.Name += "/"
		}
		h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
}

// pushOnBase pushes base with the uncompressed tar layer in layerFile on
// top, and its config changed by configure, as repo:tag.
func (d *Daemon) pushOnBase(base, layerFile, repoTag string, configure func(*v1.Config)) (string, error) {
	layer, err := tarball.LayerFromFile(layerFile, tarball.WithCompressionLevel(gzip.BestSpeed))
	if err != nil {
		return "", fmt.Errorf("making the %s layer: %w", repoTag, err)
	}
	baseImg, err := Image(base)
	if err != nil {
		return "", err
	}
	img, err := mutate.AppendLayers(baseImg, layer)
	if err != nil {
		return "", fmt.Errorf("making %s: %w", repoTag, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", err
	}
	cf = cf.DeepCopy()
	configure(&cf.Config)
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return "", err
	}
	return d.Registry.PushV1Image(repoTag, img)
}
