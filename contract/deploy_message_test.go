package contract

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

func TestReadDeployMessage(t *testing.T) {
	key, other := testKey(700), testKey(701)
	p, err := NewProof(pubOf(key), "sha256:aa")
	if err != nil {
		t.Fatal(err)
	}
	q, err := NewProof(pubOf(key), "sha256:bb")
	if err != nil {
		t.Fatal(err)
	}
	signed := time.UnixMilli(1_700_000_000_123)
	const expire = 1_700_000_600
	good, err := p.DeployMessage(key, signed, expire)
	if err != nil {
		t.Fatal(err)
	}
	call, err := p.ReadDeployMessage(good)
	if err != nil {
		t.Fatal(err)
	}
	if !call.SignedAt.Equal(signed) || call.ExpireAt.Unix() != expire {
		t.Fatalf("read %+v, want signed %s and expire %d", call, signed, expire)
	}

	// p's message with its body signed again by another key: every field
	// but the signature is the signer's.
	forged := func() *cell.Cell {
		m, err := abi.ParseMessage(good)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Body.BeginParse()
		if _, err := s.LoadBool(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadBytes(64); err != nil {
			t.Fatal(err)
		}
		unsigned, err := s.Copy().ToCell()
		if err != nil {
			t.Fatal(err)
		}
		call, err := proofABI().DecodeExternalCall(m.Body)
		if err != nil {
			t.Fatal(err)
		}
		call.Unsigned = unsigned
		hash, err := call.SignedHash(p.Address())
		if err != nil {
			t.Fatal(err)
		}
		if m.Body, err = cell.BeginCell().StoreBool(true).StoreBytes(ed25519.Sign(other, hash[:])).StoreSlice(s).EndCell(); err != nil {
			t.Fatal(err)
		}
		root, err := m.Cell()
		if err != nil {
			t.Fatal(err)
		}
		return root
	}()
	otherProof, err := q.DeployMessage(key, signed, expire)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := abi.ParseMessage(good)
	if err != nil {
		t.Fatal(err)
	}
	msg.Init = nil
	noInit, err := msg.Cell()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		root *cell.Cell
		want string
	}{
		{"signed by another key", forged, "not signed by the proof's key"},
		{"another proof's", otherProof, "not an external message to"},
		{"without initial state", noInit, "no initial state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.ReadDeployMessage(tc.root)
			if !errors.Is(err, ErrNotDeployMessage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrNotDeployMessage saying %q", err, tc.want)
			}
		})
	}
}
