//go:build lean && unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// execCompanion replaces this process with sign-cli-build, so that signals,
// the terminal and the exit code are its own, as if it had been run.
func execCompanion(path string, args []string) error {
	argv := append([]string{path}, args...)
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		return fmt.Errorf("running %s: %w", path, err)
	}
	return nil
}
