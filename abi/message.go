package abi

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ErrInvalidMessage is returned for a message that cannot be built or read.
var ErrInvalidMessage = errors.New("invalid message")

// MessageKind is the CommonMsgInfo constructor of a message.
type MessageKind uint8

// The three kinds of message.
const (
	// InternalMessage (int_msg_info$0) goes from one contract to another
	// and carries value.
	InternalMessage MessageKind = iota
	// ExternalInMessage (ext_in_msg_info$10) comes from outside the
	// blockchain, typically a signed call or a deploy.
	ExternalInMessage
	// ExternalOutMessage (ext_out_msg_info$11) is emitted by a contract to
	// the outside world, typically an event.
	ExternalOutMessage
)

func (k MessageKind) String() string {
	switch k {
	case InternalMessage:
		return "internal"
	case ExternalInMessage:
		return "external inbound"
	case ExternalOutMessage:
		return "external outbound"
	}
	return fmt.Sprintf("MessageKind(%d)", uint8(k))
}

// Placement says whether a message's StateInit or body sits in the message
// cell itself or in a cell of its own that the message references.
type Placement uint8

// Placements. The zero value lets the layout rule decide.
const (
	PlaceAuto Placement = iota
	PlaceInline
	PlaceRef
)

// Message is a TL-B Message:
//
//	message$_ {X:Type} info:CommonMsgInfo
//	  init:(Maybe (Either StateInit ^StateInit))
//	  body:(Either X ^X) = Message X;
//
// Which fields of the header apply depends on Kind; the others are ignored
// when encoding and zero after parsing.
type Message struct {
	Kind MessageKind

	// Internal message flags.
	IHRDisabled, Bounce, Bounced bool

	// Src is addr_none or an internal address for internal messages,
	// addr_none or addr_extern for external inbound ones, and an internal
	// address for external outbound ones. Nil means addr_none.
	Src *cell.Address
	// Dst is an internal address except for external outbound messages,
	// where it is addr_none or addr_extern.
	Dst *cell.Address

	// Value in nanotokens, and the extra currencies dictionary (nil when
	// none), of an internal message.
	Value           *big.Int
	ExtraCurrencies *cell.Cell
	// IHRFee and FwdFee of an internal message, ImportFee of an external
	// inbound one; nil is zero.
	IHRFee, FwdFee, ImportFee *big.Int
	// CreatedLT and CreatedAt of internal and external outbound messages.
	CreatedLT uint64
	CreatedAt uint32

	// Init is the StateInit that deploys the destination contract, if any.
	Init *StateInit
	// Body is the message body as a cell; nil is an empty body.
	Body *cell.Cell

	// InitPlacement and BodyPlacement keep the layout a parsed message had,
	// so that it encodes back to the same cell. They are used only when both
	// are set (InitPlacement may stay PlaceAuto when Init is nil) and the
	// result fits; otherwise the layout rule decides, as Everscale's node
	// software does.
	InitPlacement, BodyPlacement Placement
}

// NewExternalInMessage returns the external inbound message a client sends:
// from addr_none to dst, import fee 0, with an optional StateInit that
// deploys dst and a body (usually a signed ABI call).
func NewExternalInMessage(dst *cell.Address, init *StateInit, body *cell.Cell) *Message {
	return &Message{Kind: ExternalInMessage, Dst: dst, Init: init, Body: body}
}

// NewInternalMessage returns an internal message carrying value to dst, as
// Everscale's SDK encodes one for a wallet to send: IHR disabled, source
// addr_none, fees, logical time and creation time zero (the network fills
// them in when the message is really sent).
func NewInternalMessage(dst *cell.Address, value *big.Int, bounce bool, init *StateInit, body *cell.Cell) *Message {
	return &Message{
		Kind:        InternalMessage,
		IHRDisabled: true,
		Bounce:      bounce,
		Dst:         dst,
		Value:       value,
		Init:        init,
		Body:        body,
	}
}

