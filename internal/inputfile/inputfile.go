// Package inputfile reads the small files a user names on the command line
// (keys, seed phrases, message files, target lists, goshfiles). Each has a
// size its content can have, so a read past it is a mistake (a device such
// as /dev/zero, the wrong file) and stops there; and only regular files are
// read, so that a FIFO or a device cannot make the program wait forever or
// read without end. Standard input ("-") is read with the same bound, and a
// read of it ends when the context does (Ctrl-C).
package inputfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Sentinel errors, wrapped with the path.
var (
	// ErrTooLarge is a file larger than its content can be.
	ErrTooLarge = errors.New("file too large")
	// ErrNotRegular is a path that is not a regular file (a directory,
	// FIFO, device or socket).
	ErrNotRegular = errors.New("not a regular file")
)

// Stdin is the path that means standard input.
const Stdin = "-"

// Read returns the content of the regular file at path, or of stdin when
// path is "-", refusing more than limit bytes.
func Read(ctx context.Context, path string, limit int64, stdin io.Reader) ([]byte, error) {
	if path == Stdin {
		return readStdin(ctx, stdin, limit)
	}
	// O_NONBLOCK keeps open(2) of a FIFO with no writer from blocking; the
	// flag does not change reads of a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, describe(st.Mode()))
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d expected", path, ErrTooLarge, st.Size(), limit)
	}
	return readLimited(f, path, limit)
}

func readLimited(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", name, ErrTooLarge, limit)
	}
	return data, nil
}

// readStdin reads in the background so that a cancelled context (Ctrl-C)
// ends the wait for a writer that never comes; the read itself is left to
// end with the process.
func readStdin(ctx context.Context, stdin io.Reader, limit int64) ([]byte, error) {
	if stdin == nil {
		stdin = os.Stdin
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readLimited(stdin, "standard input", limit)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("reading standard input: %w", context.Cause(ctx))
	}
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return m.Type().String()
	}
}
