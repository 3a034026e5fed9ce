package main

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/devnet/nekotonexec"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/keys"
)

// devnetGiverBalance is what the devnet's giver starts with: a million tokens.
var devnetGiverBalance = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1_000_000_000))

// Executors of the devnet (--executor).
const (
	executorGo      = "go"      // package contracts: the contracts' rules in Go
	executorNekoton = "nekoton" // Everscale's executor (nekoton-wasm under Node.js)
)

// devnetChain is the running emulator and its giver.
type devnetChain struct {
	*devnet.Server
	GiverAddress string
	// WalletAddress is the wallet the env file names: the giver, or the
	// wallet of --wallet-type.
	WalletAddress string
	// Executor names what runs the transactions: executorGo or
	// executorNekoton.
	Executor  string
	closeExec func() error
}

// Close stops the emulator, and then the executor's Node.js process if
// the devnet started one.
func (c *devnetChain) Close() {
	c.Server.Close()
	if c.closeExec != nil {
		c.closeExec()
	}
}

// startDevnetChain starts the emulator with the executor o asks for and a
// funded giver owned by key (kept as it is when restored from a state dir).
func startDevnetChain(o *devnetOptions, key keys.Key) (*devnetChain, error) {
	giver, err := giverAccount(key)
	if err != nil {
		return nil, err
	}
	wallet, err := devnetWallet(o, key)
	if err != nil {
		return nil, err
	}
	exec, closeExec, err := devnetExecutor(o)
	if err != nil {
		return nil, err
	}
	opts := []devnet.Option{devnet.WithAddr(o.listen), devnet.WithExecutor(exec), devnet.WithBlockInterval(o.interval)}
	if o.stateDir != "" {
		opts = append(opts, devnet.WithStateDir(o.stateDir))
	}
	if o.clock != nil {
		opts = append(opts, devnet.WithClock(o.clock))
	}
	srv, err := devnet.Start(opts...)
	if err != nil {
		if closeExec != nil {
			closeExec()
		}
		return nil, err
	}
	chain := &devnetChain{Server: srv, GiverAddress: giver.Address, WalletAddress: giver.Address, Executor: o.executorName(), closeExec: closeExec}
	accounts := []devnet.Account{giver}
	if wallet != nil {
		accounts = append(accounts, *wallet)
		chain.WalletAddress = wallet.Address
	}
	for _, a := range accounts {
		if acc, ok := srv.Account(a.Address); !ok || acc.Type != everos.Active {
			if err := srv.SetAccount(a); err != nil {
				chain.Close()
				return nil, fmt.Errorf("creating the wallet %s: %w", a.Address, err)
			}
		}
	}
	return chain, nil
}

// devnetWallet is the funded wallet of --wallet-type owned by key, with
// the real code read from the npm package that carries it; nil when no
// kind is given or it is the giver.
func devnetWallet(o *devnetOptions, key keys.Key) (*devnet.Account, error) {
	if o.walletType == "" {
		return nil, nil
	}
	kind, err := contract.ParseWalletKind(o.walletType)
	if kind == contract.LocalGiver {
		return nil, nil
	}
	if err != nil || !kind.HasCode() {
		return nil, usageError("--wallet-type %q: expected %s", o.walletType, strings.Join(devnetWalletKinds(), ", "))
	}
	dir := o.nodeModules
	if dir == "" {
		// node_modules of a clone of sign-cli holds both packages.
		if dir, err = nekoton.FindNodeModules("", nil); err != nil {
			return nil, usageError("--wallet-type %s reads the wallet's code from the npm package %s, and no node_modules was found: run `npm ci` in the sign-cli repository or give --node-modules DIR", kind, contract.StandaloneClientPackage)
		}
	} else if fi, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil && fi.IsDir() {
		dir = filepath.Join(dir, "node_modules")
	}
	code, err := kind.WalletCode(dir)
	if err != nil {
		return nil, usageError("--wallet-type %s: %v", kind, err)
	}
	acc, err := contracts.RealWalletAccount(kind, code, key.Public().Ed25519(), new(big.Int).Set(devnetGiverBalance))
	if err != nil {
		return nil, fmt.Errorf("creating the %s wallet: %w", kind, err)
	}
	return &acc, nil
}

// devnetWalletKinds are the kinds --wallet-type takes: those whose real
// code the devnet runs.
func devnetWalletKinds() []string {
	var names []string
	for _, k := range contract.WalletKinds() {
		if k.HasCode() {
			names = append(names, strings.ToLower(k.String()))
		}
	}
	return names
}

// giverAccount is the active account of the package contract's giver
// owned by key, holding devnetGiverBalance.
func giverAccount(key keys.Key) (devnet.Account, error) {
	return contracts.GiverAccount(key.Public().Ed25519(), new(big.Int).Set(devnetGiverBalance))
}

// devnetExecutor is what runs the devnet's transactions, and what ends it
// (nil when nothing needs ending):
//   - "go" (the default) applies the proof contract's, the giver's and the
//     wallets' rules in Go (package contracts): fast, no dependencies;
//   - "nekoton" runs every transaction with Everscale's own executor on the
//     real compiled code, in a Node.js process of its own.
func devnetExecutor(o *devnetOptions) (devnet.Executor, func() error, error) {
	if o.exec != nil {
		return o.exec, nil, nil
	}
	switch o.executorName() {
	case executorGo:
		return contracts.New(), nil, nil
	case executorNekoton:
		ex, err := nekotonexec.Open(nekoton.Options{NodeModules: o.nodeModules})
		if errors.Is(err, nekoton.ErrUnavailable) {
			return nil, nil, usageError("--executor nekoton needs Node.js and the npm package nekoton-wasm 1.8.4 (with @broxus/locklift-network 2.0.1): %v", err)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("starting Everscale's executor: %w", err)
		}
		return ex, ex.Close, nil
	}
	return nil, nil, usageError("--executor %q: want %s or %s", o.executor, executorGo, executorNekoton)
}

func (o *devnetOptions) executorName() string {
	if o.executor == "" {
		return executorGo
	}
	return o.executor
}
