package everostest

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// MessageKind is the CommonMsgInfo constructor of a message.
type MessageKind int

// Message kinds.
const (
	Internal MessageKind = iota
	ExternalIn
	ExternalOut
)

func (k MessageKind) String() string {
	switch k {
	case Internal:
		return "internal"
	case ExternalIn:
		return "external inbound"
	case ExternalOut:
		return "external outbound"
	}
	return fmt.Sprintf("MessageKind(%d)", int(k))
}

// Message is the envelope of a message: what every message says regardless
// of the contract that reads its body.
type Message struct {
	Hash [32]byte // representation hash of the root cell: the message id
	BOC  []byte
	Root *cell.Cell
	Kind MessageKind
	// Src and Dst are "wc:hex" for internal addresses, "" otherwise.
	Src, Dst string
	// Value, Bounce, Bounced, CreatedLt and CreatedAt are set for internal
	// messages.
	Value           *big.Int
	Bounce, Bounced bool
	CreatedLt       uint64
	CreatedAt       uint32
	// Init is the StateInit the message carries, nil when none.
	Init *StateInit
	body *cell.Slice
}

// Body returns a fresh slice positioned at the message body.
func (m *Message) Body() *cell.Slice { return m.body.Copy() }

// StateInit is the initial state a message carries to deploy a contract.
type StateInit struct {
	Cell       *cell.Cell // the StateInit itself; its hash is the address
	Code, Data *cell.Cell // nil when absent
}

// ErrBadMessage wraps every reason a message cannot be parsed.
var ErrBadMessage = errors.New("bad message")

// ParseMessage reads the envelope of a serialized message.
func ParseMessage(boc []byte) (*Message, error) {
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("%w: decoding BOC: %v", ErrBadMessage, err)
	}
	m, err := parseMessageCell(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	m.BOC = boc
	return m, nil
}

func parseMessageCell(root *cell.Cell) (*Message, error) {
	m := &Message{Root: root, Hash: root.Hash(), Value: new(big.Int)}
	s := root.BeginParse()
	first, err := s.LoadBool()
	if err != nil {
		return nil, fmt.Errorf("reading message info: %w", err)
	}
	if !first {
		if err := m.parseInternal(s); err != nil {
			return nil, fmt.Errorf("reading internal message info: %w", err)
		}
	} else {
		out, err := s.LoadBool()
		if err != nil {
			return nil, fmt.Errorf("reading message info: %w", err)
		}
		if out {
			m.Kind = ExternalOut
			if err := m.parseExtOut(s); err != nil {
				return nil, fmt.Errorf("reading external outbound message info: %w", err)
			}
		} else {
			m.Kind = ExternalIn
			if err := m.parseExtIn(s); err != nil {
				return nil, fmt.Errorf("reading external inbound message info: %w", err)
			}
		}
	}
	hasInit, err := s.LoadBool()
	if err != nil {
		return nil, fmt.Errorf("reading init flag: %w", err)
	}
	if hasInit {
		inRef, err := s.LoadBool()
		if err != nil {
			return nil, fmt.Errorf("reading init flag: %w", err)
		}
		src := s
		if inRef {
			c, err := s.LoadRef()
			if err != nil {
				return nil, fmt.Errorf("reading init reference: %w", err)
			}
			src = c.BeginParse()
		}
		if m.Init, err = parseStateInit(src); err != nil {
			return nil, fmt.Errorf("reading StateInit: %w", err)
		}
	}
	bodyInRef, err := s.LoadBool()
	if err != nil {
		return nil, fmt.Errorf("reading body flag: %w", err)
	}
	if bodyInRef {
		c, err := s.LoadRef()
		if err != nil {
			return nil, fmt.Errorf("reading body reference: %w", err)
		}
		m.body = c.BeginParse()
	} else {
		m.body = s
	}
	return m, nil
}

func addrString(a *cell.Address) string {
	if a.Type == cell.AddrStd || a.Type == cell.AddrVar {
		return a.String()
	}
	return ""
}

