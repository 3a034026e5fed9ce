package trustless

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gosh-sh/sign-cli/chainproof"
)

// ErrBadAnchor: a trust anchor value that is none of the forms
// ParseTrustAnchor reads.
var ErrBadAnchor = errors.New("bad trust anchor")

// maxAnchorFile bounds a file of anchors: room for every key block of the
// main network for decades.
const maxAnchorFile = 16 << 20

// ParseTrustAnchor reads the network whose key blocks a check trusts:
// "mainnet" or "devnet" (Everscale's main and development networks, with
// the anchors embedded in the binary), "SEQNO:ROOT_HASH_HEX" (one key
// block, such as the local emulator exports), or the path of a file of
// such lines (blank lines and # comments skipped). It is the user's choice:
// nothing an endpoint says selects or changes it.
func ParseTrustAnchor(value string) (*chainproof.Network, error) {
	switch value {
	case "mainnet":
		return chainproof.MainNet(), nil
	case "devnet":
		return chainproof.DevNet(), nil
	case "":
		return nil, fmt.Errorf("%w: empty; expected mainnet, devnet, SEQNO:ROOT_HASH_HEX or a file of those", ErrBadAnchor)
	}
	if a, err := parseAnchor(value); err == nil {
		return chainproof.NewNetwork("pinned", []chainproof.Anchor{a})
	} else if looksLikeAnchor(value) {
		return nil, err
	}
	return anchorFile(value)
}

// looksLikeAnchor tells a mistyped anchor from a file name, so that the
// error is about the anchor.
func looksLikeAnchor(s string) bool {
	seq, _, ok := strings.Cut(s, ":")
	_, err := strconv.ParseUint(seq, 10, 64)
	return ok && err == nil
}

func parseAnchor(s string) (chainproof.Anchor, error) {
	var a chainproof.Anchor
	seq, h, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseUint(seq, 10, 32)
	if !ok || err != nil {
		return a, fmt.Errorf("%w: %.80q: expected SEQNO:ROOT_HASH_HEX with a 32-bit seq_no", ErrBadAnchor, s)
	}
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 32 {
		return a, fmt.Errorf("%w: %.80q: expected a root hash of 64 hex digits after the seq_no", ErrBadAnchor, s)
	}
	a.SeqNo = uint32(n)
	copy(a.RootHash[:], b)
	return a, nil
}

func anchorFile(path string) (*chainproof.Network, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %.80q is not mainnet, devnet, SEQNO:ROOT_HASH_HEX or a readable file: %w", ErrBadAnchor, path, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxAnchorFile {
		return nil, fmt.Errorf("%w: %s: expected a regular file of at most %d bytes", ErrBadAnchor, path, maxAnchorFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAnchor, err)
	}
	var anchors []chainproof.Anchor
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		a, err := parseAnchor(s)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		anchors = append(anchors, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadAnchor, path, err)
	}
	if len(anchors) == 0 {
		return nil, fmt.Errorf("%w: %s holds no SEQNO:ROOT_HASH_HEX line", ErrBadAnchor, path)
	}
	net, err := chainproof.NewNetwork(path, anchors)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAnchor, err)
	}
	return net, nil
}

// networkKey names a network's anchors, for the cache: networks with the
// same anchors share verified key blocks, others never do.
func networkKey(net *chainproof.Network) string {
	h := sha256.New()
	for _, a := range net.Anchors() {
		h.Write(binary.BigEndian.AppendUint32(nil, a.SeqNo))
		h.Write(a.RootHash[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// anchorText is how verdicts name an anchor.
func anchorText(net *chainproof.Network, a chainproof.Anchor) string {
	return fmt.Sprintf("%s %d:%x", net.Name, a.SeqNo, a.RootHash)
}
