package abi

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// TestTVCVectors are ever-sdk's get_code_from_tvc cases (§8.9): a
// new-format TVC and a classic one, each resolved to its code.
func TestTVCVectors(t *testing.T) {
	v := loadSDKMessageVectors(t).TVC

	// New format: tag, code, description.
	tvcBOC, _ := base64.StdEncoding.DecodeString(v["new_tvc"])
	root, err := cell.FromBOC(tvcBOC)
	if err != nil {
		t.Fatal(err)
	}
	tvc, err := ParseTVC(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := tvc.Code.ToBase64(); got != v["new_code"] {
		t.Errorf("code %s, want %s", got, v["new_code"])
	}
	if !tvc.HasDescription || tvc.Description != v["new_description"] {
		t.Errorf("description %q (present %t), want %q", tvc.Description, tvc.HasDescription, v["new_description"])
	}
	again, err := (&TVC{Code: tvc.Code, Description: "Some Smart Contract", HasDescription: true}).ToBOC()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, tvcBOC) {
		t.Errorf("TVC re-encodes to %s, want %s", base64.StdEncoding.EncodeToString(again), v["new_tvc"])
	}
	si, sic, err := StateInitFromTVC(tvcBOC)
	if err != nil {
		t.Fatal(err)
	}
	if si.Data != nil || si.Code.ToBase64() != v["new_code"] {
		t.Errorf("StateInit from new TVC: %+v", si)
	}
	if want, _ := (&StateInit{Code: tvc.Code}).Cell(); !sic.Equal(want) {
		t.Error("StateInit cell is not code-only")
	}

	// Classic: the file is the StateInit; it is Hello.tvc.
	classic, _ := base64.StdEncoding.DecodeString(v["classic_tvc"])
	if !bytes.Equal(classic, readTestdata(t, "Hello.tvc")) {
		t.Error("the classic TVC of get_code_from_tvc is not Hello.tvc")
	}
	si, sic, err = StateInitFromTVC(classic)
	if err != nil {
		t.Fatal(err)
	}
	if got := si.Code.ToBase64(); got != v["classic_code"] {
		t.Errorf("classic code %s…, want %s…", got[:40], v["classic_code"][:40])
	}
	if classicRoot, _ := cell.FromBOC(classic); !sic.Equal(classicRoot) {
		t.Error("classic StateInit cell is not the file's root")
	}
	if _, err := ParseTVC(sic); !errors.Is(err, ErrInvalidTVC) {
		t.Errorf("a StateInit parsed as a new-format TVC: %v", err)
	}
}

func TestTVCRoundTrip(t *testing.T) {
	code := cellOfBits(t, 77, 1, cellOfBits(t, 3, 0))
	tests := []struct {
		name string
		tvc  TVC
	}{
		{"code only", TVC{Code: code}},
		{"nothing", TVC{}},
		{"empty description", TVC{Code: code, HasDescription: true}},
		{"127 bytes", TVC{Code: code, HasDescription: true, Description: strings.Repeat("x", 127)}},
		{"128 bytes", TVC{Code: code, HasDescription: true, Description: strings.Repeat("y", 128)}},
		{"long UTF-8", TVC{Code: code, HasDescription: true, Description: strings.Repeat("контракт ", 100)}},
		{"description without code", TVC{HasDescription: true, Description: "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.tvc.Cell()
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseTVC(c)
			if err != nil {
				t.Fatal(err)
			}
			if got.HasDescription != tt.tvc.HasDescription || got.Description != tt.tvc.Description {
				t.Errorf("description %q/%t, want %q/%t", got.Description, got.HasDescription, tt.tvc.Description, tt.tvc.HasDescription)
			}
			if (got.Code == nil) != (tt.tvc.Code == nil) || (got.Code != nil && !got.Code.Equal(code)) {
				t.Error("code changed")
			}
			if tt.tvc.HasDescription {
				// Every chain cell but the last is full.
				d := c.Ref(c.RefsNum() - 1)
				for d.RefsNum() > 0 {
					if d.BitsSize() != 127*8 {
						t.Errorf("non-final chain cell of %d bits", d.BitsSize())
					}
					d = d.Ref(0)
				}
			}
			boc, _ := tt.tvc.ToBOC()
			_, _, err = StateInitFromTVC(boc)
			if (err != nil) != (tt.tvc.Code == nil) {
				t.Errorf("StateInitFromTVC error %v with code present %t", err, tt.tvc.Code != nil)
			}
		})
	}
}

