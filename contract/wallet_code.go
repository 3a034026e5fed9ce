package contract

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// HighloadWalletV2CodeHash is the code hash of the highload wallet v2 as
// the EVER Wallet extension deploys it.
const HighloadWalletV2CodeHash = "0b3a887aeacd2a7d40bb5550bc9253156a029065aefb6d6b583735d58da9d5be"

// ErrNoWalletCode: the code of a wallet kind this package does not ship
// could not be found. EverWallet's and the highload wallet's code are
// published under licenses that do not allow shipping them here, so they
// are read where the user installed them: the npm package
// everscale-standalone-client, which carries both.
var ErrNoWalletCode = errors.New("wallet code not available")

// StandaloneClientPackage is the npm package WalletCode reads EverWallet's
// and the highload wallet's code from, at the version this module is
// tested with.
const StandaloneClientPackage = "everscale-standalone-client@3.0.3"

// packagedCode says where in everscale-standalone-client a kind's code is:
// the file and the name of the constant holding its base64 BOC.
var packagedCode = map[WalletKind]struct{ file, constant string }{
	EverWallet:       {"EverWallet.js", "EVER_WALLET_CODE"},
	HighloadWalletV2: {"HighloadWalletV2.js", "HIGHLOAD_WALLET_V2_CODE"},
}

var codeConstant = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`const ([A-Z0-9_]+) = '([A-Za-z0-9+/=]+)';`)
})

// HasCode reports whether the package ships the kind's code (the local
// giver) or can read it (WalletCode); the stand-ins have neither.
func (k WalletKind) HasCode() bool {
	_, ok := packagedCode[k]
	return ok || k == LocalGiver
}

// CodeHash is the hash of the code of wallets of this kind, as the GraphQL
// API reports it in code_hash: the first of the published hashes when a
// kind has several builds.
func (k WalletKind) CodeHash() ([32]byte, error) {
	if k == LocalGiver {
		return GiverCodeHash(), nil
	}
	best := ""
	for h, kind := range knownCodeHashes {
		if kind == k && (best == "" || h < best) {
			best = h
		}
	}
	var out [32]byte
	if best == "" {
		return out, fmt.Errorf("%w: %d", ErrUnknownWallet, int(k))
	}
	hex.Decode(out[:], []byte(best))
	return out, nil
}

// WalletCode reads the code of EverWallet or the highload wallet from the
// everscale-standalone-client package in nodeModules (a node_modules
// directory) and checks it against the kind's code hash. Other kinds have
// no code to read (LocalGiver: GiverCode). The error wraps ErrNoWalletCode
// and says how to install the package.
func (k WalletKind) WalletCode(nodeModules string) (*cell.Cell, error) {
	where, ok := packagedCode[k]
	if !ok {
		return nil, fmt.Errorf("%w: %s's code is not published in a package sign-cli reads", ErrNoWalletCode, k)
	}
	path := filepath.Join(nodeModules, "everscale-standalone-client", "dist", "cjs", "client", "AccountsStorage", where.file)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s's code is read from %s: %v (install it with `npm ci` in the sign-cli repository or `npm install %s`)",
			ErrNoWalletCode, k, path, errors.Unwrap(err), StandaloneClientPackage)
	}
	for _, m := range codeConstant().FindAllStringSubmatch(string(src), -1) {
		if m[1] != where.constant {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(m[2])
		if err != nil {
			return nil, fmt.Errorf("%w: %s in %s is not base64: %v", ErrNoWalletCode, where.constant, path, err)
		}
		code, err := cell.FromBOC(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s in %s: %v", ErrNoWalletCode, where.constant, path, err)
		}
		want, _ := k.CodeHash()
		if code.Hash() != want {
			return nil, fmt.Errorf("%w: the code in %s has hash %x, not %s's %x (install %s)", ErrNoWalletCode, path, code.Hash(), k, want, StandaloneClientPackage)
		}
		return code, nil
	}
	return nil, fmt.Errorf("%w: %s holds no %s (install %s)", ErrNoWalletCode, path, where.constant, StandaloneClientPackage)
}

