package contracts

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
)

// StandInCode is the code of the stand-in for a wallet kind whose real code
// the emulator does not have: a marker cell naming the kind, by which the
// executor recognizes the account. It is nil for LocalGiver (whose real code
// is contract.GiverCode) and for unknown kinds.
func StandInCode(kind contract.WalletKind) *cell.Cell {
	if kind < contract.SafeMultisig || kind > contract.GiverV3 {
		return nil
	}
	// The marker's text is kept as devnets' state directories first stored
	// it: the stand-ins' code, and so their addresses, must not change.
	c, err := cell.BeginCell().StoreBytes([]byte("everostest stand-in wallet: " + kind.String())).EndCell()
	if err != nil {
		panic(fmt.Sprintf("contracts: stand-in code of %s: %v", kind, err))
	}
	return c
}

// publishedCodeHashes are the code hashes of the real wallets, one for each
// kind (contract.WalletKindByCodeHash knows them all).
var publishedCodeHashes = map[contract.WalletKind]string{
	contract.SafeMultisig:       "80d6c47c4a25543c9b397b71716f3fae1e2c5d247174c52e2c19bd896442b105",
	contract.SafeMultisig24h:    "7d0996943406f7d62a4ff291b1228bf06ebd3e048b58436c5b70fb77ff8b4bf2",
	contract.SetcodeMultisig:    "e2b60b6b602c10ced7ea8ede4bdf96342c97570a3798066f3fb50a4b2b27a208",
	contract.SetcodeMultisig24h: "a491804ca55dd5b28cffdff48cb34142930999621a54acee6be83c342051d884",
	contract.SurfMultisig:       "207dc560c5956de1a2c1479356f8f3ee70a59767db2bf4788b1d61ad42cdad82",
	contract.Multisig2:          "d66d198766abdbe1253f3415826c946c371f5112552408625aeb0b31e0ef2df3",
	contract.GiverV2:            "4e92716de61d456e58f16e4e867e3e93a7548321eace86301b51c8b80ca6239b",
	contract.GiverV3:            "5534bff04d2d0a14bb2257ec23027947c722159486ceff9e408d6a4d796a0989",
}

// PublishedCodeHash is the code hash the real wallet of a kind runs, as the
// GraphQL API reports it in code_hash (for LocalGiver, contract.GiverCodeHash).
func PublishedCodeHash(kind contract.WalletKind) ([32]byte, error) {
	if kind == contract.LocalGiver {
		return contract.GiverCodeHash(), nil
	}
	var h [32]byte
	s, ok := publishedCodeHashes[kind]
	if !ok {
		return h, fmt.Errorf("%w %d", contract.ErrUnknownWallet, int(kind))
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
}

// GiverAccount is the local giver (contract/giver.fc) owned by owner, active
// at contract.LocalGiverAddress(owner) with balance nanotokens.
func GiverAccount(owner ed25519.PublicKey, balance *big.Int) (devnet.Account, error) {
	return WalletAccount(contract.LocalGiver, owner, balance)
}

// WalletAccount is an active wallet of kind owned by owner, holding
// balance nanotokens. LocalGiver is the real giver; the other kinds are
// stand-ins (StandInCode, with the local giver's data layout) at the address
// their stand-in StateInit hashes to, which report the real wallet's code
// hash (PublishedCodeHash), so that clients recognize the kind by it. Calls signed by owner with
// kind.TransferMessage to that address are executed as the package comment
// describes. The Address may be changed (to play a wallet whose address is
// known): the executor takes the kind from the code and the owner from the
// data.
func WalletAccount(kind contract.WalletKind, owner ed25519.PublicKey, balance *big.Int) (devnet.Account, error) {
	if len(owner) != ed25519.PublicKeySize {
		return devnet.Account{}, fmt.Errorf("wallet owner key: %d bytes, want %d", len(owner), ed25519.PublicKeySize)
	}
	if balance == nil || balance.Sign() < 0 {
		return devnet.Account{}, fmt.Errorf("wallet balance must be zero or more, got %v", balance)
	}
	var init *cell.Cell
	var err error
	if kind == contract.LocalGiver {
		if init, err = contract.LocalGiverStateInit(owner); err != nil {
			return devnet.Account{}, err
		}
	} else {
		code := StandInCode(kind)
		if code == nil {
			return devnet.Account{}, fmt.Errorf("%w %d", contract.ErrUnknownWallet, int(kind))
		}
		data, err := newWalletData(owner)
		if err != nil {
			return devnet.Account{}, fmt.Errorf("building %s data: %w", kind, err)
		}
		if init, err = (&abi.StateInit{Code: code, Data: data}).Cell(); err != nil {
			return devnet.Account{}, fmt.Errorf("building %s StateInit: %w", kind, err)
		}
	}
	si, err := abi.ParseStateInit(init)
	if err != nil {
		return devnet.Account{}, fmt.Errorf("reading %s StateInit: %w", kind, err)
	}
	return devnet.Account{
		Address:  abi.ContractAddress(0, init).String(),
		Type:     account.Active,
		Balance:  new(big.Int).Set(balance),
		Code:     si.Code.ToBOC(),
		Data:     si.Data.ToBOC(),
		CodeHash: reportedCodeHash(si.Code),
	}, nil
}

// reportedCodeHash is the code hash an account running code reports: the
// published one for a stand-in's marker, and otherwise none of its own
// (the hash of the code).
func reportedCodeHash(code *cell.Cell) string {
	if code == nil {
		return ""
	}
	s, ok := standInByHash()[code.Hash()]
	if !ok {
		return ""
	}
	return publishedCodeHashes[s.kind]
}

// ServerOptions are the options of an emulator that runs this package's
// executor (New) and starts with accounts; more options may follow them.
func ServerOptions(accounts ...devnet.Account) []devnet.Option {
	return []devnet.Option{devnet.WithExecutor(New()), devnet.WithAccounts(accounts...)}
}

// NewServer starts an emulator that runs this package's executor, with the
// given options after it (a later WithExecutor replaces it).
func NewServer(opts ...devnet.Option) *devnet.Server {
	return devnet.NewServer(append([]devnet.Option{devnet.WithExecutor(New())}, opts...)...)
}
