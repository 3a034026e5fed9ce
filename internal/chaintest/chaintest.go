// Package chaintest starts the network a test signs on: the devnet emulator
// with the contracts' rules in Go and a funded giver wallet, as
// `sign-cli devnet` runs it. It is the one chain fixture of the packages
// that deploy and check proofs.
package chaintest

import (
	"math/big"
	"testing"

	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/everos/everostest"
	"github.com/gosh-sh/sign-cli/keys"
)

// GiverBalance is what the giver starts with: a million tokens, in
// nanotokens.
var GiverBalance = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1_000_000_000))

// Chain is a running emulator holding a giver that pays for proofs.
type Chain struct {
	*devnet.Server
	// Giver is the giver's key.
	Giver keys.Key
	// GiverAddress is the giver's address.
	GiverAddress string
}

// New starts a chain with opts for t; the test's end stops it.
func New(t testing.TB, opts ...devnet.Option) *Chain {
	t.Helper()
	giver, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := contracts.GiverAccount(giver.Public().Ed25519(), new(big.Int).Set(GiverBalance))
	if err != nil {
		t.Fatal(err)
	}
	srv := everostest.New(t, append(contracts.ServerOptions(acc), opts...)...)
	return &Chain{Server: srv, Giver: giver, GiverAddress: acc.Address}
}
