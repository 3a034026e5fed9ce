package spdxdoc

import (
	"errors"
	"fmt"
)

// ErrInvalid: an SBOM (or, for the packages that make SBOMs, a build file,
// a build argument or a platform) that cannot be used. Every error Read
// returns for a bad document wraps it.
var ErrInvalid = errors.New("invalid input")

// Invalidf is an error that matches ErrInvalid and reads as its message
// alone.
func Invalidf(format string, args ...any) error {
	return &kindError{kind: ErrInvalid, err: fmt.Errorf(format, args...)}
}

// kindError is an error of a kind callers branch on.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }
