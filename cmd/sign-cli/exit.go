package main

import (
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

// Exit codes, the same for every command.
const (
	exitOK          = 0 // success; for check, everything verified
	exitNotVerified = 1 // checked, and something did not verify
	exitUsage       = 2 // bad usage or bad input
	exitFailure     = 3 // network, registry or chain failure
)

// exitError carries an explicit exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is bad usage or bad input: exit code 2.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// errSilent ends a command with its exit code after it has printed its own
// result (check's "not verified" lines, for example).
var errSilent = errors.New("silent")

func silentExit(code int) error { return &exitError{code: code, err: errSilent} }

// inputErrors are the library errors that mean the user gave something
// unusable, as opposed to a network, registry or chain failing.
var inputErrors = []error{
	keys.ErrInvalidKey,
	image.ErrInvalidTarget,
	keys.ErrKeyFileExists,
	image.ErrPlainHTTP,
	image.ErrNotFound,
	image.ErrNoLabel,
	cell.ErrInvalidAddress,
	proof.ErrWrongWallet,
	contract.ErrUnknownWallet,
	cargo.ErrInvalid,
	cargo.ErrNotLocked,
	signature.ErrAttestationNeedsRegistry,
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	for _, s := range inputErrors {
		if errors.Is(err, s) {
			return exitUsage
		}
	}
	// Everything else is a network, registry or chain failure, including an
	// interrupted wait (context.Canceled): a retry may succeed.
	return exitFailure
}
