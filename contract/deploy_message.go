package contract

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ErrNotDeployMessage is returned for a message that is not this proof's
// signed deploy message.
var ErrNotDeployMessage = errors.New("not the proof's deploy message")

// DeployCall is what a deploy message carries in its signed body.
type DeployCall struct {
	// SignedAt is the call's time header.
	SignedAt time.Time
	// ExpireAt is the call's expire header: the network drops the message
	// after it, whatever a file that carries the message says.
	ExpireAt time.Time
}

// ReadDeployMessage checks that root is p's deploy message (an inbound
// external message to p's address, carrying p's initial state and a
// constructor call signed by p's key) and returns the call's header
// values, which only the signer could have chosen.
func (p *Proof) ReadDeployMessage(root *cell.Cell) (DeployCall, error) {
	bad := func(format string, args ...any) (DeployCall, error) {
		return DeployCall{}, fmt.Errorf("%w: %s", ErrNotDeployMessage, fmt.Sprintf(format, args...))
	}
	msg, err := abi.ParseMessage(root)
	if err != nil {
		return bad("%v", err)
	}
	if msg.Kind != abi.ExternalInMessage || msg.Dst == nil || !msg.Dst.Equal(p.address) {
		return bad("not an external message to %s", p.address)
	}
	if msg.Init == nil {
		return bad("it carries no initial state")
	}
	init, err := msg.Init.Cell()
	if err != nil {
		return bad("initial state: %v", err)
	}
	if init.Hash() != p.init.Hash() {
		return bad("its initial state is not the proof's")
	}
	call, err := proofABI().DecodeExternalCall(msg.Body)
	if err != nil {
		return bad("%v", err)
	}
	if call.Function != constructor() {
		return bad("it calls %s, not the constructor", call.Function.Name)
	}
	hash, err := call.SignedHash(p.address)
	if err != nil {
		return bad("%v", err)
	}
	if call.Signature == nil || !ed25519.Verify(p.publicKey, hash[:], call.Signature) {
		return bad("it is not signed by the proof's key")
	}
	return DeployCall{
		SignedAt: time.UnixMilli(int64(call.Time)).UTC(),
		ExpireAt: time.Unix(int64(call.Expire), 0).UTC(),
	}, nil
}
