package abi

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// Encode builds the body of the event: id ‖ inputs.
func (e *Event) Encode(values map[string]any) (*cell.Cell, error) {
	c, err := encodeWithID(e.abi.Version, e.ID, e.Inputs, values)
	if err != nil {
		return nil, fmt.Errorf("encoding event %q: %w", e.Name, err)
	}
	return c, nil
}

// DecodeEvent reads an event body (the body of an external outbound
// message a contract emits): event id and values.
func (a *ABI) DecodeEvent(body *cell.Cell) (*Event, map[string]any, error) {
	if body == nil {
		return nil, nil, fmt.Errorf("decoding event: %w", decodeErr("no body"))
	}
	s := body.BeginParse()
	id, err := s.LoadUInt(32)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding event: id: %w", wrapDecode(err))
	}
	e, err := a.EventByID(uint32(id))
	if err != nil {
		return nil, nil, fmt.Errorf("decoding event: %w", err)
	}
	var prefix []size
	if a.Version.maxSizeLayout() {
		prefix = []size{{32, 0}}
	}
	vals, err := readRest(decoder{a.Version}, s, prefix, e.Inputs)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding event %q: %w", e.Name, err)
	}
	return e, vals, nil
}
