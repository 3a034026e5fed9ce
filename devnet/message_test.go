package devnet

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

func TestParseMessageVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Name, BOC, Hash, Dst, Value, BodyPrefix string
		Kind                                    MessageKind
		Bounce                                  bool
	}
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			boc, _ := base64.StdEncoding.DecodeString(v.BOC)
			m, err := ParseMessage(boc)
			if err != nil {
				t.Fatal(err)
			}
			if v.Hash != "" && hexID(m.Hash) != v.Hash {
				t.Errorf("hash %x, want %s", m.Hash, v.Hash)
			}
			if m.Kind != v.Kind || m.Dst != v.Dst || m.Bounce != v.Bounce {
				t.Errorf("kind %v dst %s bounce %v", m.Kind, m.Dst, m.Bounce)
			}
			if v.Value != "" && m.Value.String() != v.Value {
				t.Errorf("value %v, want %s", m.Value, v.Value)
			}
			if v.BodyPrefix != "" {
				b := m.Body()
				got, err := b.LoadUInt(32)
				if err != nil || hex.EncodeToString([]byte{byte(got >> 24), byte(got >> 16), byte(got >> 8), byte(got)}) != v.BodyPrefix {
					t.Errorf("body starts %08x, %v", got, err)
				}
			}
		})
	}
}

func TestParseMessageBad(t *testing.T) {
	good, _, err := extMessage(testAddr(1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	short := cell.BeginCell().StoreUInt(0b10, 2).StoreUInt(0, 2)
	shortCell, _ := short.EndCell()
	intSrc := cell.BeginCell().StoreUInt(0b10, 2).StoreAddress(cell.MustParseAddress(testAddr(2)))
	intSrcCell, _ := intSrc.EndCell()
	for name, boc := range map[string][]byte{
		"empty":            nil,
		"garbage":          []byte("not a boc"),
		"truncated":        good[:len(good)-3],
		"short header":     shortCell.ToBOC(),
		"internal src ext": intSrcCell.ToBOC(),
	} {
		if _, err := ParseMessage(boc); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: error %v, want ErrBadMessage", name, err)
		}
	}
}

func TestParseMessageRoundTrip(t *testing.T) {
	code, _ := cell.BeginCell().StoreUInt(0xC0DE, 16).EndCell()
	data, _ := cell.BeginCell().StoreUInt(42, 64).EndCell()
	init := &abi.StateInit{Code: code, Data: data}
	h := must(init.Hash())
	dst := "0:" + hex.EncodeToString(h[:])
	body, _ := cell.BeginCell().StoreUInt(7, 8).EndCell()
	boc, hash, err := extMessage(dst, init, body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(boc)
	if err != nil {
		t.Fatal(err)
	}
	if m.Hash != hash || m.Kind != ExternalIn || m.Dst != dst || m.Init == nil ||
		must(m.Init.Hash()) != h || !m.Init.Code.Equal(code) || !m.Init.Data.Equal(data) {
		t.Errorf("round trip: %+v", m)
	}
	if err := m.CheckInit(); err != nil {
		t.Error(err)
	}
	if v, _ := m.Body().LoadUInt(8); v != 7 {
		t.Errorf("body %d", v)
	}
	wrong, _, _ := extMessage(testAddr(3), init, nil)
	mw, _ := ParseMessage(wrong)
	if mw.CheckInit() == nil {
		t.Error("StateInit accepted for another address")
	}
	in, err := BuildInternalMessage(testAddr(1), testAddr(2), bigInt(5), true, false, body)
	if err != nil {
		t.Fatal(err)
	}
	mi, err := ParseMessage(in)
	if err != nil || mi.Kind != Internal || mi.Src != testAddr(1) || mi.Dst != testAddr(2) || mi.Value.Int64() != 5 || !mi.Bounce {
		t.Errorf("internal: %+v %v", mi, err)
	}
}

func TestParseMessageShapes(t *testing.T) {
	src := cell.MustParseAddress(testAddr(1))
	code, _ := cell.BeginCell().StoreUInt(1, 8).EndCell()
	// StateInit with split_depth and tick-tock, inline in the message.
	initB := cell.BeginCell().StoreBool(true).StoreUInt(3, 5).StoreBool(true).StoreUInt(0b10, 2).StoreMaybeRef(code).StoreMaybeRef(nil).StoreBool(false)
	initCell, _ := initB.Copy().EndCell()
	h := initCell.Hash()
	dst := "0:" + hex.EncodeToString(h[:])
	ext, _ := cell.BeginCell().StoreUInt(0b10, 2).StoreUInt(0, 2).StoreAddress(cell.MustParseAddress(dst)).StoreCoinsUint64(0).
		StoreBool(true).StoreBool(false).StoreBuilder(initB).StoreBool(false).StoreUInt(0xAB, 8).EndCell()
	out, _ := cell.BeginCell().StoreUInt(0b11, 2).StoreAddress(src).StoreUInt(0, 2).StoreUInt(77, 64).StoreUInt(1700000000, 32).
		StoreBool(false).StoreBool(false).EndCell()
	tests := []struct {
		name  string
		c     *cell.Cell
		check func(*Message) bool
	}{
		{"inline StateInit with split depth and tick-tock", ext, func(m *Message) bool {
			b, _ := m.Body().LoadUInt(8)
			return m.Kind == ExternalIn && m.Init != nil && must(m.Init.Hash()) == h && m.Init.Data == nil && b == 0xAB && m.CheckInit() == nil
		}},
		{"external outbound", out, func(m *Message) bool {
			return m.Kind == ExternalOut && m.Src == testAddr(1) && m.Dst == "" && m.CreatedLt == 77 && m.CreatedAt == 1700000000
		}},
	}
	for _, tt := range tests {
		m, err := ParseMessage(tt.c.ToBOC())
		if err != nil || !tt.check(m) {
			t.Errorf("%s: %+v %v", tt.name, m, err)
		}
	}
	for k, want := range map[MessageKind]string{Internal: "internal", ExternalIn: "external inbound", ExternalOut: "external outbound", 9: "MessageKind(9)"} {
		if k.String() != want {
			t.Errorf("%d: %s", k, k)
		}
	}
}

func TestFormats(t *testing.T) {
	dec := map[string]any{"format": "DEC"}
	for _, tt := range []struct {
		args map[string]any
		n    *big.Int
		want any
	}{
		{nil, big.NewInt(255), "0xff"},
		{nil, big.NewInt(-255), "-0xff"},
		{nil, big.NewInt(0), "0x0"},
		{dec, big.NewInt(-255), "-255"},
		{nil, nil, nil},
	} {
		if got := formatBig(tt.args, tt.n); got != tt.want {
			t.Errorf("formatBig(%v, %v) = %v, want %v", tt.args, tt.n, got, tt.want)
		}
	}
	if err := checkAddressFormat(map[string]any{"format": "BASE64_URL_TEST_BOUNCE"}); err == nil {
		t.Error("user-friendly address format accepted")
	}
	for _, v := range []any{int(3), int32(3), int64(3), float64(3), json.Number("3"), "3"} {
		if n, ok := argInt(v); !ok || n != 3 {
			t.Errorf("argInt(%#v) = %d, %v", v, n, ok)
		}
	}
	if _, ok := argInt(3.5); ok {
		t.Error("argInt accepted 3.5")
	}
}