func TestTVCErrors(t *testing.T) {
	desc := func(c *cell.Cell) *cell.Cell {
		r, _ := cell.BeginCell().StoreUInt(tvcTag, 32).StoreBool(false).StoreBool(true).StoreRef(c).EndCell()
		return r
	}
	tests := []struct {
		name string
		c    *cell.Cell
	}{
		{"nil", nil},
		{"short", cellOfBits(t, 20, 0)},
		{"other tag", cellOfBits(t, 40, 0)},
		{"code flag without ref", func() *cell.Cell {
			c, _ := cell.BeginCell().StoreUInt(tvcTag, 32).StoreBool(true).EndCell()
			return c
		}()},
		{"description not whole bytes", desc(cellOfBits(t, 12, 0))},
		{"description not UTF-8", desc(func() *cell.Cell { c, _ := cell.BeginCell().StoreBytes([]byte{0xff, 0xfe}).EndCell(); return c }())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseTVC(tt.c); !errors.Is(err, ErrInvalidTVC) {
				t.Errorf("error %v, want ErrInvalidTVC", err)
			}
		})
	}
	// A BOC that is neither format.
	if _, _, err := StateInitFromTVC(cellOfBits(t, 40, 0).ToBOC()); !errors.Is(err, ErrInvalidTVC) {
		t.Errorf("garbage TVC: %v", err)
	}
	if _, _, err := StateInitFromTVC([]byte("not a boc")); err == nil {
		t.Error("non-BOC accepted")
	}
}

func TestStateInitRoundTrip(t *testing.T) {
	code, data, lib := cellOfBits(t, 10, 0), cellOfBits(t, 11, 1), cellOfBits(t, 12, 2)
	tests := []struct {
		name string
		si   StateInit
		bits int
	}{
		{"empty", StateInit{}, 5},
		{"code and data", StateInit{Code: code, Data: data}, 5},
		{"data only", StateInit{Data: data}, 5},
		{"split depth", StateInit{HasSplitDepth: true, SplitDepth: 17, Code: code}, 10},
		{"tick", StateInit{Special: &TickTock{Tick: true}, Code: code}, 7},
		{"tock", StateInit{Special: &TickTock{Tock: true}, Code: code}, 7},
		{"everything", StateInit{HasSplitDepth: true, SplitDepth: 31, Special: &TickTock{true, true}, Code: code, Data: data, Library: lib}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.si.Cell()
			if err != nil {
				t.Fatal(err)
			}
			if c.BitsSize() != tt.bits {
				t.Errorf("%d bits, want %d", c.BitsSize(), tt.bits)
			}
			got, err := ParseStateInit(c)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := got.Cell()
			if !again.Equal(c) {
				t.Error("round trip changed the cell")
			}
			if got.HasSplitDepth != tt.si.HasSplitDepth || got.SplitDepth != tt.si.SplitDepth ||
				(got.Special == nil) != (tt.si.Special == nil) || (got.Special != nil && *got.Special != *tt.si.Special) {
				t.Errorf("fields changed: %+v", got)
			}
			addr, err := tt.si.Address(-1)
			if err != nil {
				t.Fatal(err)
			}
			if h := c.Hash(); addr.Workchain != -1 || !bytes.Equal(addr.Data, h[:]) {
				t.Errorf("address %s", addr)
			}
		})
	}
}

func TestStateInitErrors(t *testing.T) {
	trailing, _ := cell.BeginCell().StoreUInt(0b00000, 5).StoreBool(true).EndCell()
	extraRef, _ := cell.BeginCell().StoreUInt(0b00000, 5).StoreRef(cell.EmptyCell).EndCell()
	tests := []struct {
		name string
		c    *cell.Cell
	}{
		{"nil", nil},
		{"empty", cell.EmptyCell},
		{"truncated split depth", cellOfBits(t, 3, 0)}, // bit 1 then too little
		{"missing code ref", func() *cell.Cell { c, _ := cell.BeginCell().StoreUInt(0b00100, 5).EndCell(); return c }()},
		{"trailing bit", trailing},
		{"unused ref", extraRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseStateInit(tt.c); !errors.Is(err, ErrInvalidStateInit) {
				t.Errorf("error %v, want ErrInvalidStateInit", err)
			}
		})
	}
	if _, err := (&StateInit{HasSplitDepth: true, SplitDepth: 40}).Cell(); err == nil {
		t.Error("split depth 40 accepted")
	}
}
