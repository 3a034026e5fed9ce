package contract

import (
	"crypto/ed25519"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// OwnerKey reads the public key a wallet of this kind answers to from its
// data (a bag of cells): every known kind but the highload wallet keeps it
// in the first 256 bits, as TVM Solidity keeps a contract's tvm.pubkey()
// and as giver.fc and EverWallet keep their owner; the highload wallet
// keeps it after its wallet id and last cleaning time. A multisig also accepts calls signed by its other custodians,
// which this does not read.
func (k WalletKind) OwnerKey(data []byte) (ed25519.PublicKey, error) {
	if _, ok := walletSpecs()[k]; !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownWallet, k)
	}
	root, err := cell.FromBOC(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s data: %w", k, err)
	}
	s := root.BeginParse()
	if err := s.Skip(ownerKeyOffset(k)); err != nil {
		return nil, fmt.Errorf("reading the key in %s data: %w", k, err)
	}
	b, err := s.LoadBytes(ed25519.PublicKeySize)
	if err != nil {
		return nil, fmt.Errorf("reading the key in %s data: %w", k, err)
	}
	return ed25519.PublicKey(b), nil
}
