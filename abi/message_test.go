package abi

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// sdkMessageVectors are the constants of testdata/ever-sdk-messages.json.
type sdkMessageVectors struct {
	EncodeV2          map[string]string `json:"encode_v2"`
	EncodeV2WithSigID map[string]string `json:"encode_v2_with_signature_id"`
	Internal          map[string]string `json:"internal"`
	TVC               map[string]string `json:"tvc"`
}

func loadSDKMessageVectors(t testing.TB) sdkMessageVectors {
	t.Helper()
	p, err := os.ReadFile(filepath.Join("testdata", "ever-sdk-messages.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v sdkMessageVectors
	if err := json.Unmarshal(p, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	p, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeHexT(t testing.TB, s string) []byte {
	t.Helper()
	p, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	eventsOldKeyedAddr = "0:05beb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309"
	eventsOldZeroAddr  = "0:84a9510b0278047154b1b84b6dd445c1349d8d42d75a2eece07b72ad6e4ea136"
	eventsOldPubkey    = "4c7c408ff1ddebb8d6405ee979c716a14fdd6cc08124107a61d3c25597099499"
)

// TestExternalMessageVectors lifts StateInit and body out of ever-sdk's
// EventsOld messages, rebuilds each message around them with the automatic
// layout, and expects the same bytes, destination, StateInit address and
// hash.
func TestExternalMessageVectors(t *testing.T) {
	v := loadSDKMessageVectors(t)
	tests := []struct {
		name, boc string
		dst       string
		hasInit   bool
		initInRef bool
		bodyInRef bool
		bodyBits  int
		hash      string // published (computed by the reference notes) where known
	}{
		{"deploy unsigned", v.EncodeV2["deploy_unsigned_message"], eventsOldKeyedAddr, true, false, false, 257 + 64 + 32 + 32, ""},
		{"deploy signed", v.EncodeV2["deploy_signed_message"], eventsOldKeyedAddr, true, false, true, 1 + 512 + 257 + 64 + 32 + 32,
			"d5b3375db0313656657ea7728e87c93fb07c4c246666fac22011fb1cb95a50c4"},
		{"deploy without signer", v.EncodeV2["deploy_without_sign_message"], eventsOldZeroAddr, true, false, false, 1 + 257 + 64 + 32 + 32, ""},
		{"run unsigned", v.EncodeV2["run_unsigned_message"], eventsOldKeyedAddr, false, false, false, 257 + 64 + 32 + 32 + 256, ""},
		{"run signed", v.EncodeV2["run_signed_message"], eventsOldKeyedAddr, false, false, true, 898 + 256,
			"4ce690920fa498d6e52051e952093438b9e37fa6d803caa5a724090be2cf78c7"},
		{"run without signer", v.EncodeV2["run_without_sign_message"], eventsOldKeyedAddr, false, false, false, 1 + 1 + 64 + 32 + 32 + 256,
			"e3d5a810480fccc4ae6ccedf9e37682ce0ff3c5f59525efc0ecb30d14e124d35"},
		{"deploy signed with signature id", v.EncodeV2WithSigID["deploy_signed_message"], eventsOldKeyedAddr, true, false, true, 898, ""},
		{"run signed with signature id", v.EncodeV2WithSigID["run_signed_message"], eventsOldKeyedAddr, false, false, true, 898 + 256, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := base64.StdEncoding.DecodeString(tt.boc)
			if err != nil {
				t.Fatal(err)
			}
			m, root, err := ParseMessageBOC(want)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != ExternalInMessage {
				t.Fatalf("kind %s", m.Kind)
			}
			if m.Src == nil || m.Src.Type != cell.AddrNone {
				t.Errorf("src %v, want addr_none", m.Src)
			}
			if got := m.Dst.String(); got != tt.dst {
				t.Errorf("dst %s, want %s", got, tt.dst)
			}
			if m.ImportFee.Sign() != 0 {
				t.Errorf("import fee %s", m.ImportFee)
			}
			if (m.Init != nil) != tt.hasInit {
				t.Fatalf("init present %t, want %t", m.Init != nil, tt.hasInit)
			}
			if tt.hasInit {
				addr, err := m.Init.Address(0)
				if err != nil {
					t.Fatal(err)
				}
				if addr.String() != tt.dst {
					t.Errorf("StateInit address %s, want the destination %s", addr, tt.dst)
				}
				if (m.InitPlacement == PlaceRef) != tt.initInRef {
					t.Errorf("init placement %d", m.InitPlacement)
				}
			}
			if (m.BodyPlacement == PlaceRef) != tt.bodyInRef {
				t.Errorf("body placement %d, want in ref %t", m.BodyPlacement, tt.bodyInRef)
			}
			if m.Body == nil {
				t.Fatal("no body")
			}
			bits := m.Body.BitsSize()
			for r := m.Body; r.RefsNum() > 0; {
				r = r.Ref(r.RefsNum() - 1)
				bits += r.BitsSize()
			}
			if bits != tt.bodyBits {
				t.Errorf("body holds %d bits in its chain, want %d", bits, tt.bodyBits)
			}

			// Rebuild from parts, with the automatic layout.
			re := NewExternalInMessage(m.Dst, m.Init, m.Body)
			got, err := re.ToBOC()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rebuilt message differs\n got %s\nwant %s", base64.StdEncoding.EncodeToString(got), tt.boc)
			}
			// And the parsed message encodes back to itself.
			again, err := m.ToBOC()
			if err != nil || !bytes.Equal(again, want) {
				t.Errorf("parsed message re-encodes differently (%v)", err)
			}
			id, err := re.ID()
			if err != nil {
				t.Fatal(err)
			}
			if id != MessageIDOf(root) {
				t.Errorf("ID %s, root hash %s", id, root.HashHex())
			}
			if tt.hash != "" && id.Hex() != tt.hash {
				t.Errorf("hash %s, want %s", id.Hex(), tt.hash)
			}
		})
	}
}

// TestEventsOldAddress is §8.5: the address of EventsOld from its TVC as
// shipped, and the StateInit of the signed deploy message (public key at
// key 0 of the data dictionary) with the same code.
func TestEventsOldAddress(t *testing.T) {
	si, root, err := StateInitFromTVC(readTestdata(t, "EventsOld.tvc"))
	if err != nil {
		t.Fatal(err)
	}
	if si.Code == nil || si.Data == nil || si.HasSplitDepth || si.Special != nil || si.Library != nil {
		t.Fatalf("unexpected StateInit shape %+v", si)
	}
	if got := si.Code.HashHex(); got != "d507487e2208c11eedb1772aab237de65b0584f11ce06bfb28175c78eea194dc" {
		t.Errorf("code hash %s", got)
	}
	if root.BitsSize() != 5 || root.RefsNum() != 2 {
		t.Errorf("root has %d bits, %d refs; want 00110 + 2 refs", root.BitsSize(), root.RefsNum())
	}
	addr, err := si.Address(0)
	if err != nil {
		t.Fatal(err)
	}
	if addr.String() != eventsOldZeroAddr {
		t.Errorf("address %s, want %s", addr, eventsOldZeroAddr)
	}
	if got := ContractAddress(0, root).String(); got != eventsOldZeroAddr {
		t.Errorf("ContractAddress %s", got)
	}
	// The TVC's StateInit re-encodes to the file's bytes.
	boc, err := si.ToBOC()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(boc, readTestdata(t, "EventsOld.tvc")) {
		t.Error("StateInit does not re-encode to EventsOld.tvc")
	}

	v := loadSDKMessageVectors(t)
	m, _, err := ParseMessageBase64(v.EncodeV2["deploy_signed_message"])
	if err != nil {
		t.Fatal(err)
	}
	if !m.Init.Code.Equal(si.Code) {
		t.Error("deploy message carries other code than EventsOld.tvc")
	}
	keyed, err := m.Init.Address(0)
	if err != nil {
		t.Fatal(err)
	}
	if keyed.String() != eventsOldKeyedAddr {
		t.Errorf("keyed address %s, want %s", keyed, eventsOldKeyedAddr)
	}
	// The keyed data holds the public key bits, the TVC's data does not.
	keyBits := bitString(decodeHexT(t, eventsOldPubkey), 256)
	if !strings.Contains(treeBits(m.Init.Data), keyBits) {
		t.Error("public key not found in the deploy message's data")
	}
	if strings.Contains(treeBits(si.Data), keyBits) {
		t.Error("public key found in the TVC's data")
	}
}

// treeBits is the data bits of every cell of a tree, each cell on its own
// line, as '0' and '1'.
func treeBits(c *cell.Cell) string {
	var sb strings.Builder
	var walk func(*cell.Cell)
	walk = func(c *cell.Cell) {
		sb.WriteString(bitString(c.Data(), c.BitsSize()))
		sb.WriteByte('\n')
		for _, r := range c.Refs() {
			walk(r)
		}
	}
	walk(c)
	return sb.String()
}

func bitString(p []byte, n int) string {
	b := make([]byte, n)
	for i := range n {
		b[i] = '0' + (p[i/8]>>(7-i%8))&1
	}
	return string(b)
}

// TestInternalMessageVectors are ever-sdk's encode_internal_message results:
// sayHello (§8.7) and Hello deployed by an internal message, with and
// without a constructor body.
func TestInternalMessageVectors(t *testing.T) {
	v := loadSDKMessageVectors(t)
	helloSI, _, err := StateInitFromTVC(readTestdata(t, "Hello.tvc"))
	if err != nil {
		t.Fatal(err)
	}
	helloAddr, err := helloSI.Address(0)
	if err != nil {
		t.Fatal(err)
	}
	sayHello, err := cell.BeginCell().StoreUInt(0x50CBED17, 32).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	constructor, err := cell.BeginCell().StoreUInt(0x68B55F3F, 32).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		boc  string
		msg  *Message
	}{
		{"sayHello", v.Internal["hello_run_sayHello"],
			NewInternalMessage(cell.MustParseAddress("0:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"), big.NewInt(1e9), true, nil, sayHello)},
		{"deploy without body", v.Internal["hello_deploy_without_body"],
			NewInternalMessage(helloAddr, big.NewInt(1e9), true, helloSI, nil)},
		{"deploy with constructor", v.Internal["hello_deploy_constructor"],
			NewInternalMessage(helloAddr, big.NewInt(1e9), true, helloSI, constructor)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.msg.ToBOC()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := base64.StdEncoding.DecodeString(tt.boc)
			if !bytes.Equal(got, want) {
				t.Errorf("message differs\n got %s\nwant %s", base64.StdEncoding.EncodeToString(got), tt.boc)
			}
			m, root, err := ParseMessageBOC(want)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != InternalMessage || !m.IHRDisabled || !m.Bounce || m.Bounced {
				t.Errorf("kind %s flags ihr_disabled=%t bounce=%t bounced=%t", m.Kind, m.IHRDisabled, m.Bounce, m.Bounced)
			}
			if m.Value.Cmp(big.NewInt(1e9)) != 0 || m.IHRFee.Sign() != 0 || m.FwdFee.Sign() != 0 || m.CreatedLT != 0 || m.CreatedAt != 0 {
				t.Errorf("value %s fees %s %s lt %d at %d", m.Value, m.IHRFee, m.FwdFee, m.CreatedLT, m.CreatedAt)
			}
			if !m.Dst.Equal(tt.msg.Dst) || m.Src.Type != cell.AddrNone {
				t.Errorf("src %v dst %v", m.Src, m.Dst)
			}
			if (m.Init == nil) != (tt.msg.Init == nil) {
				t.Fatalf("init presence differs")
			}
			if tt.msg.Body != nil && !m.Body.Equal(tt.msg.Body) {
				t.Errorf("body %v, want %v", m.Body, tt.msg.Body)
			}
			again, err := m.ToBOC()
			if err != nil || !bytes.Equal(again, want) {
				t.Errorf("parsed message re-encodes differently (%v)", err)
			}
			if b64, err := tt.msg.ToBase64(); err != nil || b64 != tt.boc {
				t.Errorf("ToBase64 %s (%v)", b64, err)
			}
			if id, _ := tt.msg.ID(); id != MessageIDOf(root) {
				t.Errorf("ID %s, want %s", id, root.HashHex())
			}
		})
	}
}

