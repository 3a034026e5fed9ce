package chainproof

import (
	"errors"
	"testing"
)

func TestEmbeddedAnchors(t *testing.T) {
	tests := []struct {
		net        *Network
		count      int
		first, end uint32
	}{
		{MainNet(), 4402, 20922, 43633441},
		{DevNet(), 16384, 2835, 31174417},
	}
	for _, tc := range tests {
		a := tc.net.Anchors()
		if len(a) != tc.count || a[0].SeqNo != tc.first || a[len(a)-1].SeqNo != tc.end {
			t.Errorf("%s: %d anchors %d..%d", tc.net.Name, len(a), a[0].SeqNo, a[len(a)-1].SeqNo)
		}
		mid := a[len(a)/2]
		if got, ok := tc.net.AnchorBefore(mid.SeqNo + 1); !ok || got != mid {
			t.Errorf("%s: anchor before %d is %v", tc.net.Name, mid.SeqNo+1, got)
		}
		if _, ok := tc.net.AnchorBefore(tc.first - 1); ok {
			t.Errorf("%s: an anchor before the first", tc.net.Name)
		}
	}
	if _, err := DecodeAnchors(make([]byte, 35)); !errors.Is(err, ErrInvalid) {
		t.Errorf("35 bytes of anchors: %v", err)
	}
	if _, err := DecodeAnchors(make([]byte, 72)); !errors.Is(err, ErrInvalid) {
		t.Errorf("two anchors at seq_no 0: %v", err)
	}
}

// TestUntrusted checks that only the caller's network anchors trust: the
// fixtures, made on another network, verify nowhere else, and a block whose
// key block was not added is refused.
func TestUntrusted(t *testing.T) {
	fs := fixtureSets[0]
	for _, net := range []*Network{MainNet(), DevNet()} {
		v := NewVerifier(net)
		if _, err := v.AddKeyBlock(fs.keyProof(t)); !errors.Is(err, ErrUntrusted) {
			t.Errorf("%s: key block from another network: %v", net.Name, err)
		}
		if _, _, err := v.VerifyBlock(fs.proof(t, fs.from)); !errors.Is(err, ErrUntrusted) {
			t.Errorf("%s: block from another network: %v", net.Name, err)
		}
	}
	// An anchor at the key block's seq_no with another hash refuses it.
	bad := fs.network(t).Anchors()
	bad[0].RootHash[0] ^= 1
	net, _ := NewNetwork("wrong", bad)
	if _, err := NewVerifier(net).AddKeyBlock(fs.keyProof(t)); !errors.Is(err, ErrUntrusted) {
		t.Errorf("key block against a different anchor hash: %v", err)
	}
	// A verifier trusting the first set's key block does not trust the
	// second set's blocks.
	v := NewVerifier(fs.network(t))
	if _, err := v.AddKeyBlock(fs.keyProof(t)); err != nil {
		t.Fatal(err)
	}
	other := fixtureSets[1]
	if _, _, err := v.VerifyBlock(other.proof(t, other.from)); !errors.Is(err, ErrUntrusted) {
		t.Errorf("block of an unreached key block: %v", err)
	}
	if _, err := v.AddKeyBlock(other.keyProof(t)); !errors.Is(err, ErrUntrusted) {
		t.Errorf("key block not reachable from the anchor: %v", err)
	}
	// A non-key block is not a key block, however it is anchored.
	if _, err := v.AddKeyBlock(fs.proof(t, fs.from)); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrPruned) {
		t.Errorf("non-key block as a key block: %v", err)
	}
	if _, err := NewNetwork("dup", []Anchor{{SeqNo: 1}, {SeqNo: 1}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate anchors: %v", err)
	}
}
