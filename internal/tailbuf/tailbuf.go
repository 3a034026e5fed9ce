// Package tailbuf keeps the end of a child process's output for error
// messages: the last few kilobytes, safe to write from several goroutines
// (os/exec copies standard output and standard error from goroutines of
// its own).
package tailbuf

import (
	"bytes"
	"strings"
	"sync"
)

// DefaultMax is what a Buffer keeps when Max is zero.
const DefaultMax = 8 << 10

// Buffer keeps the last Max bytes written to it. The zero Buffer is ready to
// use and keeps DefaultMax.
type Buffer struct {
	// Max bounds what is kept; zero means DefaultMax.
	Max int

	mu  sync.Mutex
	buf []byte
}

// Write keeps the end of p and of what came before it; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	limit := b.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) > limit {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-limit:]...)
	}
	return len(p), nil
}

// String is everything kept.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// LastLine is the last non-empty line kept, trimmed of white space: where
// tools such as docker put their error.
func (b *Buffer) LastLine() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(b.buf), []byte("\n"))
	return strings.TrimSpace(string(lines[len(lines)-1]))
}
