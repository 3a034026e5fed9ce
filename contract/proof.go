package contract

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"time"
	"unicode/utf8"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// MaxContentLen is the longest content, in bytes, that a proof may hold. A
// digest (`sha256:` and 64 hex digits) takes 71; the limit leaves room for
// other strings while keeping a proof's storage, and so the rent that keeps
// it alive, small (the content is stored in a chain of 127-byte cells).
const MaxContentLen = 1024

// Errors of proof content.
var (
	ErrContentTooLong = fmt.Errorf("proof content is longer than %d bytes", MaxContentLen)
	ErrContentEmpty   = errors.New("proof content is empty")
	ErrContentNotUTF8 = errors.New("proof content is not valid UTF-8")
)

// Proof is the proof contract of one (public key, content) pair.
type Proof struct {
	publicKey ed25519.PublicKey
	content   string
	data      *cell.Cell
	init      *cell.Cell
	address   *cell.Address
}

// NewProof returns the proof of content signed by the holder of publicKey.
func NewProof(publicKey ed25519.PublicKey, content string) (*Proof, error) {
	if len(publicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("proof public key: %d bytes, want %d", len(publicKey), ed25519.PublicKeySize)
	}
	if err := checkContent(content); err != nil {
		return nil, err
	}
	p := &Proof{publicKey: append(ed25519.PublicKey(nil), publicKey...), content: content}
	var err error
	p.data, err = proofABI().EncodeStorage(map[string]any{
		"_pubkey": new(big.Int).SetBytes(publicKey),
		"content": content,
	})
	if err != nil {
		return nil, fmt.Errorf("building proof data: %w", err)
	}
	if p.init, p.address, err = newStateInit(proofCode(), p.data); err != nil {
		return nil, err
	}
	return p, nil
}

func checkContent(content string) error {
	switch {
	case content == "":
		return ErrContentEmpty
	case len(content) > MaxContentLen:
		return fmt.Errorf("%w (it has %d)", ErrContentTooLong, len(content))
	case !utf8.ValidString(content):
		return ErrContentNotUTF8
	}
	return nil
}

// PublicKey is the signer's public key.
func (p *Proof) PublicKey() ed25519.PublicKey { return append(ed25519.PublicKey(nil), p.publicKey...) }

// Content is the signed content.
func (p *Proof) Content() string { return p.content }

// InitialData is the proof's data before construction: the ABI 2.4 fields
// with _pubkey and content set and the others zero.
func (p *Proof) InitialData() *cell.Cell { return p.data }

// StateInit is the proof's StateInit (code and initial data).
func (p *Proof) StateInit() *cell.Cell { return p.init }

// Address is where the proof lives: workchain 0, the hash of its StateInit.
func (p *Proof) Address() *cell.Address { return p.address }

// DeployMessage is the external message that constructs the proof: its
// StateInit and a constructor call with header (pubkey, time, expire),
// signed by signer by the ABI 2.3 rule (over the proof's address and the
// call). The contract accepts it only before expire (Unix seconds) and only
// if signer holds the proof's key; signTime is recorded as _timestamp.
func (p *Proof) DeployMessage(signer crypto.Signer, signTime time.Time, expire uint32) (*cell.Cell, error) {
	pub, err := ed25519Public(signer)
	if err != nil {
		return nil, err
	}
	if !pub.Equal(p.publicKey) {
		return nil, errors.New("building proof deploy message: the signer's key is not the proof's public key")
	}
	ms := signTime.UnixMilli()
	if ms <= 0 {
		return nil, fmt.Errorf("building proof deploy message: sign time %v is not after 1970", signTime)
	}
	body, err := signedCall(constructor(), p.address, nil, signer, uint64(ms), expire)
	if err != nil {
		return nil, fmt.Errorf("building proof deploy message: %w", err)
	}
	return externalMessage(p.address, p.init, body)
}

// DefaultTopUp is what a wallet should send to a proof address before
// deploying it, in nanotokens (0.1): measured on Everscale's executor with
// its main config, a deployment costs about 0.005 and storing the longest
// proof for StorageYears years less than the rest (docs/proof-contract.md).
const DefaultTopUp = 100_000_000

// MinTopUp is the least top-up that can pay for a deployment, in nanotokens
// (0.02): a proof address is funded only while it holds less than half of
// the top-up, so half of MinTopUp must pay the deployment of the longest
// content (at most 0.0096 with the main config, docs/proof-contract.md).
// Less would fund addresses whose deployment then fails for want of gas.
const MinTopUp = 20_000_000

// StorageYears is how many years of storage DefaultTopUp pays for, at
// least, for content of MaxContentLen bytes.
const StorageYears = 10
