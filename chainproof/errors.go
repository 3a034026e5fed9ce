package chainproof

import (
	"errors"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Sentinel errors, wrapped with details; test them with errors.Is.
var (
	// ErrUnknownTag: a constructor tag this package does not know.
	ErrUnknownTag = errors.New("unknown constructor tag")
	// ErrPruned: a read that needs what a Merkle proof left out.
	ErrPruned = cell.ErrPruned
	// ErrInvalid: data that parses but breaks a rule of its format.
	ErrInvalid = errors.New("invalid chain data")
	// ErrHashMismatch: a proof or a cell that does not hash to what it must.
	ErrHashMismatch = errors.New("hash mismatch")
	// ErrNotSigned: signatures that are missing, bad, repeated, from the
	// wrong validators, or not enough of them.
	ErrNotSigned = errors.New("not signed by the validators")
	// ErrUntrusted: a key block that no anchor reaches.
	ErrUntrusted = errors.New("not reachable from a trusted key block")
	// ErrNotFound: what a proof shows is not there (a shard, an account,
	// a transaction).
	ErrNotFound = errors.New("not found")
)
