// Package everostest starts the devnet emulator for a test, as
// net/http/httptest starts an HTTP server: New returns a running
// devnet.Server that the test's cleanup stops. Everything else (options,
// accounts, executors, faults) is package devnet's.
package everostest

import (
	"testing"

	"github.com/gosh-sh/sign-cli/devnet"
)

// New starts an emulator with opts for t and stops it when t ends. It
// fails t when the emulator cannot start.
func New(t testing.TB, opts ...devnet.Option) *devnet.Server {
	t.Helper()
	s, err := devnet.Start(opts...)
	if err != nil {
		t.Fatalf("starting the devnet emulator: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}
