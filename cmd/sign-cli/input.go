package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/internal/inputfile"
)

// readInput reads a file the user named (- for standard input) of at most
// limit bytes. A file that cannot be read as one is bad input (exit 2); an
// interrupted read of standard input is not (exit 3).
func readInput(app *App, what, path string, limit int64) ([]byte, error) {
	data, err := inputfile.Read(app.context(), path, limit, app.In)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%s: %w", what, err)
	default:
		return nil, usageError("%s: %v", what, err)
	}
}

// context is the command line's context, or the background one for an App
// that was not started by Main.
func (app *App) context() context.Context {
	if app.ctx == nil {
		return context.Background()
	}
	return app.ctx
}
