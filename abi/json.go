package abi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Version is an ABI version, 2.0 to 2.4.
type Version struct{ Major, Minor uint8 }

// The ABI versions whose rules differ.
var (
	V2_0 = Version{2, 0}
	V2_1 = Version{2, 1}
	V2_2 = Version{2, 2}
	V2_3 = Version{2, 3}
	V2_4 = Version{2, 4}
)

// ParseVersion parses "2.3" (or "2", meaning 2.0) and refuses versions this
// package does not implement.
func ParseVersion(s string) (Version, error) {
	major, minor, found := strings.Cut(strings.TrimSpace(s), ".")
	ma, err1 := strconv.ParseUint(major, 10, 8)
	mi := uint64(0)
	var err2 error
	if found {
		mi, err2 = strconv.ParseUint(minor, 10, 8)
	}
	if err1 != nil || err2 != nil {
		return Version{}, fmt.Errorf("%w: %q is not a version", ErrUnsupportedVersion, s)
	}
	v := Version{uint8(ma), uint8(mi)}
	if v.Major != 2 || v.Minor > 4 {
		return Version{}, fmt.Errorf("%w: %s (supported: 2.0 to 2.4)", ErrUnsupportedVersion, v)
	}
	return v, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is o or later.
func (v Version) AtLeast(o Version) bool {
	return v.Major > o.Major || v.Major == o.Major && v.Minor >= o.Minor
}

// maxSizeLayout: cells are split by declared maximum sizes (2.2+).
func (v Version) maxSizeLayout() bool { return v.AtLeast(V2_2) }

// fixedBytesInline: fixedbytesN is N·8 inline bits (2.4+).
func (v Version) fixedBytesInline() bool { return v.AtLeast(V2_4) }

// signatureBits is the space reserved for the signature at the front of an
// external body when cells are laid out.
func (v Version) signatureBits() int {
	if v.AtLeast(V2_3) {
		return maxAddressBits
	}
	return 1 + 512
}

// Param is a named, typed value of the ABI JSON: a function input or
// output, an event input, a header item, a storage field.
type Param struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Components []Param `json:"components,omitempty"`
	// Init marks a storage field (2.4) that deployers must supply.
	Init bool `json:"init,omitempty"`

	parsed *Type
}

// ParsedType is the parsed Type (set once the ABI is parsed).
func (p *Param) ParsedType() *Type { return p.parsed }

func (p *Param) resolve(depth int) (*Type, error) {
	if p.parsed != nil {
		return p.parsed, nil
	}
	t, err := parseType(strings.TrimSpace(p.Type), p.Components, depth)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", p.Name, err)
	}
	p.parsed = t
	return t, nil
}

// NewParam makes a Param with its type parsed, for building parameter
// lists in code.
func NewParam(name, typ string, components ...Param) (Param, error) {
	p := Param{Name: name, Type: typ, Components: components}
	if _, err := p.resolve(0); err != nil {
		return Param{}, err
	}
	return p, nil
}

// DataItem is an entry of the pre-2.4 `data` section: a variable of the
// init-data dictionary and its 64-bit key.
type DataItem struct {
	Key uint64 `json:"key"`
	Param
}

// Function is an ABI function with its input and output ids.
type Function struct {
	Name    string
	Inputs  []Param
	Outputs []Param
	// InputID and OutputID are the call and answer ids: computed from the
	// signature, or both equal to the ABI's explicit id.
	InputID  uint32
	OutputID uint32

	abi *ABI
}

// Event is an ABI event.
type Event struct {
	Name   string
	Inputs []Param
	ID     uint32

	abi *ABI
}

// ABI is a parsed contract ABI. It is not modified after Parse, so one
// ABI may serve any number of goroutines.
type ABI struct {
	Version   Version
	Header    []Param
	Functions []*Function
	Events    []*Event
	Data      []DataItem
	Fields    []Param
}

type rawABI struct {
	ABIVersion *json.RawMessage  `json:"ABI version"`
	Version    *string           `json:"version"`
	Header     []json.RawMessage `json:"header"`
	Functions  []rawFunction     `json:"functions"`
	Events     []rawFunction     `json:"events"`
	Data       []DataItem        `json:"data"`
	Fields     []Param           `json:"fields"`
}

type rawFunction struct {
	Name    string  `json:"name"`
	Inputs  []Param `json:"inputs"`
	Outputs []Param `json:"outputs"`
	ID      any     `json:"id"`
}