// TestMessageLayout checks the inline-or-reference rule at its edges.
func TestMessageLayout(t *testing.T) {
	dst := cell.MustParseAddress("0:" + strings.Repeat("ab", 32))
	code := cellOfBits(t, 8, 0)
	data := cellOfBits(t, 16, 0)
	si := &StateInit{Code: code, Data: data}
	const extHdr = 2 + 2 + 267 + 4 // ext_in tag, addr_none, addr_std, import_fee 0
	tests := []struct {
		name             string
		init             *StateInit
		bodyBits, refs   int
		internal         bool // an internal message with extra currencies (one header ref)
		initRef, bodyRef bool
	}{
		{"empty body", nil, 0, 0, false, false, false},
		{"body fills the cell", nil, 1023 - extHdr - 2, 0, false, false, false},
		{"body one bit too many", nil, 1023 - extHdr - 2 + 1, 0, false, false, true},
		{"body with 4 refs", nil, 10, 4, false, false, false},
		{"init and body fill the cell", si, 1023 - extHdr - 3 - 5, 2, false, false, false},
		{"init and body one bit over", si, 1023 - extHdr - 3 - 5 + 1, 0, false, false, true},
		{"init and body one ref over", si, 10, 3, false, false, true},
		{"init with 3 refs goes inline before the body", &StateInit{Code: code, Data: data, Library: code}, 10, 2, false, false, true},
		{"extra currencies leave no slot for an inline init and a body ref", &StateInit{Code: code, Data: data, Library: code}, 10, 1, true, true, false},
		{"nothing fits inline", &StateInit{Code: code, Data: data, Library: code}, 1000, 2, true, true, true},
		{"split depth and special", &StateInit{HasSplitDepth: true, SplitDepth: 31, Special: &TickTock{Tick: true}, Code: code}, 1023 - extHdr - 3 - 12, 0, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refs []*cell.Cell
			for i := range tt.refs {
				refs = append(refs, cellOfBits(t, i+1, 1))
			}
			body := cellOfBits(t, tt.bodyBits, 3, refs...)
			m := NewExternalInMessage(dst, tt.init, body)
			if tt.internal {
				m = NewInternalMessage(dst, big.NewInt(1), true, tt.init, body)
				m.ExtraCurrencies = cellOfBits(t, 5, 0)
			}
			c, err := m.Cell()
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParseMessage(c)
			if err != nil {
				t.Fatal(err)
			}
			if tt.init != nil && (p.InitPlacement == PlaceRef) != tt.initRef {
				t.Errorf("init in ref %t, want %t", p.InitPlacement == PlaceRef, tt.initRef)
			}
			if (p.BodyPlacement == PlaceRef) != tt.bodyRef {
				t.Errorf("body in ref %t, want %t", p.BodyPlacement == PlaceRef, tt.bodyRef)
			}
			if tt.bodyBits == 0 && tt.refs == 0 {
				if p.Body != nil {
					t.Errorf("empty inline body parsed as %v", p.Body)
				}
			} else if !p.Body.Equal(body) {
				t.Errorf("body changed: %v", p.Body)
			}
			if tt.init != nil {
				want, _ := tt.init.Cell()
				got, _ := p.Init.Cell()
				if !got.Equal(want) {
					t.Errorf("init changed")
				}
			}
		})
	}
}

