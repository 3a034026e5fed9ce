package proof

import (
	"errors"
	"fmt"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/keys"
)

// ErrInvalidMessage is an offline deploy message that is not what it says it
// is: the signed deploy message of the proof of its key and content, with
// that address, hash and expiry.
var ErrInvalidMessage = errors.New("invalid deploy message")

// OfflineMessage is a proof's signed deploy message kept for later
// publication, with what it says of itself. It holds no secret: the message
// is already signed and only deploys the proof of its own (public key,
// content), so whoever holds it can pay for and publish it without the
// signer's key.
type OfflineMessage struct {
	Public   string    // the signer's public key, hex
	Content  string    // the signed content, an image digest
	Address  string    // the proof's address
	ExpireAt time.Time // when the network drops the message
	Hash     string    // the message cell's hash, hex
	BOC      []byte    // the message, a bag of cells
}

// NewOfflineMessage signs the deploy message of the proof of content by key,
// valid from now until expire (whole seconds).
func NewOfflineMessage(key keys.Key, content string, now, expire time.Time) (*OfflineMessage, error) {
	p, err := contract.NewProof(key.Public().Ed25519(), content)
	if err != nil {
		return nil, err
	}
	expire = expire.Truncate(time.Second)
	root, err := p.DeployMessage(key.Ed25519(), now, uint32(expire.Unix()))
	if err != nil {
		return nil, fmt.Errorf("building the deploy message: %w", err)
	}
	return &OfflineMessage{
		Public:   key.Public().String(),
		Content:  content,
		Address:  p.Address().String(),
		ExpireAt: expire.UTC(),
		Hash:     root.HashHex(),
		BOC:      root.ToBOC(),
	}, nil
}

// CheckedMessage is an OfflineMessage that was checked to be the signed
// deploy message of the proof it names, so that funding its address funds
// that proof.
type CheckedMessage struct {
	Public   keys.PublicKey
	Content  string
	ExpireAt time.Time
	Root     *cell.Cell
}

// Check reads the message and checks every claim against it: the key and
// content make the address, the message is that proof's deploy message
// signed by the key, and the hash and expiry are the message's own (the
// expiry signed into the message is the one the network applies). Its
// errors wrap ErrInvalidMessage.
func (m *OfflineMessage) Check() (*CheckedMessage, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
	}
	pub, err := keys.ParsePublicKey(m.Public)
	if err != nil {
		return nil, bad("public key: %v", err)
	}
	p, err := contract.NewProof(pub.Ed25519(), m.Content)
	if err != nil {
		return nil, bad("content: %v", err)
	}
	root, err := cell.FromBOC(m.BOC)
	if err != nil {
		return nil, bad("message: %v", err)
	}
	call, err := p.ReadDeployMessage(root)
	if err != nil {
		return nil, bad("%v", err)
	}
	if !m.ExpireAt.Equal(call.ExpireAt) {
		return nil, bad("expire_at %s is not the expiry signed into the message (%s)", m.ExpireAt.UTC().Format(time.RFC3339), call.ExpireAt.Format(time.RFC3339))
	}
	if m.Address != p.Address().String() {
		return nil, bad("address %s is not the proof of its key and content (%s)", m.Address, p.Address())
	}
	if root.HashHex() != m.Hash {
		return nil, bad("hash %s does not match the message (%s)", m.Hash, root.HashHex())
	}
	return &CheckedMessage{Public: pub, Content: m.Content, ExpireAt: call.ExpireAt, Root: root}, nil
}