// Parse reads an ABI JSON document. The version comes from "version"
// ("2.3") or, in older files, "ABI version" (2 meaning 2.0).
func Parse(data []byte) (*ABI, error) {
	var raw rawABI
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parsing ABI JSON: %w", err)
	}
	a := &ABI{}
	switch {
	case raw.Version != nil:
		v, err := ParseVersion(*raw.Version)
		if err != nil {
			return nil, fmt.Errorf("parsing ABI JSON: %w", err)
		}
		a.Version = v
	case raw.ABIVersion != nil:
		v, err := ParseVersion(strings.Trim(string(*raw.ABIVersion), `"`))
		if err != nil {
			return nil, fmt.Errorf("parsing ABI JSON \"ABI version\": %w", err)
		}
		a.Version = v
	default:
		return nil, fmt.Errorf("parsing ABI JSON: %w: neither \"version\" nor \"ABI version\" is given", ErrUnsupportedVersion)
	}
	for i, h := range raw.Header {
		var p Param
		var name string
		if err := json.Unmarshal(h, &name); err == nil {
			p = Param{Name: name, Type: name}
		} else if err := json.Unmarshal(h, &p); err != nil {
			return nil, fmt.Errorf("parsing ABI JSON header item %d: %w", i, err)
		}
		t, err := p.resolve(0)
		if err != nil {
			return nil, fmt.Errorf("parsing ABI JSON header: %w", err)
		}
		if t.Kind != KindPubKey && t.Kind != KindTime && t.Kind != KindExpire {
			return nil, fmt.Errorf("parsing ABI JSON header: %w: %q is not pubkey, time or expire", ErrInvalidType, p.Type)
		}
		a.Header = append(a.Header, p)
	}
	for _, rf := range raw.Functions {
		f := &Function{Name: rf.Name, Inputs: rf.Inputs, Outputs: rf.Outputs, abi: a}
		if err := resolveAll(a.Version, f.Inputs); err != nil {
			return nil, fmt.Errorf("parsing ABI function %q inputs: %w", f.Name, err)
		}
		if err := resolveAll(a.Version, f.Outputs); err != nil {
			return nil, fmt.Errorf("parsing ABI function %q outputs: %w", f.Name, err)
		}
		id, explicit, err := explicitID(rf.ID)
		if err != nil {
			return nil, fmt.Errorf("parsing ABI function %q: %w", f.Name, err)
		}
		if explicit {
			f.InputID, f.OutputID = id, id
		} else {
			h := signatureHash(f.Signature())
			f.InputID, f.OutputID = h&0x7fffffff, h|0x80000000
		}
		a.Functions = append(a.Functions, f)
	}
	for _, re := range raw.Events {
		e := &Event{Name: re.Name, Inputs: re.Inputs, abi: a}
		if err := resolveAll(a.Version, e.Inputs); err != nil {
			return nil, fmt.Errorf("parsing ABI event %q inputs: %w", e.Name, err)
		}
		id, explicit, err := explicitID(re.ID)
		if err != nil {
			return nil, fmt.Errorf("parsing ABI event %q: %w", e.Name, err)
		}
		if explicit {
			e.ID = id
		} else {
			e.ID = signatureHash(e.Signature()) & 0x7fffffff
		}
		a.Events = append(a.Events, e)
	}
	a.Data = raw.Data
	for i := range a.Data {
		t, err := a.Data[i].resolve(0)
		if err == nil {
			err = t.supportedIn(a.Version)
		}
		if err != nil {
			return nil, fmt.Errorf("parsing ABI data: %w", err)
		}
	}
	a.Fields = raw.Fields
	if err := resolveAll(a.Version, a.Fields); err != nil {
		return nil, fmt.Errorf("parsing ABI fields: %w", err)
	}
	return a, nil
}

func resolveAll(v Version, ps []Param) error {
	for i := range ps {
		t, err := ps[i].resolve(0)
		if err != nil {
			return err
		}
		if err := t.supportedIn(v); err != nil {
			return fmt.Errorf("parameter %q: %w", ps[i].Name, err)
		}
	}
	return nil
}

// explicitID reads an "id" given as a number or a "0x…" string.
func explicitID(v any) (uint32, bool, error) {
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		n, err := strconv.ParseUint(x.String(), 10, 32)
		if err != nil {
			return 0, false, fmt.Errorf("id %s is not a uint32", x)
		}
		return uint32(n), true, nil
	case string:
		n, err := strconv.ParseUint(x, 0, 32)
		if err != nil {
			return 0, false, fmt.Errorf("id %q is not a uint32", x)
		}
		return uint32(n), true, nil
	}
	return 0, false, fmt.Errorf("id %v is neither a number nor a string", v)
}

// Function returns the function called name.
func (a *ABI) Function(name string) (*Function, error) {
	for _, f := range a.Functions {
		if f.Name == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%w: function %q", ErrNotFound, name)
}

// FunctionByInputID returns the function whose call id is id.
func (a *ABI) FunctionByInputID(id uint32) (*Function, error) {
	for _, f := range a.Functions {
		if f.InputID == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%w: no function has input id 0x%08x", ErrNotFound, id)
}

// FunctionByOutputID returns the function whose answer id is id.
func (a *ABI) FunctionByOutputID(id uint32) (*Function, error) {
	for _, f := range a.Functions {
		if f.OutputID == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%w: no function has output id 0x%08x", ErrNotFound, id)
}

// Event returns the event called name.
func (a *ABI) Event(name string) (*Event, error) {
	for _, e := range a.Events {
		if e.Name == name {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%w: event %q", ErrNotFound, name)
}

// EventByID returns the event with the given id.
func (a *ABI) EventByID(id uint32) (*Event, error) {
	for _, e := range a.Events {
		if e.ID == id {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%w: no event has id 0x%08x", ErrNotFound, id)
}

// hasHeader reports whether the ABI declares the header item of kind k.
func (a *ABI) hasHeader(k Kind) bool {
	for i := range a.Header {
		if a.Header[i].parsed.Kind == k {
			return true
		}
	}
	return false
}

// resolveParams returns params with their types parsed. Lists from Parse
// and NewParam are returned as they are; others are parsed into a copy, so
// that a caller's slice is never written to.
func resolveParams(ps []Param) ([]Param, error) {
	done := true
	for i := range ps {
		if ps[i].parsed == nil {
			done = false
			break
		}
	}
	if done {
		return ps, nil
	}
	out := cloneParams(ps)
	for i := range out {
		if _, err := out[i].resolve(0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func cloneParams(ps []Param) []Param {
	if ps == nil {
		return nil
	}
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = Param{Name: p.Name, Type: p.Type, Init: p.Init, Components: cloneParams(p.Components)}
	}
	return out
}