// cellOfBits makes a cell of n bits of a simple pattern.
func cellOfBits(t testing.TB, n int, seed byte, refs ...*cell.Cell) *cell.Cell {
	t.Helper()
	b := cell.BeginCell()
	for i := range n {
		b.StoreBool((i*7+int(seed))%3 == 0)
	}
	for _, r := range refs {
		b.StoreRef(r)
	}
	c, err := b.EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMessageKeptLayout: a parsed message remembers where init and body
// were, even when the automatic rule would choose otherwise, and a layout
// that no longer fits falls back to the rule.
func TestMessageKeptLayout(t *testing.T) {
	dst := cell.MustParseAddress("-1:" + strings.Repeat("01", 32))
	body := cellOfBits(t, 40, 0)
	si := &StateInit{Code: cellOfBits(t, 8, 1)}
	for _, tc := range []struct{ initP, bodyP Placement }{
		{PlaceRef, PlaceRef}, {PlaceRef, PlaceInline}, {PlaceInline, PlaceRef}, {PlaceInline, PlaceInline},
	} {
		m := NewExternalInMessage(dst, si, body)
		m.InitPlacement, m.BodyPlacement = tc.initP, tc.bodyP
		c, err := m.Cell()
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParseMessage(c)
		if err != nil {
			t.Fatal(err)
		}
		if p.InitPlacement != tc.initP || p.BodyPlacement != tc.bodyP {
			t.Errorf("asked %d/%d, got %d/%d", tc.initP, tc.bodyP, p.InitPlacement, p.BodyPlacement)
		}
		c2, err := p.Cell()
		if err != nil || !c2.Equal(c) {
			t.Errorf("%d/%d: parsed message re-encodes differently (%v)", tc.initP, tc.bodyP, err)
		}
	}
	// Inline placement of a body that cannot fit falls back to the rule.
	big := NewExternalInMessage(dst, nil, cellOfBits(t, 1000, 0))
	big.InitPlacement, big.BodyPlacement = PlaceInline, PlaceInline
	c, err := big.Cell()
	if err != nil {
		t.Fatal(err)
	}
	if c.RefsNum() != 1 {
		t.Errorf("oversized inline body not moved to a reference")
	}
}

func TestExternalOutMessageRoundTrip(t *testing.T) {
	ext := &cell.Address{Type: cell.AddrExtern, Data: []byte{0xca, 0xfe, 0x80}, Bits: 17}
	m := &Message{
		Kind: ExternalOutMessage, Src: cell.MustParseAddress("0:" + strings.Repeat("77", 32)), Dst: ext,
		CreatedLT: 1 << 40, CreatedAt: 1700000000, Body: cellOfBits(t, 100, 2),
	}
	c, err := m.Cell()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseMessage(c)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != ExternalOutMessage || !p.Src.Equal(m.Src) || !p.Dst.Equal(ext) || p.CreatedLT != m.CreatedLT || p.CreatedAt != m.CreatedAt || !p.Body.Equal(m.Body) {
		t.Errorf("round trip changed the message: %+v", p)
	}
}

func TestInternalMessageRoundTrip(t *testing.T) {
	extra := cellOfBits(t, 30, 1)
	m := &Message{
		Kind: InternalMessage, IHRDisabled: false, Bounce: false, Bounced: true,
		Src:   cell.MustParseAddress("0:" + strings.Repeat("12", 32)),
		Dst:   &cell.Address{Type: cell.AddrVar, Workchain: 1 << 20, Data: bytes.Repeat([]byte{0x5a}, 12), Bits: 96},
		Value: new(big.Int).Lsh(big.NewInt(1), 119), ExtraCurrencies: extra,
		IHRFee: big.NewInt(7), FwdFee: big.NewInt(1 << 33), CreatedLT: 99, CreatedAt: 12345,
		Init: &StateInit{Code: cellOfBits(t, 3, 0)}, Body: cellOfBits(t, 700, 0),
	}
	c, err := m.Cell()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseMessage(c)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Src.Equal(m.Src) || !p.Dst.Equal(m.Dst) || p.Value.Cmp(m.Value) != 0 || !p.ExtraCurrencies.Equal(extra) ||
		p.IHRFee.Cmp(m.IHRFee) != 0 || p.FwdFee.Cmp(m.FwdFee) != 0 || p.CreatedLT != 99 || p.CreatedAt != 12345 ||
		p.IHRDisabled || p.Bounce || !p.Bounced || !p.Body.Equal(m.Body) || !p.Init.Code.Equal(m.Init.Code) {
		t.Errorf("round trip changed the message: %+v", p)
	}
}

func TestMessageErrors(t *testing.T) {
	std := cell.MustParseAddress("0:" + strings.Repeat("00", 32))
	ext := &cell.Address{Type: cell.AddrExtern, Data: []byte{1}, Bits: 8}
	build := []struct {
		name string
		m    *Message
	}{
		{"ext-in without destination", &Message{Kind: ExternalInMessage}},
		{"ext-in with internal source", &Message{Kind: ExternalInMessage, Src: std, Dst: std}},
		{"ext-in to external address", &Message{Kind: ExternalInMessage, Dst: ext}},
		{"internal from external address", &Message{Kind: InternalMessage, Src: ext, Dst: std}},
		{"negative value", &Message{Kind: InternalMessage, Dst: std, Value: big.NewInt(-1)}},
		{"ext-out to internal address", &Message{Kind: ExternalOutMessage, Src: std, Dst: std}},
		{"unknown kind", &Message{Kind: 7, Dst: std}},
		{"split depth over 5 bits", NewExternalInMessage(std, &StateInit{HasSplitDepth: true, SplitDepth: 32}, nil)},
	}
	for _, tt := range build {
		t.Run("build/"+tt.name, func(t *testing.T) {
			if _, err := tt.m.Cell(); !errors.Is(err, ErrInvalidMessage) && !errors.Is(err, cell.ErrValueRange) {
				t.Errorf("error %v, want ErrInvalidMessage", err)
			}
		})
	}

	good := NewExternalInMessage(std, &StateInit{Code: cellOfBits(t, 4, 0)}, cellOfBits(t, 20, 0))
	gc, err := good.Cell()
	if err != nil {
		t.Fatal(err)
	}
	parse := []struct {
		name string
		c    func() *cell.Cell
	}{
		{"empty cell", func() *cell.Cell { return cell.EmptyCell }},
		{"truncated header", func() *cell.Cell { return cellOfBits(t, 100, 0) }},
		{"ext-in to addr_none", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(2, 2).StoreUInt(0, 2).StoreUInt(0, 2).StoreCoinsUint64(0).StoreUInt(0, 2).EndCell()
			return c
		}},
		{"init in missing ref", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(2, 2).StoreUInt(0, 2).StoreAddress(std).StoreCoinsUint64(0).StoreUInt(3, 2).EndCell()
			return c
		}},
		{"body in missing ref", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(2, 2).StoreUInt(0, 2).StoreAddress(std).StoreCoinsUint64(0).StoreUInt(1, 2).EndCell()
			return c
		}},
		{"bits after body ref", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(2, 2).StoreUInt(0, 2).StoreAddress(std).StoreCoinsUint64(0).StoreUInt(1, 2).StoreRef(cell.EmptyCell).StoreUInt(1, 1).EndCell()
			return c
		}},
		{"truncated inline init", func() *cell.Cell {
			sl := gc.BeginParse()
			sub, _ := sl.LoadSlice(275 + 3)
			c, _ := sub.ToCell()
			return c
		}},
		{"init ref not a StateInit", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(2, 2).StoreUInt(0, 2).StoreAddress(std).StoreCoinsUint64(0).StoreUInt(3, 2).StoreRef(cellOfBits(t, 9, 0)).StoreUInt(0, 1).EndCell()
			return c
		}},
	}
	for _, tt := range parse {
		t.Run("parse/"+tt.name, func(t *testing.T) {
			if m, err := ParseMessage(tt.c()); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("got %+v, %v; want ErrInvalidMessage", m, err)
			}
		})
	}
	if _, _, err := ParseMessageBase64("!!"); err == nil {
		t.Error("bad base64 accepted")
	}
	if _, _, err := ParseMessageBOC([]byte{1, 2, 3}); err == nil {
		t.Error("bad BOC accepted")
	}
}

func TestMessageID(t *testing.T) {
	const h = "4ce690920fa498d6e52051e952093438b9e37fa6d803caa5a724090be2cf78c7"
	var id MessageID
	copy(id[:], decodeHexT(t, h))
	if id.Hex() != h || id.String() != h {
		t.Errorf("hex %s", id.Hex())
	}
	b64 := base64.StdEncoding.EncodeToString(id[:])
	if id.Base64() != b64 {
		t.Errorf("base64 %s", id.Base64())
	}
	for _, s := range []string{h, b64, base64.URLEncoding.EncodeToString(id[:])} {
		got, err := ParseMessageID(s)
		if err != nil || got != id {
			t.Errorf("ParseMessageID(%q) = %s, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "00", strings.Repeat("zz", 32), base64.StdEncoding.EncodeToString(make([]byte, 31))} {
		if _, err := ParseMessageID(s); err == nil {
			t.Errorf("ParseMessageID(%q) accepted", s)
		}
	}
}
