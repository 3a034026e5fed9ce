package cargo

import (
	"errors"
	"fmt"
)

// Errors callers branch on. ErrInvalid and ErrNotLocked are bad input,
// ErrRegistry a registry that failed or answered nonsense, and ErrChecksum
// bytes that are not the ones Cargo.lock pins.
var (
	// ErrInvalid: a Cargo.lock, a crate name or a registry URL that cannot
	// be used.
	ErrInvalid = errors.New("invalid input")
	// ErrNotLocked: Cargo.lock names a dependency that cannot be prepared
	// from a registry by its checksum (a git dependency, a crate from
	// another registry, a registry crate without a checksum).
	ErrNotLocked = errors.New("not locked")
	// ErrChecksum: a crate (or the registry's index line for it) does not
	// have the checksum Cargo.lock records.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrRegistry: the registry could not be reached, failed, or gave an
	// answer that is not one (too large, malformed, missing the crate).
	ErrRegistry = errors.New("cargo registry")
)

// kindError reads as its message alone and matches its kind.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
