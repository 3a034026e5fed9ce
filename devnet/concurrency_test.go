package devnet_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
)

// Many senders at once through one client, with faults on: every message
// gets its own transaction exactly once.
func TestConcurrentSenders(t *testing.T) {
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9), active(2, 1e9)))
	defer srv.Close()
	srv.FailRequests(5, 500)
	srv.DuplicateDelivery(true)
	c := client(t, everos.Config{WaitTimeout: 200 * time.Millisecond, MaxRetries: 8}, srv.URL)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	ids := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := message(t, addr(1+i%2), time.Minute)
			tx, err := c.SendAndWait(ctxT(t), m)
			if err != nil {
				errs <- err
				return
			}
			if tx.InMsg != m.ID() {
				t.Errorf("transaction of %s for message %s", tx.InMsg, m.ID())
			}
			ids <- tx.ID
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("transaction %s returned twice", id)
		}
		seen[id] = true
	}
	if got := len(srv.Transactions()); got != n {
		t.Errorf("%d transactions, want %d", got, n)
	}
}

func BenchmarkAccounts1000(b *testing.B) {
	var accs []devnet.Account
	var addrs []string
	for i := range 1000 {
		accs = append(accs, active(i, int64(i)))
		addrs = append(addrs, addr(i))
	}
	srv := devnet.NewServer(devnet.WithAccounts(accs...))
	defer srv.Close()
	c, _ := everos.New(everos.Config{Endpoints: []string{srv.URL}})
	for b.Loop() {
		if _, err := c.Accounts(b.Context(), addrs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendAndWait(b *testing.B) {
	srv := devnet.NewServer(devnet.WithAccounts(active(1, 1e9)))
	defer srv.Close()
	c, _ := everos.New(everos.Config{Endpoints: []string{srv.URL}})
	for b.Loop() {
		if _, err := c.SendAndWait(b.Context(), message(b, addr(1), time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}
