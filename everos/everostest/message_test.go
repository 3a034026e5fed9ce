package everostest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

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
	good, _, err := BuildExternalMessage(testAddr(1), nil, nil)
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

func TestBuildMessagesRoundTrip(t *testing.T) {
	code, _ := cell.BeginCell().StoreUInt(0xC0DE, 16).EndCell()
	data, _ := cell.BeginCell().StoreUInt(42, 64).EndCell()
	init, err := BuildStateInit(code, data)
	if err != nil {
		t.Fatal(err)
	}
	h := init.Hash()
	dst := "0:" + hex.EncodeToString(h[:])
	body, _ := cell.BeginCell().StoreUInt(7, 8).EndCell()
	boc, hash, err := BuildExternalMessage(dst, init, body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(boc)
	if err != nil {
		t.Fatal(err)
	}
	if m.Hash != hash || m.Kind != ExternalIn || m.Dst != dst || m.Init == nil ||
		m.Init.Cell.Hash() != h || !m.Init.Code.Equal(code) || !m.Init.Data.Equal(data) {
		t.Errorf("round trip: %+v", m)
	}
	if err := checkInit(m); err != nil {
		t.Error(err)
	}
	if v, _ := m.Body().LoadUInt(8); v != 7 {
		t.Errorf("body %d", v)
	}
	wrong, _, _ := BuildExternalMessage(testAddr(3), init, nil)
	mw, _ := ParseMessage(wrong)
	if checkInit(mw) == nil {
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
