//go:build lean

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"
)

// errNoCompanion: a lean sign-cli was asked for a build command and
// sign-cli-build is nowhere to be found.
var errNoCompanion = errors.New(companionName + " not found")

// companionCmd is a command of a lean sign-cli that sign-cli-build runs:
// the command line is handed over whole (global flags, --help included), and
// sign-cli-build's output and exit code are the command's.
func companionCmd(app *App, use, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:                use,
		Short:              short,
		Long:               short + ".\n\nThis sign-cli is built without BuildKit: the command is run by " + companionName + ",\nfound beside sign-cli or on PATH (or named by " + companionEnv + ").",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.runCompanion(app.args)
		},
	}
	// Shell completion asks sign-cli-build, which knows the flags: the
	// completion request (sign-cli __complete CMD ...) is handed over whole.
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := app.runCompanion(app.args); err != nil {
			cobra.CompDebugln(err.Error(), true)
		}
		return nil, cobra.ShellCompDirectiveError
	}
	// 'sign-cli help CMD' shows sign-cli-build's help of CMD, with its flags.
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		path := []string{}
		for p := c; p.HasParent(); p = p.Parent() {
			path = append([]string{p.Name()}, path...)
		}
		if err := app.runCompanion(append(path, "--help")); err != nil {
			fmt.Fprintf(app.Err, "sign-cli: %s\n", app.errorText(err))
		}
	})
	return cmd
}

// runCompanion runs sign-cli-build with args in place of this process.
func (a *App) runCompanion(args []string) error {
	path, err := findCompanion(a.Getenv)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return execCompanion(path, args)
}

// findCompanion is the sign-cli-build to run: the one companionEnv names,
// else the one beside this executable (the same release), else the first
// on PATH.
func findCompanion(getenv func(string) string) (string, error) {
	if p := getenv(companionEnv); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", companionEnv, p, err)
		}
		return p, nil
	}
	name := companionName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	beside := ""
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			beside = filepath.Join(filepath.Dir(exe), name)
			if _, err := exec.LookPath(beside); err == nil {
				return beside, nil
			}
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	where := "on PATH"
	if beside != "" {
		where = "at " + beside + " or on PATH"
	}
	return "", fmt.Errorf("%w %s: this sign-cli is built without BuildKit and runs its build commands with %s; install both with 'make build', or build one sign-cli with everything: go build ./cmd/sign-cli", errNoCompanion, where, companionName)
}
