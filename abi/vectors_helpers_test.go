package abi

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

func mustABI(t testing.TB, path string) *ABI {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse(raw)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return a
}

func mustParseABI(t testing.TB, js string) *ABI {
	t.Helper()
	a, err := Parse([]byte(js))
	if err != nil {
		t.Fatalf("parsing ABI: %v", err)
	}
	return a
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustFn(t testing.TB, a *ABI, name string) *Function {
	t.Helper()
	f, err := a.Function(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// bits builds a cell from a sequence of (value, width) pairs and refs.
type bitSeq struct {
	b *cell.Builder
}

func seq() *bitSeq { return &bitSeq{b: cell.BeginCell()} }

func (s *bitSeq) u(v uint64, n int) *bitSeq { s.b.StoreUInt(v, n); return s }
func (s *bitSeq) raw(p []byte) *bitSeq      { s.b.StoreBytes(p); return s }
func (s *bitSeq) ref(c *cell.Cell) *bitSeq  { s.b.StoreRef(c); return s }
func (s *bitSeq) cell(t testing.TB) *cell.Cell {
	t.Helper()
	c, err := s.b.EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// messageBody extracts the body of an external inbound message: after
// ext_in_msg_info (275 bits for src none and a std dst) and an optional
// StateInit, inline or in a reference.
func messageBody(t testing.TB, boc string) (body *cell.Cell, dst *cell.Address) {
	t.Helper()
	msg, err := cell.FromBase64(boc)
	if err != nil {
		t.Fatal(err)
	}
	s := msg.BeginParse()
	if tag, _ := s.LoadUInt(2); tag != 0b10 {
		t.Fatalf("not an external inbound message")
	}
	if _, err := s.LoadAddress(); err != nil {
		t.Fatal(err)
	}
	if dst, err = s.LoadAddress(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadCoins(); err != nil {
		t.Fatal(err)
	}
	if hasInit, _ := s.LoadBool(); hasInit {
		if inRef, _ := s.LoadBool(); inRef {
			_, _ = s.LoadRef()
		} else {
			if d, _ := s.LoadBool(); d {
				_ = s.Skip(5)
			}
			if sp, _ := s.LoadBool(); sp {
				_ = s.Skip(2)
			}
			for i := 0; i < 3; i++ { // code, data, library
				if _, err := s.LoadMaybeRef(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if inRef, _ := s.LoadBool(); inRef {
		c, err := s.LoadRef()
		if err != nil {
			t.Fatal(err)
		}
		return c, dst
	}
	c, err := s.ToCell()
	if err != nil {
		t.Fatal(err)
	}
	return c, dst
}

func assertCell(t testing.TB, what string, got, want *cell.Cell) {
	t.Helper()
	if got.Hash() != want.Hash() {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}
