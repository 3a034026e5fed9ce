package contracts

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/devnet"
)

// ExitError is a contract's refusal of an external message before ACCEPT:
// the exit code the virtual machine ends with and what it means. It wraps
// devnet.ErrRejected.
type ExitError struct {
	Code   int
	Reason string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("%v: exit code %d: %s", devnet.ErrRejected, e.Code, e.Reason)
}

// Unwrap makes errors.Is(err, devnet.ErrRejected) hold.
func (e *ExitError) Unwrap() error { return devnet.ErrRejected }

// ErrCannotPay is the node's refusal of an external message to an account
// that cannot pay for it ("cannot pay for importing this external message").
var ErrCannotPay = fmt.Errorf("%w: the account cannot pay for importing this external message", devnet.ErrRejected)

// Exit codes of the virtual machine and of the contracts.
const (
	exitRangeCheck    = 5  // an integer out of its range
	exitCellUnderflow = 9  // a load past the end of a slice
	exitDict          = 10 // a malformed dictionary
	exitBadSignature  = 40
	exitConstructed   = 51
	exitReplay        = 52
	exitExpired       = 57
	exitNoSignature   = 58
	exitFunctionID    = 60
	exitPubkeyHeader  = 100
	exitTrailingData  = 101
	exitExpireTooFar  = 102
	exitValue         = 103

	// Result codes of the action phase.
	resultBadDestination = 34 // not an internal address
	resultAnycast        = 50 // an anycast destination
	resultNotEnoughValue = 37 // not enough balance for the message
	resultTooManyActions = 33 // more than maxActions actions
)

func exitf(code int, format string, args ...any) *ExitError {
	return &ExitError{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// reader reads a slice as the TVM's load instructions do: running past the
// end is a cell underflow (exit code 9), reported once by err.
type reader struct {
	s    *cell.Slice
	what string // named in the error: "message body", "persistent data"
	err  *ExitError
}

func newReader(s *cell.Slice, what string) *reader { return &reader{s: s, what: what} }

func (r *reader) fail(n int, kind string) {
	if r.err == nil {
		r.err = exitf(exitCellUnderflow, "cell underflow reading %d %s of the %s", n, kind, r.what)
	}
}

func (r *reader) uint(n int) uint64 {
	if r.err != nil {
		return 0
	}
	if r.s.BitsLeft() < n {
		r.fail(n, "bits")
		return 0
	}
	v, err := r.s.LoadUInt(n)
	if err != nil {
		r.fail(n, "bits")
	}
	return v
}

func (r *reader) bits(n int) []byte {
	if r.err != nil {
		return make([]byte, (n+7)/8)
	}
	if r.s.BitsLeft() < n {
		r.fail(n, "bits")
		return make([]byte, (n+7)/8)
	}
	b, err := r.s.LoadBits(n)
	if err != nil {
		r.fail(n, "bits")
		return make([]byte, (n+7)/8)
	}
	return b
}

func (r *reader) ref() *cell.Cell {
	if r.err != nil {
		return nil
	}
	if r.s.RefsLeft() < 1 {
		r.fail(1, "reference")
		return nil
	}
	c, err := r.s.LoadRef()
	if err != nil {
		r.fail(1, "reference")
	}
	return c
}

// empty reports whether nothing, neither bits nor references, is left.
func (r *reader) empty() bool { return r.s.BitsLeft() == 0 && r.s.RefsLeft() == 0 }
