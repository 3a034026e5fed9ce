package proof_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/proof"
)

// refusingLock is a proof lock whose note cannot be written.
type refusingLock struct{}

var errNoteRefused = errors.New("disk full")

func (refusingLock) Note() ([]byte, error)  { return nil, nil }
func (refusingLock) SetNote(b []byte) error { return errNoteRefused }
func (refusingLock) Release()               {}

var accountAddress = regexp.MustCompile(`-?\d+:[0-9a-f]{64}`)

// TestFundingErrorsNameEachThingOnce: a funding that fails says so naming
// the proof and the wallet once each: each layer adds only what it knows.
// The wallet is an EverWallet, so that proofs may share a batch, which
// reports the lock of another proof it pays by that proof's address.
func TestFundingErrorsNameEachThingOnce(t *testing.T) {
	tests := []struct {
		name string
		arm  func(w *walletWorld, d *proof.Deployer)
		want string
	}{
		{"the lock refuses the note", func(w *walletWorld, d *proof.Deployer) {
			d.Locks = func(context.Context, string, func()) (proof.Lock, error) { return refusingLock{}, nil }
		}, "noting the transfer in the"},
		{"the message cannot be built", func(w *walletWorld, d *proof.Deployer) {
			// A wallet whose code no kind runs, said to be of a kind
			// sign-cli cannot build messages for.
			acc, ok := w.chain.Account(w.wallet)
			if !ok {
				t.Fatal("no wallet")
			}
			acc.CodeHash = strings.Repeat("ab", 32)
			if err := w.chain.SetAccount(acc); err != nil {
				t.Fatal(err)
			}
			d.Wallet.Kind = contract.WalletKind(99)
		}, "building"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWalletWorld(t, "go", contract.EverWallet, devnet.WithBlockDelay(50*time.Millisecond))
			d := w.deployer(w.client())
			tc.arm(w, d)
			signer := newKey(t)
			contents := contentsFor(t.Name(), 6)
			_, errs := d.DeployAll(t.Context(), signer, contents)
			for i, err := range errs {
				if err == nil {
					t.Errorf("proof %d deployed, want an error saying %q", i, tc.want)
					continue
				}
				line := err.Error()
				if !strings.Contains(line, tc.want) {
					t.Errorf("proof %d: %q, want an error saying %q", i, line, tc.want)
				}
				own := w.address(signer.Public(), contents[i])
				for _, must := range []string{own, w.wallet} {
					if !strings.Contains(line, must) {
						t.Errorf("proof %d: %q does not name %s", i, line, must)
					}
				}
				seen := map[string]bool{}
				for _, a := range accountAddress.FindAllString(line, -1) {
					if seen[a] {
						t.Errorf("proof %d: %s named twice in %q", i, a, line)
					}
					seen[a] = true
				}
			}
			if n := w.walletTxs(); n != 0 {
				t.Errorf("%d wallet transactions; nothing can have been sent", n)
			}
		})
	}
}
