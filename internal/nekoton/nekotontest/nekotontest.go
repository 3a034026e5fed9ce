// Package nekotontest gives tests the nekoton bridge shared by the whole test
// binary. It lives apart from package nekoton so that programs which run the
// bridge (`sign-cli devnet --executor nekoton`) do not link package testing.
package nekotontest

import (
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

var (
	shared     *nekoton.Bridge
	sharedErr  error
	sharedOnce sync.Once
)

// Start returns the bridge shared by the test binary, starting it on first
// use; it lives until the binary exits. Without node or the npm packages the
// test is skipped with a message saying how to install them, or fails when
// the CI environment variable is set, so that CI can never pass by skipping.
func Start(tb testing.TB) *nekoton.Bridge {
	tb.Helper()
	sharedOnce.Do(func() {
		shared, sharedErr = nekoton.Open(nekoton.Options{})
	})
	switch {
	case errors.Is(sharedErr, nekoton.ErrUnavailable) && os.Getenv("CI") != "":
		tb.Fatalf("CI is set but %v", sharedErr)
	case errors.Is(sharedErr, nekoton.ErrUnavailable):
		tb.Skipf("%v; run `make node-deps` (needs Node.js >= 18 and npm) to enable this test", sharedErr)
	case sharedErr != nil:
		tb.Fatalf("starting nekoton bridge: %v", sharedErr)
	}
	return shared
}

// NodeModules is the node_modules directory the shared bridge loads its
// packages from, for tests that read other npm packages installed beside
// them (the wallets' code of everscale-standalone-client); skipped or
// failed as Start is.
func NodeModules(tb testing.TB) string {
	tb.Helper()
	Start(tb)
	dir, err := nekoton.FindNodeModules("", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}