// Cell serializes the message.
func (m *Message) Cell() (*cell.Cell, error) {
	info := cell.BeginCell()
	if err := m.storeInfo(info); err != nil {
		return nil, fmt.Errorf("%w: %s header: %w", ErrInvalidMessage, m.Kind, err)
	}
	if m.InitPlacement != PlaceAuto || m.BodyPlacement != PlaceAuto {
		initRef, bodyRef, ok := m.keptLayout()
		if ok {
			if c, err := m.assemble(info.Copy(), initRef, bodyRef); err == nil {
				return c, nil
			}
		}
	}
	initRef, bodyRef := m.layout(info)
	c, err := m.assemble(info, initRef, bodyRef)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	return c, nil
}

// keptLayout is the layout stored in the placement fields, if complete.
func (m *Message) keptLayout() (initRef, bodyRef, ok bool) {
	if m.BodyPlacement == PlaceAuto || (m.Init != nil && m.InitPlacement == PlaceAuto) {
		return false, false, false
	}
	return m.InitPlacement == PlaceRef, m.BodyPlacement == PlaceRef, true
}

// layout decides where the StateInit and the body go, by the rule of
// ever-block's Message serializer: all in the root cell if it fits; else the
// StateInit inline and the body in a reference; else the body inline and the
// StateInit in a reference; else both in references. "Fits" keeps a
// reference free for whatever moves out.
func (m *Message) layout(info *cell.Builder) (initRef, bodyRef bool) {
	hdrBits := info.BitsUsed() + 2 // Maybe bit of init, Either bit of body
	hdrRefs := info.RefsUsed()
	var initBits, initRefs int
	if m.Init != nil {
		hdrBits++ // Either bit of init
		initBits, initRefs = m.Init.size()
	}
	bodyBits, bodyRefs := 0, 0
	if m.Body != nil {
		if m.Body.IsExotic() {
			// An exotic cell cannot be spliced into another cell: its
			// data has a meaning only as a cell of its own.
			return initRef, true
		}
		bodyBits, bodyRefs = m.Body.BitsSize(), m.Body.RefsNum()
	}
	switch {
	case hdrBits+initBits+bodyBits <= cell.MaxBits && hdrRefs+initRefs+bodyRefs <= cell.MaxRefs:
		return false, false
	case hdrBits+initBits <= cell.MaxBits && hdrRefs+initRefs < cell.MaxRefs:
		return false, true
	case hdrBits+bodyBits <= cell.MaxBits && hdrRefs+bodyRefs < cell.MaxRefs:
		return true, false
	}
	return true, true
}

// assemble writes the StateInit and body after the header in b.
func (m *Message) assemble(b *cell.Builder, initRef, bodyRef bool) (*cell.Cell, error) {
	if m.Init == nil {
		b.StoreBool(false)
	} else if initRef {
		c, err := m.Init.Cell()
		if err != nil {
			return nil, err
		}
		b.StoreBool(true).StoreBool(true).StoreRef(c)
	} else {
		b.StoreBool(true).StoreBool(false)
		m.Init.store(b)
	}
	switch {
	case m.Body == nil:
		b.StoreBool(false)
	case bodyRef:
		b.StoreBool(true).StoreRef(m.Body)
	default:
		if m.Body.IsExotic() {
			return nil, fmt.Errorf("an exotic (%s) body cannot be stored inline", m.Body.Type())
		}
		b.StoreBool(false).StoreSlice(m.Body.BeginParse())
	}
	c, err := b.EndCell()
	if err != nil {
		return nil, fmt.Errorf("placing StateInit (in ref: %t) and body (in ref: %t): %w", initRef, bodyRef, err)
	}
	return c, nil
}

