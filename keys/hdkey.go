package keys

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// DefaultPath is the derivation path ever-sdk and ever-cli use for keys made
// from a seed phrase.
const DefaultPath = "m/44'/396'/0'/0/0"

const hardenedOffset = 0x80000000

// hdKey is a BIP-32 extended private key on secp256k1. ever-sdk derives
// Everscale keys this way and then reuses the 32-byte secp256k1 scalar as an
// Ed25519 seed, so plain BIP-32 (not SLIP-0010) is what gives the same keys.
type hdKey struct {
	key   [32]byte
	chain [32]byte
	depth uint8
	index uint32
}

var errInvalidChild = errors.New("derived key is out of range (IL ≥ n or key = 0)")

// hdMaster computes the master key from a BIP-39 seed.
func hdMaster(seed []byte) (hdKey, error) {
	mac := hmac.New(sha512.New, []byte("Bitcoin seed"))
	mac.Write(seed)
	sum := mac.Sum(nil)
	var k hdKey
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(sum[:32]); overflow || s.IsZero() {
		return hdKey{}, fmt.Errorf("BIP-32 master key: %w", errInvalidChild)
	}
	copy(k.key[:], sum[:32])
	copy(k.chain[:], sum[32:])
	return k, nil
}

// child derives the child at index (hardened when index ≥ 2³¹).
func (k hdKey) child(index uint32) (hdKey, error) {
	data := make([]byte, 0, 37)
	if index >= hardenedOffset {
		data = append(data, 0)
		data = append(data, k.key[:]...)
	} else {
		data = append(data, secp256k1.PrivKeyFromBytes(k.key[:]).PubKey().SerializeCompressed()...)
	}
	data = binary.BigEndian.AppendUint32(data, index)

	mac := hmac.New(sha512.New, k.chain[:])
	mac.Write(data)
	sum := mac.Sum(nil)

	var il, parent secp256k1.ModNScalar
	if overflow := il.SetByteSlice(sum[:32]); overflow {
		return hdKey{}, errInvalidChild
	}
	parent.SetByteSlice(k.key[:])
	il.Add(&parent)
	if il.IsZero() {
		return hdKey{}, errInvalidChild
	}
	c := hdKey{depth: k.depth + 1, index: index}
	c.key = il.Bytes()
	copy(c.chain[:], sum[32:])
	return c, nil
}

// derive follows a path such as m/44'/396'/0'/0/0 from k (which must be the
// master key). Hardened steps are marked with ', h or H.
func (k hdKey) derive(path string) (hdKey, error) {
	indexes, err := parsePath(path)
	if err != nil {
		return hdKey{}, err
	}
	for depth, i := range indexes {
		k, err = k.child(i)
		if err != nil {
			return hdKey{}, fmt.Errorf("BIP-32 derivation step %d of %q: %w", depth+1, path, err)
		}
	}
	return k, nil
}

// parsePath turns a BIP-32 path into child indexes.
func parsePath(path string) ([]uint32, error) {
	parts := strings.Split(strings.TrimSpace(path), "/")
	if len(parts) == 0 || parts[0] != "m" {
		return nil, fmt.Errorf("derivation path %q: must start with m/", path)
	}
	var out []uint32
	for _, p := range parts[1:] {
		hardened := false
		if s, ok := strings.CutSuffix(p, "'"); ok {
			p, hardened = s, true
		} else if s, ok := strings.CutSuffix(p, "h"); ok {
			p, hardened = s, true
		} else if s, ok := strings.CutSuffix(p, "H"); ok {
			p, hardened = s, true
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n >= hardenedOffset {
			return nil, fmt.Errorf("derivation path %q: step %q is not a number below 2^31 (optionally followed by ')", path, p)
		}
		if hardened {
			n += hardenedOffset
		}
		out = append(out, uint32(n))
	}
	return out, nil
}
