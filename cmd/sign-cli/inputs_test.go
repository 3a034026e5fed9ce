package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInputFilesAreBounded: every file a user names is read only when it is
// a regular file of a size its content can have, so that /dev/zero, a FIFO
// or the wrong file ends at once with exit code 2 instead of filling the
// memory or waiting forever.
func TestInputFilesAreBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("a"), 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	pub := strings.Repeat("ab", 32)
	digest := "sha256:" + strings.Repeat("cd", 32)
	env := map[string]string{"SIGN_CLI_NETWORK": "http://127.0.0.1:1/graphql", "WALLET": "0:" + strings.Repeat("1", 64), "WALLET_SECRET": strings.Repeat("12", 32)}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"secret file from /dev/zero", []string{"sign", "--secret-file", "/dev/zero", digest}, []string{"--secret-file", "not a regular file", "a device"}},
		{"secret file from a FIFO", []string{"sign", "--secret-file", fifo, digest}, []string{"not a regular file", "a FIFO"}},
		{"phrase file from a FIFO", []string{"pubkey", "--phrase-file", fifo}, []string{"--phrase-file", "a FIFO"}},
		{"phrase file too large", []string{"pubkey", "--phrase-file", huge}, []string{"--phrase-file", "too large"}},
		{"wallet secret file from /dev/zero", []string{"sign", "--wallet-secret-file", "/dev/zero", digest}, []string{"--wallet-secret-file", "a device"}},
		{"a directory as secret file", []string{"sign", "--secret-file", dir, digest}, []string{"a directory"}},
		{"send a FIFO", []string{"send", fifo}, []string{"message file", "a FIFO"}},
		{"send a huge file", []string{"send", huge}, []string{"message file", "too large"}},
		{"targets from a FIFO", []string{"check", "--from-file", fifo, pub}, []string{"--from-file", "a FIFO"}},
		{"public key from a FIFO", []string{"check", "--public", fifo, digest}, []string{"public key file", "a FIFO"}},
		{"targets from /dev/zero", []string{"check", "--from-file", "/dev/zero", pub}, []string{"--from-file", "a device"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan result, 1)
			go func() { done <- runCLI(t, env, "", tc.args...) }()
			select {
			case r := <-done:
				r.wantError(t, exitUsage, tc.want...)
			case <-time.After(20 * time.Second):
				t.Fatal("still reading after 20 s")
			}
		})
	}
}

// TestCtrlCWhileReadingStdin: a key read from a standard input that never
// ends does not outlast Ctrl-C.
func TestCtrlCWhileReadingStdin(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut bytes.Buffer
	app := &App{In: r, Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, []string{"pubkey", "--secret-file", "-"}, app) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		res := result{stdout: out.String(), stderr: errOut.String(), code: code}
		res.wantError(t, exitFailure, "standard input")
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not end the read of standard input")
	}
}
