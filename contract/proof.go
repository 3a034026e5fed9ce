package contract

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
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

// constructorID is the id of `constructor()()v2`.
var constructorID = functionID("constructor()()v2")

// bytesPerCell is how many bytes of a string the ABI puts in each cell.
const bytesPerCell = 127

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
	p.data, err = proofData(publicKey, content, 0, false, 0)
	if err != nil {
		return nil, err
	}
	p.init = stateInit(proofCode, p.data)
	p.address = addressOf(p.init)
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
	pub, ok := signer.Public().(ed25519.PublicKey)
	if !ok {
		return nil, ErrNotEd25519
	}
	if !pub.Equal(p.publicKey) {
		return nil, errors.New("building proof deploy message: the signer's key is not the proof's public key")
	}
	ms := signTime.UnixMilli()
	if ms < 0 {
		return nil, fmt.Errorf("building proof deploy message: sign time %v is before 1970", signTime)
	}
	c := call{
		version:  abi24,
		headers:  []header{headerPubkey, headerTime, headerExpire},
		function: constructorID,
	}
	body, err := c.signedBody(p.address, signer, uint64(ms), expire)
	if err != nil {
		return nil, fmt.Errorf("building proof deploy message: %w", err)
	}
	return externalMessage(p.address, p.init, body)
}

// proofData lays out the proof's fields as ABI 2.4 does, all in one cell:
// _pubkey uint256, _timestamp uint64, _constructorFlag bool, content string
// (a ref), deployedAt uint32.
func proofData(pub ed25519.PublicKey, content string, timestampMs uint64, constructed bool, deployedAt uint32) (*cell.Cell, error) {
	str, err := stringCell(content)
	if err != nil {
		return nil, err
	}
	c, err := cell.BeginCell().
		StoreBytes(pub).
		StoreUInt(timestampMs, 64).
		StoreBool(constructed).
		StoreRef(str).
		StoreUInt(uint64(deployedAt), 32).
		EndCell()
	if err != nil {
		return nil, fmt.Errorf("building proof data: %w", err)
	}
	return c, nil
}

// stringCell is the ABI encoding of a string or bytes value: 127-byte
// pieces, each cell referring to the next; "" is an empty cell.
func stringCell(s string) (*cell.Cell, error) {
	var next *cell.Cell
	n := (len(s) + bytesPerCell - 1) / bytesPerCell
	for i := n - 1; i >= 0; i-- {
		end := min((i+1)*bytesPerCell, len(s))
		b := cell.BeginCell().StoreBytes([]byte(s[i*bytesPerCell : end]))
		if next != nil {
			b.StoreRef(next)
		}
		c, err := b.EndCell()
		if err != nil {
			return nil, fmt.Errorf("encoding string: %w", err)
		}
		next = c
	}
	if next == nil {
		return cell.EmptyCell, nil
	}
	return next, nil
}

// readString reads a chain of cells written by stringCell, up to limit
// bytes.
func readString(c *cell.Cell, limit int) (string, error) {
	var out []byte
	for depth := 0; c != nil; depth++ {
		if c.BitsSize()%8 != 0 {
			return "", fmt.Errorf("string cell %d has %d bits, not whole bytes", depth, c.BitsSize())
		}
		if c.RefsNum() > 1 {
			return "", fmt.Errorf("string cell %d has %d refs, want at most 1", depth, c.RefsNum())
		}
		if len(out)+c.BitsSize()/8 > limit {
			return "", fmt.Errorf("string is longer than %d bytes", limit)
		}
		out = append(out, c.Data()...)
		c = c.Ref(0)
	}
	return string(out), nil
}

// DefaultTopUp is what a wallet should send to a proof address before
// deploying it, in nanotokens (0.1): measured on Everscale's executor with
// its main config, a deployment costs about 0.005 and storing the longest
// proof for StorageYears years less than the rest (docs/proof-contract.md).
const DefaultTopUp = 100_000_000

// StorageYears is how many years of storage DefaultTopUp pays for, at
// least, for content of MaxContentLen bytes.
const StorageYears = 10
