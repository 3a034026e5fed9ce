package trustless

import "errors"

// Sentinel errors, each saying which link of the evidence is missing; a
// verdict's error wraps one of them (and, below it, chainproof's reason).
var (
	// ErrNoTransaction: the endpoint names no transaction that made the
	// proof account active. Absence is not proven, so it is no verdict.
	ErrNoTransaction = errors.New("no constructing transaction was served")
	// ErrNotConstructor: the transaction served is not the proof's
	// constructor run by an external message signed by the proof's key,
	// with its compute phase successful and the account going from uninit
	// to active.
	ErrNotConstructor = errors.New("the transaction is not the proof's signed construction")
	// ErrNotInBlock: the shard block served does not hold the transaction,
	// or was not served.
	ErrNotInBlock = errors.New("the transaction is not proven to be in a block")
	// ErrNotCommitted: the masterchain block served does not commit the
	// shard block, or was not served.
	ErrNotCommitted = errors.New("the block is not proven to be in the masterchain")
	// ErrNotTrusted: the masterchain block is not signed by validators that
	// key blocks back to the trust anchor appointed.
	ErrNotTrusted = errors.New("the masterchain block is not proven to be signed by the network's validators")
)
