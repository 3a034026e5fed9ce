package proof_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
)

// TestMessagesLiveTheirLifetime: the wallet's message and the deploy
// message are taken until the expiry the Deployer waits for, to the second
// the contracts read from their expire header. The network's clock is
// moved, right after each message is made, into the last whole second
// before that expiry: the message must still run, once.
func TestMessagesLiveTheirLifetime(t *testing.T) {
	const lifetime = 2 * time.Second
	for _, kind := range []contract.WalletKind{contract.LocalGiver, contract.EverWallet, contract.HighloadWalletV2} {
		for _, step := range []string{"funding", "deploying"} {
			t.Run(kind.String()+"/"+step, func(t *testing.T) {
				var log devnetLog
				w := newWalletWorld(t, "go", kind, devnet.WithBlockDelay(100*time.Millisecond), devnet.WithLogf(log.logf))
				c := w.client()
				d := w.deployer(c)
				d.MessageLifetime = lifetime
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				var once sync.Once
				d.Progress = func(line string) {
					if !strings.HasPrefix(line, step+" ") {
						return
					}
					once.Do(func() {
						// The message was made a moment ago at the client's
						// reading of the network's time.
						now, err := c.ServerTime(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						last := now.Add(lifetime).Truncate(time.Second)
						w.chain.SetClockSkew(last.Add(10 * time.Millisecond).Sub(now))
						// The next messages are made at the moved time.
						if _, err := c.Info(ctx); err != nil {
							t.Error(err)
						}
					})
				}
				signer := newKey(t)
				contents := contentsFor(t.Name(), 1)
				if _, err := d.Deploy(ctx, signer, contents[0]); err != nil {
					t.Fatal(err)
				}
				log.mu.Lock()
				for _, line := range log.lines {
					if untakenMessage.MatchString(line) {
						t.Errorf("a message was not taken: %s", line)
					}
				}
				log.mu.Unlock()
				if sent, txs := d.WalletTransactions(), w.walletTxs(); sent != 1 || txs != 1 {
					t.Errorf("%d wallet messages, %d wallet transactions; want one of each", sent, txs)
				}
				w.checkOnce(t, signer, contents)
			})
		}
	}
}
