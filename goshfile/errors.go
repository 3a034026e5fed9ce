package goshfile

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every error Parse returns for a
// goshfile that is not valid, as opposed to a failure to read it.
var ErrInvalid = errors.New("invalid goshfile")

// Error is one problem in a goshfile.
type Error struct {
	Filename string
	Pos      Position
	Msg      string
}

func (e *Error) Error() string {
	name := e.Filename
	if name == "" {
		name = DefaultFilename
	}
	switch {
	case e.Pos.Line == 0:
		return fmt.Sprintf("%s: %s", name, e.Msg)
	case e.Pos.Column == 0:
		return fmt.Sprintf("%s:%d: %s", name, e.Pos.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", name, e.Pos.Line, e.Pos.Column, e.Msg)
}

func (e *Error) Is(target error) bool { return target == ErrInvalid }

// ErrorList is every problem found in one goshfile, in the order they
// appear in it.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

func (l ErrorList) Is(target error) bool { return target == ErrInvalid }
