package main

import (
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/everos/everostest"
	"github.com/gosh-sh/sign-cli/everos/everostest/contracts"
	"github.com/gosh-sh/sign-cli/signature"
)

// devnetGiverBalance is what the devnet's giver starts with: a million tokens.
var devnetGiverBalance = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1_000_000_000))

// devnetChain is the running emulator and its giver.
type devnetChain struct {
	*everostest.Server
	GiverAddress string
}

// startDevnetChain starts the emulator with the contracts' rules and a
// funded giver owned by key (kept as it is when restored from a state dir).
func startDevnetChain(o *devnetOptions, key signature.Key) (*devnetChain, error) {
	giver, err := giverAccount(key)
	if err != nil {
		return nil, err
	}
	opts := []everostest.Option{everostest.WithAddr(o.listen), everostest.WithExecutor(devnetExecutor())}
	if o.stateDir != "" {
		opts = append(opts, everostest.WithStateDir(o.stateDir))
	}
	srv, err := everostest.Start(opts...)
	if err != nil {
		return nil, err
	}
	if acc, ok := srv.Account(giver.Address); !ok || acc.Type != everos.Active {
		if err := srv.SetAccount(giver); err != nil {
			srv.Close()
			return nil, fmt.Errorf("creating the giver: %w", err)
		}
	}
	return &devnetChain{Server: srv, GiverAddress: giver.Address}, nil
}

// giverAccount is the active account of the package contract's giver
// owned by key, holding devnetGiverBalance.
func giverAccount(key signature.Key) (everostest.Account, error) {
	return contracts.GiverAccount(key.Public().Ed25519(), new(big.Int).Set(devnetGiverBalance))
}

// devnetExecutor applies the proof contract's, the giver's and the
// wallets' rules.
func devnetExecutor() everostest.Executor { return contracts.New() }
