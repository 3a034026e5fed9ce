package chainproof

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"sort"
)

// Anchor is a key block trusted by its root hash alone.
type Anchor struct {
	SeqNo    uint32
	RootHash [32]byte
}

// Network is a chain and the key blocks that anchor trust in it. Which
// network applies is the caller's choice: nothing an endpoint says selects
// one, so a proof made on a test network cannot pass for the main one.
type Network struct {
	Name string
	// ZerostateRootHash names the network; it is informational and is
	// never compared with anything an endpoint serves.
	ZerostateRootHash string
	anchors           []Anchor
}

var (
	//go:embed anchors/mainnet.bin
	mainnetAnchors []byte
	//go:embed anchors/devnet.bin
	devnetAnchors []byte
)

// MainNet is the Everscale main network.
func MainNet() *Network {
	return mustNetwork("mainnet", "58ffca1a178daff705de54216e5433c9bd2e7d850070d334d38997847ab9e845", mainnetAnchors)
}

// DevNet is the Everscale development network.
func DevNet() *Network {
	return mustNetwork("devnet", "cd81dae0c23d78e7c3eb5903f2a7bd98889991d36a26812a9163ca0f29c47093", devnetAnchors)
}

func mustNetwork(name, zs string, raw []byte) *Network {
	a, err := DecodeAnchors(raw)
	if err != nil {
		panic(fmt.Sprintf("chainproof: embedded %s anchors: %v", name, err))
	}
	return &Network{Name: name, ZerostateRootHash: zs, anchors: a}
}

// NewNetwork makes a network from the caller's own anchors, for a private
// chain or a pinned key block. They are sorted by seq_no; two anchors with
// one seq_no are refused.
func NewNetwork(name string, anchors []Anchor) (*Network, error) {
	a := append([]Anchor(nil), anchors...)
	sort.Slice(a, func(i, j int) bool { return a[i].SeqNo < a[j].SeqNo })
	for i := 1; i < len(a); i++ {
		if a[i].SeqNo == a[i-1].SeqNo {
			return nil, fmt.Errorf("network %s: two anchors at seq_no %d: %w", name, a[i].SeqNo, ErrInvalid)
		}
	}
	return &Network{Name: name, anchors: a}, nil
}

// DecodeAnchors reads the compact anchor form: 36 bytes per key block,
// seq_no (big-endian) then root hash, in increasing seq_no order.
func DecodeAnchors(raw []byte) ([]Anchor, error) {
	if len(raw)%36 != 0 {
		return nil, fmt.Errorf("anchors: %d bytes is not a multiple of 36: %w", len(raw), ErrInvalid)
	}
	out := make([]Anchor, len(raw)/36)
	for i := range out {
		rec := raw[36*i:]
		out[i].SeqNo = binary.BigEndian.Uint32(rec)
		copy(out[i].RootHash[:], rec[4:36])
		if i > 0 && out[i].SeqNo <= out[i-1].SeqNo {
			return nil, fmt.Errorf("anchors: seq_no %d after %d: %w", out[i].SeqNo, out[i-1].SeqNo, ErrInvalid)
		}
	}
	return out, nil
}

// Anchors returns the network's anchors in increasing seq_no order.
func (n *Network) Anchors() []Anchor { return append([]Anchor(nil), n.anchors...) }

// anchor returns the anchor at seq_no, if there is one.
func (n *Network) anchor(seqNo uint32) (Anchor, bool) {
	i := sort.Search(len(n.anchors), func(i int) bool { return n.anchors[i].SeqNo >= seqNo })
	if i < len(n.anchors) && n.anchors[i].SeqNo == seqNo {
		return n.anchors[i], true
	}
	return Anchor{}, false
}

// AnchorBefore returns the latest anchor at or before seq_no: where a walk
// of key blocks towards a block of that seq_no starts.
func (n *Network) AnchorBefore(seqNo uint32) (Anchor, bool) {
	i := sort.Search(len(n.anchors), func(i int) bool { return n.anchors[i].SeqNo > seqNo })
	if i == 0 {
		return Anchor{}, false
	}
	return n.anchors[i-1], true
}
