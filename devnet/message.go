package devnet

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// MessageKind is the CommonMsgInfo constructor of a message.
type MessageKind = abi.MessageKind

// Message kinds.
const (
	Internal    = abi.InternalMessage
	ExternalIn  = abi.ExternalInMessage
	ExternalOut = abi.ExternalOutMessage
)

// Message is a message the ledger executes: the message as package abi
// reads it (Msg), its id and serialized form, and the parts of it that
// executors use, in the forms the ledger keys accounts by.
type Message struct {
	Hash [32]byte // representation hash of the root cell: the message id
	BOC  []byte
	Root *cell.Cell
	// Msg is the whole message.
	Msg  *abi.Message
	Kind MessageKind
	// Src and Dst are "wc:hex" for internal addresses, "" otherwise.
	Src, Dst string
	// Value (never nil), Bounce, Bounced, CreatedLt and CreatedAt are set
	// for internal messages.
	Value           *big.Int
	Bounce, Bounced bool
	CreatedLt       uint64
	CreatedAt       uint32
	// Init is the StateInit the message carries, nil when none.
	Init *abi.StateInit

	seq int // the position in the ledger's messages
	// blockID and masterSeqNo name the block of the transaction that
	// first recorded the message (see indexLocked).
	blockID     string
	masterSeqNo uint32
}

// Body returns a fresh slice positioned at the message body (empty when
// there is none).
func (m *Message) Body() *cell.Slice {
	if m.Msg == nil || m.Msg.Body == nil {
		return cell.EmptyCell.BeginParse()
	}
	return m.Msg.Body.BeginParse()
}

// ErrBadMessage wraps every reason a message cannot be parsed.
var ErrBadMessage = errors.New("bad message")

// ParseMessage reads a serialized message.
func ParseMessage(boc []byte) (*Message, error) {
	m, root, err := abi.ParseMessageBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	value := m.Value
	if value == nil {
		value = new(big.Int)
	}
	return &Message{
		Hash: root.Hash(), BOC: boc, Root: root, Msg: m,
		Kind: m.Kind, Src: accountID(m.Src), Dst: accountID(m.Dst),
		Value: value, Bounce: m.Bounce, Bounced: m.Bounced, CreatedLt: m.CreatedLT, CreatedAt: m.CreatedAt,
		Init: m.Init,
	}, nil
}

// accountID is the "wc:hex" id of an internal address, "" for any other.
func accountID(a *cell.Address) string {
	if a == nil || (a.Type != cell.AddrStd && a.Type != cell.AddrVar) {
		return ""
	}
	return a.String()
}

// BuildInternalMessage serializes an internal message from src to dst
// carrying value, with an optional body, as an executor sends one.
func BuildInternalMessage(src, dst string, value *big.Int, bounce, bounced bool, body *cell.Cell) ([]byte, error) {
	s, err := cell.ParseAddress(src)
	if err != nil {
		return nil, fmt.Errorf("building internal message: source: %w", err)
	}
	d, err := cell.ParseAddress(dst)
	if err != nil {
		return nil, fmt.Errorf("building internal message: destination: %w", err)
	}
	m := abi.NewInternalMessage(d, value, bounce, nil, body)
	m.Src, m.Bounced = s, bounced
	b, err := m.ToBOC()
	if err != nil {
		return nil, fmt.Errorf("building internal message: %w", err)
	}
	return b, nil
}

// CheckInit refuses a StateInit that does not hash to the destination: the
// network drops such a message before any contract sees it.
func (m *Message) CheckInit() error {
	if m.Init == nil {
		return nil
	}
	h, err := m.Init.Hash()
	if err != nil {
		return fmt.Errorf("StateInit: %w", err)
	}
	if id, ok := m.Msg.Dst.Account(); !ok || id != h {
		return fmt.Errorf("StateInit hashes to %x, not to the destination %q", h, m.Dst)
	}
	return nil
}

// compact is m without its parsed cells, as the ledger keeps the messages
// it recorded: thousands of parsed trees (a deployment carries the
// contract's code) would make every garbage collection walk them.
func (m *Message) compact() *Message {
	return &Message{Hash: m.Hash, BOC: m.BOC, Kind: m.Kind, Src: m.Src, Dst: m.Dst, Value: m.Value,
		Bounce: m.Bounce, Bounced: m.Bounced, CreatedLt: m.CreatedLt, CreatedAt: m.CreatedAt, seq: m.seq}
}

// full is m with its parsed cells: m itself when it has them, else m
// parsed again from its BOC (which parsed once, so parses again).
func (m *Message) full() *Message {
	if m.Msg != nil {
		return m
	}
	f, err := ParseMessage(m.BOC)
	if err != nil {
		return &Message{Msg: &abi.Message{}}
	}
	return f
}
