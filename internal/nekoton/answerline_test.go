package nekoton_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

// TestAnswerLineBound stands a small node program in for the bridge: one
// that answers with a line as big as a large account's, and one that writes
// a line without end. The first is read; the second ends the bridge with
// ErrAnswerTooLong instead of growing the reader's memory until it fails.
func TestAnswerLineBound(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	tests := []struct {
		name    string
		child   string
		wantLen int
		wantErr error
	}{
		{
			name: "big answer",
			child: `process.stdin.once('data', () => {
				process.stdout.write('{"id":1,"result":"' + 'A'.repeat(16 << 20) + '"}\n');
			});`,
			wantLen: 16<<20 + 2,
		},
		{
			name: "endless line",
			child: `const chunk = 'x'.repeat(1 << 20);
			function more() {
				while (process.stdout.write(chunk)) {}
				process.stdout.once('drain', more);
			}
			more();`,
			wantErr: nekoton.ErrAnswerTooLong,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := filepath.Join(t.TempDir(), "child.js")
			if err := os.WriteFile(script, []byte(tt.child), 0o600); err != nil {
				t.Fatal(err)
			}
			b, err := nekoton.StartProcess(node, script, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			type result struct {
				n   int
				err error
			}
			done := make(chan result, 1)
			go func() {
				raw, err := b.Call("methods")
				done <- result{len(raw), err}
			}()
			var got result
			select {
			case got = <-done:
			case <-time.After(time.Minute):
				t.Fatal("no answer and no error within a minute")
			}
			if tt.wantErr != nil {
				if !errors.Is(got.err, tt.wantErr) || !errors.Is(got.err, nekoton.ErrClosed) {
					t.Fatalf("Call: %d bytes, err %v; want %v and %v", got.n, got.err, tt.wantErr, nekoton.ErrClosed)
				}
				if len(got.err.Error()) > 1000 {
					t.Fatalf("error is %d bytes long, want a short line", len(got.err.Error()))
				}
				return
			}
			if got.err != nil || got.n != tt.wantLen {
				t.Fatalf("Call: %d bytes, err %v; want %d bytes", got.n, got.err, tt.wantLen)
			}
		})
	}
}
