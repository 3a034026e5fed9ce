package proof

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
)

// Locks takes the lock called name for one process at a time on a machine
// (internal/runlock's Dir.Acquire does), calling waiting once if it has to
// wait.
type Locks func(ctx context.Context, name string, waiting func()) (Lock, error)

// Lock is a held lock with a note that outlives its holder.
type Lock interface {
	Note() ([]byte, error)
	SetNote([]byte) error
	Release()
}

// pendingTransfer is the note a run leaves in a proof's lock before it
// sends a top-up: if it is killed before it sees the transfer land, the
// next run waits for that very message instead of paying again.
type pendingTransfer struct {
	BOC      string    `json:"boc"` // base64
	Hash     string    `json:"hash"`
	ExpireAt time.Time `json:"expire_at"`
	// Batch lists every proof address the message tops up: one wallet
	// transaction may fund many proofs, and each of their locks holds it.
	Batch []string `json:"batch,omitempty"`
}

// lock takes p's lock when the Deployer has Locks; acc is re-read when
// another run held it, since that run may have funded or deployed the proof.
func (d *Deployer) lock(ctx context.Context, p *contract.Proof, acc *everos.Account) (Lock, *everos.Account, error) {
	if d.Locks == nil {
		return nil, acc, nil
	}
	addr := p.Address().String()
	waited := false
	l, err := d.Locks(ctx, hex.EncodeToString(p.Address().Data), func() {
		waited = true
		d.progress("waiting for another sign-cli run on this machine that is deploying proof %s", addr)
	})
	if err != nil {
		return nil, acc, fmt.Errorf("taking the lock of proof %s: %w", addr, err)
	}
	if waited {
		if acc, err = d.Client.Account(ctx, addr); err != nil {
			l.Release()
			return nil, nil, fmt.Errorf("reading proof account %s: %w", addr, err)
		}
	}
	return l, acc, nil
}

// recordTransfer notes a transfer about to be sent, which tops up the
// proof addresses batch.
func recordTransfer(l Lock, m everos.Message, batch []string) error {
	if l == nil {
		return nil
	}
	b, err := json.Marshal(pendingTransfer{BOC: base64.StdEncoding.EncodeToString(m.BOC), Hash: hex.EncodeToString(m.Hash[:]), ExpireAt: m.ExpireAt, Batch: batch})
	if err != nil {
		return err
	}
	return l.SetNote(b)
}

// pending is the transfer an earlier run left on its way, if any.
func pending(l Lock) (everos.Message, bool) {
	if l == nil {
		return everos.Message{}, false
	}
	b, err := l.Note()
	if err != nil || len(b) == 0 {
		return everos.Message{}, false
	}
	var t pendingTransfer
	if json.Unmarshal(b, &t) != nil {
		return everos.Message{}, false
	}
	boc, err1 := base64.StdEncoding.DecodeString(t.BOC)
	h, err2 := hex.DecodeString(t.Hash)
	if err1 != nil || err2 != nil || len(h) != 32 {
		return everos.Message{}, false
	}
	m := everos.Message{BOC: boc, ExpireAt: t.ExpireAt}
	copy(m.Hash[:], h)
	return m, true
}

// clearTransfer forgets the transfer once its fate is known.
func clearTransfer(l Lock) {
	if l != nil {
		l.SetNote(nil)
	}
}
