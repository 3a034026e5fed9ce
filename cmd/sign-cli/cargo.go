package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/gosh-sh/sign-cli/cargo"
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
		f.StringVar(&c.registry, "cargo-registry", cargo.DefaultRegistry, "the sparse index that serves the crates (crates.io's or a mirror of it)")
	}
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
