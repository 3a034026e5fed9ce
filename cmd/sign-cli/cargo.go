//go:build !lean

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/pflag"
	"github.com/tonistiigi/fsutil"

	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/sbom"
)

// cargoLockName is the Cargo.lock looked for in a build context.
const cargoLockName = "Cargo.lock"

// cargoFlags say which Cargo.lock a build has and which registry serves
// its crates.
type cargoFlags struct {
	lock     string
	registry string
}

func (c *cargoFlags) add(f *pflag.FlagSet, withRegistry bool) {
	f.StringVar(&c.lock, "cargo-lock", "", "the build's Cargo.lock, whose crates the SBOM pins (default CONTEXT/Cargo.lock when it exists)")
	if withRegistry {
		c.addRegistry(f)
	}
}

// addRegistry adds --cargo-registry alone, for commands that know the
// Cargo.lock otherwise.
func (c *cargoFlags) addRegistry(f *pflag.FlagSet) {
	f.StringVar(&c.registry, "cargo-registry", cargo.DefaultRegistry, "the sparse index that serves the crates (crates.io's or a mirror of it)")
}

// read returns the Cargo.lock's name relative to the context and its
// content; no data when there is none.
func (c *cargoFlags) read(app *App, contextDir string) (string, []byte, error) {
	file := c.lock
	if file == "" {
		file = filepath.Join(contextDir, cargoLockName)
		if _, err := os.Lstat(file); errors.Is(err, fs.ErrNotExist) {
			return "", nil, nil
		}
	}
	data, err := readInput(app, "Cargo.lock "+file, file, cargo.MaxLockSize)
	if err != nil {
		return "", nil, err
	}
	return recordedName(contextDir, file), data, nil
}

// newRegistry is the client of --cargo-registry, with the registry
// flags' rules for plain HTTP and SIGN_CLI_TRACE_REQUESTS counting its
// requests.
func (c *cargoFlags) newRegistry(app *App, insecure bool) (*cargo.Registry, error) {
	reg, err := cargo.NewRegistry(c.registry, cargo.RegistryOptions{
		Insecure:  insecure,
		UserAgent: "sign-cli/" + version(),
		Transport: app.traceRegistry(&image.Registry{}).Transport,
	})
	if err != nil {
		return nil, usageError("--cargo-registry: %v", err)
	}
	return reg, nil
}

// checkCargoLock holds a locked build's Cargo.lock to the crates its SBOM
// pins: they must be the same sets of crates, checksums and dependencies,
// or the difference is printed and the command exits with code 1 before
// anything is built.
func checkCargoLock(app *App, lock *sbom.Lock, contextDir string, c *cargoFlags) error {
	name, data, err := c.read(app, contextDir)
	if err != nil {
		return err
	}
	if data == nil {
		if n := len(lock.Crates()); n > 0 {
			return usageError("the SBOM pins %d crates and the build context has no %s (give it with --cargo-lock FILE)", n, cargoLockName)
		}
		return nil
	}
	diff, err := lock.CheckCargo(name, data)
	if err != nil {
		return sbomError(err)
	}
	if !diff.Empty() {
		app.progress("%s does not pin the crates the SBOM pins:", name)
		if _, err := diff.WriteTo(app.Out); err != nil {
			return err
		}
		return silentExit(exitNotVerified)
	}
	return nil
}

// cargoOptions adds the build's Cargo.lock, if any, to the options of an
// SBOM.
func (c *cargoFlags) cargoOptions(app *App, contextDir string, insecure bool, opt *sbom.Options) error {
	name, data, err := c.read(app, contextDir)
	if err != nil || data == nil {
		return err
	}
	reg, err := c.newRegistry(app, insecure)
	if err != nil {
		return err
	}
	opt.CargoLock, opt.CargoLockName, opt.CargoRegistry = data, name, reg
	return nil
}

