package everostest_test

import (
	"context"
	"fmt"
	"math/big"
	"runtime"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/everos/everostest"
)

// New hands the test a running emulator with the options given, and the
// test's end stops it.
func TestNew(t *testing.T) {
	addr := fmt.Sprintf("0:%064x", 7)
	var srv *devnet.Server
	t.Run("running", func(t *testing.T) {
		srv = everostest.New(t, devnet.WithAccounts(devnet.Account{Address: addr, Type: account.Uninit, Balance: big.NewInt(42)}))
		c, err := everos.New(everos.Config{Endpoints: []string{srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a, err := c.Account(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != account.Uninit || a.Balance.Int64() != 42 {
			t.Errorf("account %s: %v holding %v, want uninit holding 42", addr, a.Type, a.Balance)
		}
	})
	c, err := everos.New(everos.Config{Endpoints: []string{srv.URL}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Info(ctx); err == nil {
		t.Error("the emulator still answers after its test ended")
	}
}

// New fails the test, rather than panicking, when the emulator cannot
// start.
func TestNewFails(t *testing.T) {
	ft := &fatalT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		everostest.New(ft, devnet.WithAddr("256.0.0.1:0"))
	}()
	<-done
	if !ft.failed {
		t.Error("New with an address it cannot listen on did not fail the test")
	}
}

// fatalT records Fatalf and ends the goroutine as testing.T does.
type fatalT struct {
	testing.TB
	failed bool
}

func (f *fatalT) Helper() {}

func (f *fatalT) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}