// DeploysItself reports whether an undeployed wallet of this kind can be
// paid from: its first external message carries its StateInit, as the
// EVER Wallet extension sends it (EverWallet and the highload wallet).
func (k WalletKind) DeploysItself() bool {
	_, ok := packagedCode[k]
	return ok
}

// ParseCode reads the kind's code from a bag of cells that someone else
// handed over (a GraphQL endpoint, say) and accepts it only if its hash is
// the kind's pinned code hash: whoever gave it cannot change the code a
// wallet is deployed with, since no other code has that hash.
func (k WalletKind) ParseCode(boc []byte) (*cell.Cell, error) {
	want, err := k.CodeHash()
	if err != nil {
		return nil, err
	}
	code, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s's code: %v", ErrNoWalletCode, k, err)
	}
	if code.Hash() != want {
		return nil, fmt.Errorf("%w: the code given has hash %x, not %s's %x", ErrNoWalletCode, code.Hash(), k, want)
	}
	return code, nil
}

// ErrNotWalletAddress: the StateInit that the kind's code and the key make
// is not the wallet's address: the key or the kind is not the wallet's.
var ErrNotWalletAddress = errors.New("the key or the kind does not match the wallet's address")

// UndeployedStateInit is the StateInit that deploys the wallet at address
// as a wallet of this kind with code owned by owner, as the EVER Wallet
// extension made it (NewStateInit). Its hash must be the address: the
// error wraps ErrNotWalletAddress otherwise, and names the address the key
// and kind do make (not address, which the caller names).
func (k WalletKind) UndeployedStateInit(code *cell.Cell, owner ed25519.PublicKey, address *cell.Address) (*cell.Cell, error) {
	if !k.DeploysItself() {
		return nil, fmt.Errorf("%w: an undeployed %s cannot be deployed by its first transfer", ErrNoWalletCode, k)
	}
	init, made, err := k.NewStateInit(code, owner)
	if err != nil {
		return nil, err
	}
	if !made.Equal(address) {
		// The caller names the address it gave.
		return nil, fmt.Errorf("%w: the %s of key %x is at %s", ErrNotWalletAddress, k, []byte(owner), made)
	}
	return init, nil
}

// NewStateInit is the StateInit of a new wallet of this kind with code
// (WalletCode) owned by owner, and its address in workchain 0: the data
// the EVER Wallet extension gives a new wallet (EverWallet: the key and
// last call time 0; the highload wallet: HighloadWalletID, last cleaned 0,
// the key and no queries). Only these two kinds and LocalGiver (whose code
// is the package's own) can be made.
func (k WalletKind) NewStateInit(code *cell.Cell, owner ed25519.PublicKey) (*cell.Cell, *cell.Address, error) {
	if len(owner) != ed25519.PublicKeySize {
		return nil, nil, fmt.Errorf("%s owner key: %d bytes, want %d", k, len(owner), ed25519.PublicKeySize)
	}
	var b *cell.Builder
	switch k {
	case LocalGiver:
		return localGiver(owner)
	case EverWallet:
		b = cell.BeginCell().StoreBytes(owner).StoreUInt(0, 64)
	case HighloadWalletV2:
		b = cell.BeginCell().StoreUInt(HighloadWalletID, 32).StoreUInt(0, 64).StoreBytes(owner).StoreBool(false)
	default:
		return nil, nil, fmt.Errorf("%w: a new %s cannot be made", ErrNoWalletCode, k)
	}
	want, _ := k.CodeHash()
	if code == nil || code.Hash() != want {
		return nil, nil, fmt.Errorf("%w: the code given is not %s's", ErrNoWalletCode, k)
	}
	data, err := b.EndCell()
	if err != nil {
		return nil, nil, fmt.Errorf("building %s data: %w", k, err)
	}
	return newStateInit(code, data)
}

// ownerKeyOffset is where in a wallet's data its owner key starts: the
// highload wallet keeps its wallet id and last cleaning time first.
func ownerKeyOffset(k WalletKind) int {
	if k == HighloadWalletV2 {
		return 32 + 64
	}
	return 0
}