// prepareCargo lays out the crates for a goshfile whose run steps say
// cargo: true, in a fresh directory that cleanup removes: with --locked the
// crates the SBOM pins (checked against Cargo.lock already), otherwise
// those of the context's Cargo.lock. Each crate comes from the cache or
// --cargo-registry and is checked against its checksum; one that does not
// match stops the command before anything is built.
func (l *lockFlags) prepareCargo(ctx context.Context, app *App, req *buildRequest, builder string, insecure bool) (cleanup func(), err error) {
	cleanup = func() {}
	if needs, err := needsCrates(app, req); err != nil || !needs {
		return cleanup, err
	}
	if builder != "buildkit" {
		return cleanup, usageError("%s: steps with cargo: true build with --builder buildkit only", req.file)
	}
	var crates []cargo.Crate
	if req.lock != nil {
		crates = req.lock.Crates()
	} else {
		name, lockData, err := l.cargo.read(app, req.contextDir)
		if err != nil {
			return cleanup, err
		}
		if lockData == nil {
			return cleanup, usageError("%s has steps with cargo: true and the build context has no %s (give it with --cargo-lock FILE)", req.file, cargoLockName)
		}
		lock, err := cargo.ParseLock(lockData)
		if err == nil {
			crates, err = lock.Crates()
		}
		if err != nil {
			return cleanup, fmt.Errorf("%s: %w", name, err)
		}
	}
	reg, err := l.cargo.newRegistry(app, insecure)
	if err != nil {
		return cleanup, err
	}
	dir, err := os.MkdirTemp("", "sign-cli-cargo-")
	if err != nil {
		return cleanup, fmt.Errorf("preparing crates: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	p := &cargo.Preparer{Registry: reg, MountPoint: goshfile.CargoMountPoint}
	if base := app.cacheDir(); base != "" {
		p.Cache = &cargo.Cache{Dir: filepath.Join(base, "cargo")}
	} else {
		app.progress("no cache directory ($XDG_CACHE_HOME, $HOME): every crate is downloaded")
	}
	step := max(1, len(crates)/10)
	p.Progress = func(done, total int) {
		if done%step == 0 || done == total {
			app.progress("preparing crates: %d/%d", done, total)
		}
	}
	res, err := p.Prepare(ctx, crates, dir)
	if err != nil {
		cleanup()
		return func() {}, fmt.Errorf("preparing crates: %w", err)
	}
	app.progress("prepared %d crates (%d downloaded, %d from the cache)", res.Crates, res.Downloaded, res.Cached)
	req.cargoDir = dir
	return cleanup, nil
}

// dockerfileLocals are the named contexts of a Dockerfile build that are
// local directories: the prepared crates, which a Dockerfile reads with
// RUN --mount=type=bind,from=gosh-cargo,target=/.cargo.
var dockerfileLocals = []string{goshfile.LocalCargo}

// addContexts adds the prepared crates to the locals of a build that has
// cargo steps, and for a Dockerfile names them as a build context, with
// the images built first.
func (r *buildRequest) addContexts(locals map[string]fsutil.FS, attrs map[string]string) error {
	if r.dockerfile {
		maps.Copy(attrs, dockerbuild.ImageContexts(r.images))
	}
	if r.cargoDir == "" {
		return nil
	}
	local, err := fsutil.NewFS(r.cargoDir)
	if err != nil {
		return fmt.Errorf("prepared crates: %w", err)
	}
	locals[goshfile.LocalCargo] = local
	if r.dockerfile {
		maps.Copy(attrs, dockerbuild.LocalContexts(dockerfileLocals...))
	}
	return nil
}

// readGoshfile reads and parses the goshfile at file.
func readGoshfile(app *App, file string) (*goshfile.File, error) {
	data, err := readInput(app, "goshfile "+file, file, goshfile.MaxSize)
	if err != nil {
		return nil, err
	}
	f, err := goshfile.Parse(file, data)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return f, nil
}

// needsCrates tells whether the build reads the prepared crates: a
// goshfile step with cargo: true, or a Dockerfile that names gosh-cargo
// (as a build context; its translation then reads the local).
func needsCrates(app *App, req *buildRequest) (bool, error) {
	if req.dockerfile {
		data, err := readInput(app, "Dockerfile "+req.file, req.file, maxBuildFile)
		if err != nil {
			return false, err
		}
		return bytes.Contains(data, []byte(goshfile.LocalCargo)), nil
	}
	f, err := readGoshfile(app, req.file)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(f.Steps, func(s goshfile.Step) bool { return s.Cargo }), nil
}