// storeInfo writes the CommonMsgInfo.
func (m *Message) storeInfo(b *cell.Builder) error {
	switch m.Kind {
	case InternalMessage:
		if !isIntOrNoneAddr(m.Src) {
			return fmt.Errorf("source %s is not an internal address", describeAddr(m.Src))
		}
		if !isIntAddr(m.Dst) {
			return fmt.Errorf("destination %s is not an internal address", describeAddr(m.Dst))
		}
		b.StoreBool(false).
			StoreBool(m.IHRDisabled).StoreBool(m.Bounce).StoreBool(m.Bounced).
			StoreAddress(m.Src).StoreAddress(m.Dst).
			StoreCoins(coinsOrZero(m.Value)).StoreMaybeRef(m.ExtraCurrencies).
			StoreCoins(coinsOrZero(m.IHRFee)).StoreCoins(coinsOrZero(m.FwdFee)).
			StoreUInt(m.CreatedLT, 64).StoreUInt(uint64(m.CreatedAt), 32)
	case ExternalInMessage:
		if !isExtOrNoneAddr(m.Src) {
			return fmt.Errorf("source %s is not an external address", describeAddr(m.Src))
		}
		if !isIntAddr(m.Dst) {
			return fmt.Errorf("destination %s is not an internal address", describeAddr(m.Dst))
		}
		b.StoreUInt(2, 2).StoreAddress(m.Src).StoreAddress(m.Dst).StoreCoins(coinsOrZero(m.ImportFee))
	case ExternalOutMessage:
		if !isIntAddr(m.Src) {
			return fmt.Errorf("source %s is not an internal address", describeAddr(m.Src))
		}
		if !isExtOrNoneAddr(m.Dst) {
			return fmt.Errorf("destination %s is not an external address", describeAddr(m.Dst))
		}
		b.StoreUInt(3, 2).StoreAddress(m.Src).StoreAddress(m.Dst).
			StoreUInt(m.CreatedLT, 64).StoreUInt(uint64(m.CreatedAt), 32)
	default:
		return fmt.Errorf("unknown message kind %d", m.Kind)
	}
	return b.Err()
}

var zeroCoins = new(big.Int)

func coinsOrZero(v *big.Int) *big.Int {
	if v == nil {
		return zeroCoins
	}
	return v
}

func isIntAddr(a *cell.Address) bool {
	return a != nil && (a.Type == cell.AddrStd || a.Type == cell.AddrVar)
}

func isIntOrNoneAddr(a *cell.Address) bool {
	return a == nil || a.Type == cell.AddrNone || isIntAddr(a)
}

func isExtOrNoneAddr(a *cell.Address) bool {
	return a == nil || a.Type == cell.AddrNone || a.Type == cell.AddrExtern
}

func describeAddr(a *cell.Address) string {
	if a == nil || a.Type == cell.AddrNone {
		return "addr_none"
	}
	return fmt.Sprintf("%q", a.String())
}

// ToBOC serializes the message as a bag of cells, as the network takes it.
func (m *Message) ToBOC() ([]byte, error) {
	c, err := m.Cell()
	if err != nil {
		return nil, err
	}
	return c.ToBOC(), nil
}

// ToBase64 is the standard-base64 BOC of the message, the form the
// postRequests mutation takes as its body.
func (m *Message) ToBase64() (string, error) {
	c, err := m.Cell()
	if err != nil {
		return "", err
	}
	return c.ToBase64(), nil
}

// ID is the message's hash: the representation hash of its root cell.
func (m *Message) ID() (MessageID, error) {
	c, err := m.Cell()
	if err != nil {
		return MessageID{}, err
	}
	return MessageID(c.Hash()), nil
}

// MessageID is a message hash, the identity of a message on the network.
type MessageID [32]byte

// MessageIDOf returns the id of the message whose root cell is c.
func MessageIDOf(c *cell.Cell) MessageID { return MessageID(c.Hash()) }

// Hex is the id in lowercase hex, as GraphQL queries and filters use it
// (messages.id, transactions.in_msg).
func (id MessageID) Hex() string { return hex.EncodeToString(id[:]) }

// Base64 is the id in standard base64, as the postRequests mutation wants
// its id.
func (id MessageID) Base64() string { return base64.StdEncoding.EncodeToString(id[:]) }

// String is Hex.
func (id MessageID) String() string { return id.Hex() }

// ParseMessageID reads a message id in hex (64 digits) or base64 (44
// characters, standard or URL alphabet).
func ParseMessageID(s string) (MessageID, error) {
	var id MessageID
	if len(s) == 64 {
		if _, err := hex.Decode(id[:], []byte(s)); err == nil {
			return id, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		if p, err := enc.DecodeString(s); err == nil && len(p) == 32 {
			copy(id[:], p)
			return id, nil
		}
	}
	return id, fmt.Errorf("message id %q is neither 64 hex digits nor base64 of 32 bytes", s)
}
