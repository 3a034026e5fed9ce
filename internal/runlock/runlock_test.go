package runlock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestAcquireTakesTurns(t *testing.T) {
	d := Dir(filepath.Join(t.TempDir(), "locks"))
	a, err := d.Acquire(t.Context(), "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetNote([]byte("transfer on its way")); err != nil {
		t.Fatal(err)
	}
	var waited atomic.Bool
	got := make(chan *Held)
	go func() {
		b, err := d.Acquire(t.Context(), "p", func() { waited.Store(true) })
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	select {
	case <-got:
		t.Fatal("a second holder while the first holds the lock")
	case <-time.After(200 * time.Millisecond):
	}
	if !waited.Load() {
		t.Error("the waiting callback was not called")
	}
	a.Release()
	b := <-got
	defer b.Release()
	note, err := b.Note()
	if err != nil || string(note) != "transfer on its way" {
		t.Fatalf("note %q, %v", note, err)
	}
	if err := b.SetNote(nil); err != nil {
		t.Fatal(err)
	}
	if note, _ := b.Note(); len(note) != 0 {
		t.Fatalf("cleared note reads %q", note)
	}
	if st, err := os.Stat(filepath.Join(string(d), "p.lock")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v", st, err)
	}
}

func TestAcquireEndsWithContext(t *testing.T) {
	d := Dir(t.TempDir())
	a, err := d.Acquire(t.Context(), "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := d.Acquire(ctx, "p", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if _, err := d.Acquire(t.Context(), "../p", nil); err == nil {
		t.Fatal("a name with a path was accepted")
	}
}

// TestLockDiesWithItsHolder: a holder killed with SIGKILL leaves no stale
// lock, and its note is still there.
func TestLockDiesWithItsHolder(t *testing.T) {
	if os.Getenv("RUNLOCK_HOLD") != "" {
		h, err := Dir(os.Getenv("RUNLOCK_HOLD")).Acquire(context.Background(), "p", nil)
		if err != nil {
			os.Exit(2)
		}
		h.SetNote([]byte("left by a killed run"))
		os.Stdout.WriteString("held\n")
		time.Sleep(time.Minute)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDiesWithItsHolder$")
	cmd.Env = append(os.Environ(), "RUNLOCK_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("child: %q %v", buf, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	h, err := Dir(dir).Acquire(ctx, "p", nil)
	if err != nil {
		t.Fatalf("the killed holder's lock is stale: %v", err)
	}
	defer h.Release()
	if note, _ := h.Note(); string(note) != "left by a killed run" {
		t.Fatalf("note %q", note)
	}
}
