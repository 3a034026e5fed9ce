//go:build lean && !unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// execCompanion runs sign-cli-build with this process's streams and exits
// with its exit code: without exec(2), this is the nearest to running it.
func execCompanion(path string, args []string) error {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", path, err)
	}
	os.Exit(0)
	return nil
}
