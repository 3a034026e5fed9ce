package abi

import (
	"encoding/base64"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ParseMessage reads a message cell. The body comes back as a cell whether
// it was inline (the bits and references left after the header) or in a
// reference, and the placements are recorded so that Cell rebuilds the
// same cell.
func ParseMessage(c *cell.Cell) (*Message, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no cell", ErrInvalidMessage)
	}
	if c.IsExotic() {
		return nil, fmt.Errorf("%w: %s root cell", ErrInvalidMessage, c.Type())
	}
	sl := c.BeginParse()
	var m Message
	if err := m.loadInfo(sl); err != nil {
		return nil, fmt.Errorf("%w: reading header: %w", ErrInvalidMessage, err)
	}

	hasInit, err := sl.LoadBool()
	if err != nil {
		return nil, fmt.Errorf("%w: reading init flag: %w", ErrInvalidMessage, err)
	}
	m.InitPlacement = PlaceInline
	if hasInit {
		inRef, err := sl.LoadBool()
		if err != nil {
			return nil, fmt.Errorf("%w: reading init placement: %w", ErrInvalidMessage, err)
		}
		if inRef {
			m.InitPlacement = PlaceRef
			r, err := sl.LoadRef()
			if err != nil {
				return nil, fmt.Errorf("%w: reading init reference: %w", ErrInvalidMessage, err)
			}
			if m.Init, err = ParseStateInit(r); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
			}
		} else if m.Init, err = loadStateInit(sl); err != nil {
			return nil, fmt.Errorf("%w: inline %w", ErrInvalidMessage, err)
		}
	}

	bodyInRef, err := sl.LoadBool()
	if err != nil {
		return nil, fmt.Errorf("%w: reading body placement: %w", ErrInvalidMessage, err)
	}
	if bodyInRef {
		m.BodyPlacement = PlaceRef
		if m.Body, err = sl.LoadRef(); err != nil {
			return nil, fmt.Errorf("%w: reading body reference: %w", ErrInvalidMessage, err)
		}
		if !sl.IsEmpty() {
			return nil, fmt.Errorf("%w: %d bits and %d references after the body reference", ErrInvalidMessage, sl.BitsLeft(), sl.RefsLeft())
		}
	} else {
		m.BodyPlacement = PlaceInline
		// Whatever is left is the body: the body is always the last field.
		if !sl.IsEmpty() {
			if m.Body, err = sl.ToCell(); err != nil {
				return nil, fmt.Errorf("%w: reading inline body: %w", ErrInvalidMessage, err)
			}
		}
	}
	return &m, nil
}

// ParseMessageBOC reads a message from a single-root bag of cells.
func ParseMessageBOC(boc []byte) (*Message, *cell.Cell, error) {
	root, err := cell.FromBOC(boc)
	if err != nil {
		return nil, nil, fmt.Errorf("reading message BOC: %w", err)
	}
	m, err := ParseMessage(root)
	if err != nil {
		return nil, nil, err
	}
	return m, root, nil
}

// ParseMessageBase64 reads a message from a standard-base64 bag of cells,
// the form GraphQL APIs and SDKs pass messages in.
func ParseMessageBase64(s string) (*Message, *cell.Cell, error) {
	boc, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, nil, fmt.Errorf("reading message: base64: %w", err)
	}
	return ParseMessageBOC(boc)
}

// loadInfo reads the CommonMsgInfo.
func (m *Message) loadInfo(sl *cell.Slice) error {
	first, err := sl.LoadBool()
	if err != nil {
		return err
	}
	if !first {
		m.Kind = InternalMessage
		return m.loadInternalInfo(sl)
	}
	second, err := sl.LoadBool()
	if err != nil {
		return err
	}
	if !second {
		m.Kind = ExternalInMessage
		if m.Src, err = sl.LoadAddress(); err != nil {
			return fmt.Errorf("external inbound source: %w", err)
		}
		if !isExtOrNoneAddr(m.Src) {
			return fmt.Errorf("source %s is not an external address", describeAddr(m.Src))
		}
		if m.Dst, err = loadIntAddr(sl, "destination"); err != nil {
			return err
		}
		if m.ImportFee, err = sl.LoadCoins(); err != nil {
			return fmt.Errorf("import fee: %w", err)
		}
		return nil
	}
	m.Kind = ExternalOutMessage
	if m.Src, err = loadIntAddr(sl, "source"); err != nil {
		return err
	}
	if m.Dst, err = sl.LoadAddress(); err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	if !isExtOrNoneAddr(m.Dst) {
		return fmt.Errorf("destination %s is not an external address", describeAddr(m.Dst))
	}
	return m.loadTimes(sl)
}

func (m *Message) loadInternalInfo(sl *cell.Slice) error {
	flags, err := sl.LoadUInt(3)
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	m.IHRDisabled, m.Bounce, m.Bounced = flags&4 != 0, flags&2 != 0, flags&1 != 0
	if m.Src, err = sl.LoadAddress(); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if !isIntOrNoneAddr(m.Src) {
		return fmt.Errorf("source %s is not an internal address", describeAddr(m.Src))
	}
	if m.Dst, err = loadIntAddr(sl, "destination"); err != nil {
		return err
	}
	if m.Value, err = sl.LoadCoins(); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	if m.ExtraCurrencies, err = sl.LoadMaybeRef(); err != nil {
		return fmt.Errorf("extra currencies: %w", err)
	}
	if m.IHRFee, err = sl.LoadCoins(); err != nil {
		return fmt.Errorf("IHR fee: %w", err)
	}
	if m.FwdFee, err = sl.LoadCoins(); err != nil {
		return fmt.Errorf("forwarding fee: %w", err)
	}
	return m.loadTimes(sl)
}

func (m *Message) loadTimes(sl *cell.Slice) error {
	lt, err := sl.LoadUInt(64)
	if err != nil {
		return fmt.Errorf("created_lt: %w", err)
	}
	at, err := sl.LoadUInt(32)
	if err != nil {
		return fmt.Errorf("created_at: %w", err)
	}
	m.CreatedLT, m.CreatedAt = lt, uint32(at)
	return nil
}

func loadIntAddr(sl *cell.Slice, what string) (*cell.Address, error) {
	a, err := sl.LoadAddress()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if !isIntAddr(a) {
		return nil, fmt.Errorf("%s %s is not an internal address", what, describeAddr(a))
	}
	return a, nil
}