func (m *Message) parseInternal(s *cell.Slice) error {
	m.Kind = Internal
	if _, err := s.LoadBool(); err != nil { // ihr_disabled
		return err
	}
	var err error
	if m.Bounce, err = s.LoadBool(); err != nil {
		return err
	}
	if m.Bounced, err = s.LoadBool(); err != nil {
		return err
	}
	src, err := s.LoadAddress()
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	dst, err := s.LoadAddress()
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	m.Src, m.Dst = addrString(src), addrString(dst)
	if m.Value, err = s.LoadCoins(); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	if _, err := s.LoadMaybeRef(); err != nil { // extra currencies
		return fmt.Errorf("extra currencies: %w", err)
	}
	for _, f := range []string{"ihr_fee", "fwd_fee"} {
		if _, err := s.LoadCoins(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	if m.CreatedLt, err = s.LoadUInt(64); err != nil {
		return fmt.Errorf("created_lt: %w", err)
	}
	at, err := s.LoadUInt(32)
	if err != nil {
		return fmt.Errorf("created_at: %w", err)
	}
	m.CreatedAt = uint32(at)
	return nil
}

func (m *Message) parseExtIn(s *cell.Slice) error {
	src, err := s.LoadAddress()
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if src.Type != cell.AddrNone && src.Type != cell.AddrExtern {
		return fmt.Errorf("source of an inbound external message is an internal address")
	}
	dst, err := s.LoadAddress()
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	if m.Dst = addrString(dst); m.Dst == "" {
		return fmt.Errorf("destination is not an internal address")
	}
	if _, err := s.LoadCoins(); err != nil {
		return fmt.Errorf("import_fee: %w", err)
	}
	return nil
}

func (m *Message) parseExtOut(s *cell.Slice) error {
	src, err := s.LoadAddress()
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	m.Src = addrString(src)
	if _, err := s.LoadAddress(); err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	if m.CreatedLt, err = s.LoadUInt(64); err != nil {
		return fmt.Errorf("created_lt: %w", err)
	}
	at, err := s.LoadUInt(32)
	m.CreatedAt = uint32(at)
	return err
}

// parseStateInit reads a StateInit and rebuilds its cell, whose hash is the
// address of the contract it deploys.
func parseStateInit(s *cell.Slice) (*StateInit, error) {
	b := cell.BeginCell()
	hasSplit, err := s.LoadBool()
	if err != nil {
		return nil, err
	}
	b.StoreBool(hasSplit)
	if hasSplit {
		d, err := s.LoadUInt(5)
		if err != nil {
			return nil, err
		}
		b.StoreUInt(d, 5)
	}
	hasSpecial, err := s.LoadBool()
	if err != nil {
		return nil, err
	}
	b.StoreBool(hasSpecial)
	if hasSpecial {
		tt, err := s.LoadUInt(2)
		if err != nil {
			return nil, err
		}
		b.StoreUInt(tt, 2)
	}
	si := &StateInit{}
	for _, dst := range []**cell.Cell{&si.Code, &si.Data, nil} {
		c, err := s.LoadMaybeRef()
		if err != nil {
			return nil, err
		}
		b.StoreMaybeRef(c)
		if dst != nil {
			*dst = c
		}
	}
	if si.Cell, err = b.EndCell(); err != nil {
		return nil, err
	}
	return si, nil
}

// BuildExternalMessage serializes an external inbound message to dst with
// an optional StateInit and body, both stored in references, and returns
// it with its hash (the message id).
func BuildExternalMessage(dst string, init, body *cell.Cell) ([]byte, [32]byte, error) {
	d, err := cell.ParseAddress(dst)
	if err != nil {
		return nil, [32]byte{}, fmt.Errorf("building external message: %w", err)
	}
	b := cell.BeginCell().StoreUInt(0b10, 2).StoreUInt(0, 2).StoreAddress(d).StoreCoinsUint64(0)
	if init == nil {
		b.StoreBool(false)
	} else {
		b.StoreBool(true).StoreBool(true).StoreRef(init)
	}
	if body == nil {
		b.StoreBool(false)
	} else {
		b.StoreBool(true).StoreRef(body)
	}
	c, err := b.EndCell()
	if err != nil {
		return nil, [32]byte{}, fmt.Errorf("building external message: %w", err)
	}
	return c.ToBOC(), c.Hash(), nil
}

// BuildStateInit makes the StateInit cell of code and data; its hash is
// the address of the contract in its workchain.
func BuildStateInit(code, data *cell.Cell) (*cell.Cell, error) {
	c, err := cell.BeginCell().StoreBool(false).StoreBool(false).StoreMaybeRef(code).StoreMaybeRef(data).StoreBool(false).EndCell()
	if err != nil {
		return nil, fmt.Errorf("building StateInit: %w", err)
	}
	return c, nil
}
