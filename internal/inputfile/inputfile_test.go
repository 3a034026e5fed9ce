package inputfile

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 101), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
		err  error
	}{
		{"regular file", small, "hello", nil},
		{"larger than its content can be", big, "", ErrTooLarge},
		{"a directory", dir, "", ErrNotRegular},
		{"a FIFO with no writer", fifo, "", ErrNotRegular},
		{"an endless device", "/dev/zero", "", ErrNotRegular},
		{"missing", filepath.Join(dir, "none"), "", os.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				got, err := Read(t.Context(), tc.path, 100, nil)
				if !errors.Is(err, tc.err) || (tc.err == nil && string(got) != tc.want) {
					t.Errorf("Read(%s) = %q, %v; want %q, %v", tc.path, got, err, tc.want, tc.err)
				}
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Read blocked")
			}
		})
	}
}

func TestReadStdin(t *testing.T) {
	got, err := Read(t.Context(), Stdin, 10, strings.NewReader("phrase"))
	if err != nil || string(got) != "phrase" {
		t.Fatalf("stdin: %q, %v", got, err)
	}
	if _, err := Read(t.Context(), Stdin, 10, strings.NewReader(strings.Repeat("x", 11))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("stdin past the limit: %v", err)
	}
	// A writer that never writes: cancelling the context ends the wait.
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := Read(ctx, Stdin, 10, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read of stdin: %v", err)
	}
}
