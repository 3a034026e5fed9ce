package sbom

import (
	"errors"

	"github.com/gosh-sh/sign-cli/sbom/spdxdoc"
)

// Errors callers branch on. Every error Generate, Read and Verify return for
// bad input wraps ErrInvalid; every failure to reach a registry wraps
// ErrResolve.
var (
	// ErrInvalid: a build file, a build argument, a platform or an SBOM
	// that cannot be used. It is spdxdoc.ErrInvalid.
	ErrInvalid = spdxdoc.ErrInvalid
	// ErrPlatformMismatch: the SBOM was generated for other platforms than
	// those asked for. It wraps ErrInvalid.
	ErrPlatformMismatch = &wrapped{msg: "the SBOM is for other platforms", kind: ErrInvalid}
	// ErrResolve: an image could not be resolved through the registry.
	ErrResolve = errors.New("resolving images")
)

// wrapped is a sentinel that is also another one.
type wrapped struct {
	msg  string
	kind error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.kind }

// invalidf is an error that matches ErrInvalid and reads as its message
// alone.
var invalidf = spdxdoc.Invalidf

// kindError is an error of a kind callers branch on (ErrResolve,
// ErrNotLocked, ...) that reads as the error it carries.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }
