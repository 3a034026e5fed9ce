package contracts

import "math/big"

// Fees are what the executor charges, in nanotokens, per kind of
// transaction (see the package comment for how they were chosen).
type Fees struct {
	// ProofDeploy is the fee of an accepted proof constructor call.
	ProofDeploy uint64
	// WalletTransfer is the fee of an accepted wallet or giver call,
	// not counting the forwarding of the message it sends.
	WalletTransfer uint64
	// Forward is the fee of forwarding one internal message, a bounce
	// included.
	Forward uint64
	// Internal is the fee of an internal message that a contract runs.
	Internal uint64
}

// DefaultFees are close to what Everscale's executor charges with the main
// network config.
var DefaultFees = Fees{
	ProofDeploy:    5_300_000,
	WalletTransfer: 6_100_000,
	Forward:        500_000,
	Internal:       1_000_000,
}

func nano(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

// charge takes up to fee from balance (never below zero) and returns what
// was taken.
func charge(balance *big.Int, fee uint64) *big.Int {
	f := nano(fee)
	if f.Cmp(balance) > 0 {
		f.Set(balance)
	}
	balance.Sub(balance, f)
	return f
}
