package contract

import (
	"crypto"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// WalletKind is a contract that can fund a proof address: a multisig wallet
// or a giver. Each kind fixes the ABI version, header and function used.
type WalletKind int

// Wallet kinds. The multisig wallets are called with
// sendTransaction(address dest, uint128 value, bool bounce, uint8 flags,
// cell payload) and header (pubkey, time, expire); the givers with
// sendTransaction(address dest, uint128 value, bool bounce).
const (
	WalletUnknown WalletKind = iota
	// SafeMultisig and the other multisig wallets of 2020-2021, ABI 2.0.
	SafeMultisig
	SafeMultisig24h
	SetcodeMultisig
	SetcodeMultisig24h
	SurfMultisig
	// Multisig2 is multisignature wallet 2.0 (SafeMultisig and
	// SetcodeMultisig builds), ABI 2.3.
	Multisig2
	// GiverV2 is Everscale's giver of local networks, ABI 2.0, header
	// (time, expire).
	GiverV2
	// GiverV3 is Everscale's later giver, ABI 2.3, header (pubkey, time,
	// expire).
	GiverV3
	// LocalGiver is this package's giver (giver.fc), ABI 2.4, header
	// (time, expire).
	LocalGiver
	// EverWallet is the EVER Wallet browser extension's default wallet,
	// ABI 2.3, header (pubkey, time, expire): one transfer with
	// sendTransaction, up to four with sendTransactionRaw.
	EverWallet
	// HighloadWalletV2 is the highload wallet v2: no ABI function, a
	// signed dictionary of up to 254 messages named by a query id.
	HighloadWalletV2

	lastKind = HighloadWalletV2
)

type walletSpec struct {
	name    string
	abiJSON string
	version string
	send    *abi.Function // sendTransaction; nil for the highload wallet
	// multisig: custodians other than the deploying key may sign.
	multisig bool
	// flags: the transfer takes send flags and a payload.
	flags bool
	// maxTransfers is how many transfers one external message carries.
	maxTransfers int
}

func newWalletSpec(name, abiJSON string, multisig bool) walletSpec {
	a := mustABI(name, abiJSON)
	return walletSpec{
		name:         name,
		abiJSON:      abiJSON,
		version:      fmt.Sprintf("%d.%d", a.Version.Major, a.Version.Minor),
		send:         mustFunction(a, "sendTransaction"),
		multisig:     multisig,
		flags:        multisig,
		maxTransfers: 1,
	}
}

// walletSpecs parses the wallets' ABIs on first use, not at init.
var walletSpecs = sync.OnceValue(func() map[WalletKind]walletSpec {
	multisig20 := walletABIText("multisig20")
	return map[WalletKind]walletSpec{
		SafeMultisig:       newWalletSpec("SafeMultisig", multisig20, true),
		SafeMultisig24h:    newWalletSpec("SafeMultisig24h", multisig20, true),
		SetcodeMultisig:    newWalletSpec("SetcodeMultisig", multisig20, true),
		SetcodeMultisig24h: newWalletSpec("SetcodeMultisig24h", multisig20, true),
		SurfMultisig:       newWalletSpec("SurfMultisig", multisig20, true),
		Multisig2:          newWalletSpec("Multisig2", walletABIText("multisig23"), true),
		GiverV2:            newWalletSpec("GiverV2", walletABIText("giverv2"), false),
		GiverV3:            newWalletSpec("GiverV3", walletABIText("giverv3"), false),
		LocalGiver:         newWalletSpec("LocalGiver", GiverABI, false),
		EverWallet:         everWalletSpec(),
		HighloadWalletV2:   {name: "HighloadWalletV2", flags: true, maxTransfers: HighloadMaxTransfers},
	}
})

// Published code hashes of the wallets, as the GraphQL API reports them in
// code_hash.
var knownCodeHashes = map[string]WalletKind{
	// tonlabs ton-labs-contracts (solidity/safemultisig, setcodemultisig).
	"80d6c47c4a25543c9b397b71716f3fae1e2c5d247174c52e2c19bd896442b105": SafeMultisig,
	"7d0996943406f7d62a4ff291b1228bf06ebd3e048b58436c5b70fb77ff8b4bf2": SafeMultisig24h,
	"e2b60b6b602c10ced7ea8ede4bdf96342c97570a3798066f3fb50a4b2b27a208": SetcodeMultisig,
	"a491804ca55dd5b28cffdff48cb34142930999621a54acee6be83c342051d884": SetcodeMultisig24h,
	// EverSurf contracts: the Surf wallet, and multisig2 (SafeMultisig,
	// SetcodeMultisig).
	"207dc560c5956de1a2c1479356f8f3ee70a59767db2bf4788b1d61ad42cdad82": SurfMultisig,
	"7377910a1b5d0c8073ba02523e139c7f42f9772fe0076a4d0b211ccec071eb7a": Multisig2,
	"d66d198766abdbe1253f3415826c946c371f5112552408625aeb0b31e0ef2df3": Multisig2,
	// broxus/ever-wallet-contract and the highload wallet v2 as the EVER
	// Wallet extension deploys it: this package does not ship their code
	// (WalletCode reads it from the npm package that does).
	"3ba6528ab2694c118180aa3bd10dd19ff400b909ab4dcf58fc69925b2c7b12a6": EverWallet,
	HighloadWalletV2CodeHash: HighloadWalletV2,
	// Evernode SE's givers.
	"4e92716de61d456e58f16e4e867e3e93a7548321eace86301b51c8b80ca6239b": GiverV2,
	"ccbfc821853aa641af3813ebd477e26818b51e4ca23e5f6d34509215aa7123d9": GiverV2,
	"5534bff04d2d0a14bb2257ec23027947c722159486ceff9e408d6a4d796a0989": GiverV3,
}

// ErrUnknownWallet: a code hash or name that is not a known wallet.
var ErrUnknownWallet = errors.New("unknown wallet kind")

// WalletKindByCodeHash returns the kind of the wallet running the code with
// that hash.
func WalletKindByCodeHash(codeHash [32]byte) (WalletKind, error) {
	if codeHash == giverCode().Hash() {
		return LocalGiver, nil
	}
	k, ok := knownCodeHashes[hex.EncodeToString(codeHash[:])]
	if !ok {
		return WalletUnknown, fmt.Errorf("%w: code hash %x (give the wallet kind explicitly)", ErrUnknownWallet, codeHash)
	}
	return k, nil
}

// ParseWalletKind reads a kind's name (as String prints it, any case).
func ParseWalletKind(name string) (WalletKind, error) {
	for k, s := range walletSpecs() {
		if strings.EqualFold(s.name, name) {
			return k, nil
		}
	}
	names := make([]string, 0, len(walletSpecs()))
	for _, k := range WalletKinds() {
		names = append(names, k.String())
	}
	return WalletUnknown, fmt.Errorf("%w %q (one of %s)", ErrUnknownWallet, name, strings.Join(names, ", "))
}

// WalletKinds lists every known kind, in the order of the constants.
func WalletKinds() []WalletKind {
	ks := make([]WalletKind, 0, lastKind)
	for k := SafeMultisig; k <= lastKind; k++ {
		ks = append(ks, k)
	}
	return ks
}

func (k WalletKind) String() string {
	if s, ok := walletSpecs()[k]; ok {
		return s.name
	}
	return fmt.Sprintf("WalletKind(%d)", int(k))
}

// ABIVersion is the ABI version the wallet's messages follow ("2.0" …),
// empty for the highload wallet, whose messages follow no ABI.
func (k WalletKind) ABIVersion() string { return walletSpecs()[k].version }

// ABI is the ABI JSON of the wallet's sendTransaction, with the wallet's
// ABI version and header: what standard Everscale tools need to build or
// decode its transfers. It is empty for the highload wallet.
func (k WalletKind) ABI() string { return walletSpecs()[k].abiJSON }

// IsMultisig reports whether custodians other than the key the wallet was
// deployed with may sign its transfers.
func (k WalletKind) IsMultisig() bool { return walletSpecs()[k].multisig }

// TakesFlags reports whether the wallet's transfers carry send flags and a
// payload (the multisigs, EverWallet and the highload wallet; not the
// givers).
func (k WalletKind) TakesFlags() bool { return walletSpecs()[k].flags }

// MaxTransfers is how many transfers one external message to the wallet
// can carry (TransfersMessage): 1 for the multisigs and givers, 4 for
// EverWallet, HighloadMaxTransfers for the highload wallet.
func (k WalletKind) MaxTransfers() int { return walletSpecs()[k].maxTransfers }

// Transfer is a value transfer from a wallet.
type Transfer struct {
	Dest   *cell.Address
	Value  uint64 // nanotokens
	Bounce bool
	// Flags are the multisig's send flags (usually 3: pay fees apart
	// from the value, ignore errors); givers have none.
	Flags uint8
	// Payload is the body of the multisig's message; nil is an empty cell.
	Payload *cell.Cell
}

// TransferMessage is the external message that makes the wallet at address
// send t, signed by signer by the rules of the wallet's ABI version, with
// header time timeMs (milliseconds) and expiry expire (Unix seconds).
func (k WalletKind) TransferMessage(wallet *cell.Address, t Transfer, signer crypto.Signer, timeMs uint64, expire uint32) (*cell.Cell, error) {
	spec, ok := walletSpecs()[k]
	if !ok {
		return nil, fmt.Errorf("building transfer: %w %d", ErrUnknownWallet, int(k))
	}
	if err := spec.checkTransfer(t); err != nil {
		return nil, err
	}
	if spec.send == nil {
		return k.TransfersMessage(wallet, []Transfer{t}, signer, timeMs, expire)
	}
	args := map[string]any{"dest": t.Dest, "value": new(big.Int).SetUint64(t.Value), "bounce": t.Bounce}
	if spec.flags {
		payload := t.Payload
		if payload == nil {
			payload = cell.EmptyCell
		}
		args["flags"] = big.NewInt(int64(t.Flags))
		args["payload"] = payload
	}
	body, err := signedCall(spec.send, wallet, args, signer, timeMs, expire)
	if err != nil {
		return nil, fmt.Errorf("building %s transfer: %w", spec.name, err)
	}
	return externalMessage(wallet, nil, body)
}

// checkTransfer refuses what the kind cannot send.
func (spec walletSpec) checkTransfer(t Transfer) error {
	if t.Dest == nil || (t.Dest.Type != cell.AddrStd && t.Dest.Type != cell.AddrVar) {
		return fmt.Errorf("building %s transfer: destination must be an internal address", spec.name)
	}
	if !spec.flags && (t.Flags != 0 || t.Payload != nil) {
		return fmt.Errorf("building %s transfer: a giver takes no flags or payload", spec.name)
	}
	return nil
}

// TransfersMessage is the one external message that makes the wallet at
// address send every transfer of ts, at most MaxTransfers of them, in one
// transaction: EverWallet's sendTransactionRaw (or sendTransaction for a
// single transfer), the highload wallet's message dictionary, or the
// kind's TransferMessage when it sends one at a time.
func (k WalletKind) TransfersMessage(wallet *cell.Address, ts []Transfer, signer crypto.Signer, timeMs uint64, expire uint32) (*cell.Cell, error) {
	spec, ok := walletSpecs()[k]
	if !ok {
		return nil, fmt.Errorf("building transfers: %w %d", ErrUnknownWallet, int(k))
	}
	if len(ts) == 0 || len(ts) > spec.maxTransfers {
		return nil, fmt.Errorf("building %s transfers: %d transfers in one message, want 1 to %d", spec.name, len(ts), spec.maxTransfers)
	}
	for _, t := range ts {
		if err := spec.checkTransfer(t); err != nil {
			return nil, err
		}
	}
	switch {
	case k == HighloadWalletV2:
		return highloadMessage(wallet, ts, signer, expire)
	case len(ts) == 1:
		return k.TransferMessage(wallet, ts[0], signer, timeMs, expire)
	default:
		return everWalletRawMessage(wallet, ts, signer, timeMs, expire)
	}
}

// MultisigFlags are the send flags FundProofMessage gives a wallet that
// takes flags: pay the forwarding fees apart from the value (1) and ignore
// errors (2).
const MultisigFlags = 3

// FundProofMessage is the transfer of value from the wallet at address to
// the proof p's address, not bounceable (the address is uninit until the
// proof is deployed, and a bounceable transfer would come back), with
// MultisigFlags for wallets that take flags.
func (k WalletKind) FundProofMessage(wallet *cell.Address, p *Proof, value uint64, signer crypto.Signer, timeMs uint64, expire uint32) (*cell.Cell, error) {
	return k.TransferMessage(wallet, k.FundProofTransfer(p, value), signer, timeMs, expire)
}

// FundProofTransfer is the transfer FundProofMessage sends, for
// TransfersMessage to carry with others.
func (k WalletKind) FundProofTransfer(p *Proof, value uint64) Transfer {
	t := Transfer{Dest: p.Address(), Value: value}
	if k.TakesFlags() {
		t.Flags = MultisigFlags
	}
	return t
}

// LocalGiverStateInit is the StateInit of the package's giver owned by
// owner: its code, and data with the owner's key and no recent calls.
func LocalGiverStateInit(owner ed25519.PublicKey) (*cell.Cell, error) {
	init, _, err := localGiver(owner)
	return init, err
}

// LocalGiverAddress is the address of the package's giver owned by owner.
func LocalGiverAddress(owner ed25519.PublicKey) (*cell.Address, error) {
	_, addr, err := localGiver(owner)
	return addr, err
}

func localGiver(owner ed25519.PublicKey) (*cell.Cell, *cell.Address, error) {
	if len(owner) != ed25519.PublicKeySize {
		return nil, nil, fmt.Errorf("giver owner key: %d bytes, want %d", len(owner), ed25519.PublicKeySize)
	}
	data, err := giverABI().EncodeStorage(map[string]any{"_pubkey": new(big.Int).SetBytes(owner)})
	if err != nil {
		return nil, nil, fmt.Errorf("building giver data: %w", err)
	}
	return newStateInit(giverCode(), data)
}
