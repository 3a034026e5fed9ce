package buildkittest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Debian's cargo and rustc (Debian packages cargo and rustc), and where
// rustc keeps its standard library. Debian's, not a rustup toolchain's:
// those are small launchers that look for the toolchain in the user's home.
const (
	debianCargo   = "/usr/bin/cargo"
	debianRustc   = "/usr/bin/rustc"
	debianRustlib = "/usr/lib/rustlib"
)

// rustImage is the state of RustImage, per daemon.
type rustImage struct {
	once sync.Once
	ref  string
	err  error
}

var rustImages sync.Map // *Daemon -> *rustImage

// RustImage returns the reference of an image that builds Rust crates with
// no network: the base image plus this machine's Debian cargo and rustc,
// the shared libraries they load (as ldd lists them) and rustc's standard
// library. Builds of library crates need no linker, so none is included.
// The test is skipped when Debian's cargo is missing (failed with CI set).
func (d *Daemon) RustImage(t testing.TB) string {
	t.Helper()
	base := d.BaseImage(t)
	v, _ := rustImages.LoadOrStore(d, &rustImage{})
	r := v.(*rustImage)
	r.once.Do(func() { r.ref, r.err = d.pushRust(base) })
	if r.err != nil {
		if errors.Is(r.err, ErrMissing) {
			unavailable(t, r.err)
		}
		t.Fatalf("rust image: %v", r.err)
	}
	return r.ref
}

func (d *Daemon) pushRust(base string) (string, error) {
	for _, p := range []string{debianCargo, debianRustc, debianRustlib} {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: %s (Debian packages cargo and rustc)", ErrMissing, p)
		}
	}
	libs, err := sharedLibraries(debianCargo, debianRustc)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(d.Dir, "rust-*.tar")
	if err != nil {
		return "", fmt.Errorf("making the Rust toolchain layer: %w", err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	dirs := map[string]bool{}
	for _, p := range append([]string{debianCargo, debianRustc}, libs...) {
		if err := addFile(tw, dirs, p); err != nil {
			return "", fmt.Errorf("making the Rust toolchain layer: %w", err)
		}
	}
	if err := addParents(tw, dirs, debianRustlib); err != nil {
		return "", err
	}
	if err := addTree(tw, debianRustlib, strings.TrimPrefix(debianRustlib, "/")); err != nil {
		return "", fmt.Errorf("making the Rust toolchain layer: %w", err)
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("making the Rust toolchain layer: %w", err)
	}
	return d.pushOnBase(base, f.Name(), "rust:debian", func(c *v1.Config) {
		c.Env = []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"HOME=/root",
			// No ld.so.cache in the image: the loader is told where the
			// libraries are.
			"LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu",
		}
	})
}

// sharedLibraries lists the files ldd says the programs load, the dynamic
// loader included.
func sharedLibraries(programs ...string) ([]string, error) {
	out, err := exec.Command("ldd", programs...).Output()
	if err != nil {
		return nil, fmt.Errorf("%w: ldd %s: %v", ErrMissing, strings.Join(programs, " "), err)
	}
	seen := map[string]bool{}
	var libs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or
		// "/lib64/ld-linux-x86-64.so.2 (0x...)".
		f := strings.Fields(sc.Text())
		var p string
		switch {
		case len(f) >= 3 && f[1] == "=>":
			p = f[2]
		case len(f) >= 2 && strings.HasPrefix(f[0], "/"): // not ldd's "PROGRAM:" headers
			p = f[0]
		}
		if strings.HasPrefix(p, "/") && !seen[p] {
			seen[p] = true
			libs = append(libs, p)
		}
	}
	return libs, nil
}

// addFile adds the file at p (following symbolic links) at p, with its
// parent directories.
func addFile(tw *tar.Writer, dirs map[string]bool, p string) error {
	if err := addParents(tw, dirs, p); err != nil {
		return err
	}
	src, err := os.Open(p)
	if err != nil {
		return err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return err
	}
	h := &tar.Header{Name: strings.TrimPrefix(p, "/"), Typeflag: tar.TypeReg, Mode: int64(info.Mode().Perm()), Size: info.Size()}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err = io.Copy(tw, src)
	return err
}

// addParents adds the directories above p that are not added yet.
func addParents(tw *tar.Writer, dirs map[string]bool, p string) error {
	var missing []string
	for dir := path.Dir(p); dir != "/" && !dirs[dir]; dir = path.Dir(dir) {
		missing = append([]string{dir}, missing...)
	}
	for _, dir := range missing {
		dirs[dir] = true
		if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(dir, "/") + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return err
		}
	}
	return nil
}
