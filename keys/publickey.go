package keys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// PublicKey is a 32-byte Ed25519 public key, the `public` of an Everscale
// key pair and the WALLET_PUBLIC of an image.
type PublicKey [ed25519.PublicKeySize]byte

// pkixEd25519Prefix is the DER of a SubjectPublicKeyInfo for Ed25519 (RFC 8410)
// up to the key bytes; the whole DER is this prefix followed by the 32 bytes.
var pkixEd25519Prefix = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}

// ParsePublicKey reads a public key written as 64 hex characters (with or
// without 0x) or as a PKIX PEM "PUBLIC KEY" block such as cosign's pub.pem.
func ParsePublicKey(s string) (PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		return ParsePublicKeyPEM([]byte(s))
	}
	h := hexstr.TrimPrefix(s)
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("%w: public key must be 64 hex characters, got %s", ErrInvalidKey, hexstr.Describe(h))
	}
	var p PublicKey
	copy(p[:], b)
	return p, nil
}

// ParsePublicKeyPEM reads an Ed25519 public key from a PKIX PEM block.
func ParsePublicKeyPEM(data []byte) (PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return PublicKey{}, fmt.Errorf("%w: no PEM block found", ErrInvalidKey)
	}
	if block.Type != "PUBLIC KEY" {
		return PublicKey{}, fmt.Errorf("%w: PEM block is %q, expected \"PUBLIC KEY\"", ErrInvalidKey, block.Type)
	}
	der := block.Bytes
	if len(der) != len(pkixEd25519Prefix)+ed25519.PublicKeySize || !bytes.HasPrefix(der, pkixEd25519Prefix) {
		return PublicKey{}, fmt.Errorf("%w: PEM public key is not an Ed25519 key", ErrInvalidKey)
	}
	var p PublicKey
	copy(p[:], der[len(pkixEd25519Prefix):])
	return p, nil
}

// String is the key as 64 lowercase hex characters.
func (p PublicKey) String() string { return hex.EncodeToString(p[:]) }

// IsZero reports whether p is all zeros (no key).
func (p PublicKey) IsZero() bool { return p == PublicKey{} }

// Ed25519 returns p in the form crypto/ed25519 uses.
func (p PublicKey) Ed25519() ed25519.PublicKey { return append(ed25519.PublicKey(nil), p[:]...) }

// Verify reports whether sig is a valid pure Ed25519 signature of msg by p.
func (p PublicKey) Verify(msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(p[:], msg, sig)
}

// PKIX returns the DER SubjectPublicKeyInfo of p.
func (p PublicKey) PKIX() []byte { return append(append([]byte{}, pkixEd25519Prefix...), p[:]...) }

// PEM returns p as a PKIX "PUBLIC KEY" PEM block, the form `cosign verify
// --key` reads.
func (p PublicKey) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p.PKIX()})
}

// TONSafe returns p in the "TON-safe" text form of ever-sdk: base64url of
// 0x3E 0xE6, the key, and its CRC16-XMODEM (big-endian), 48 characters.
func (p PublicKey) TONSafe() string {
	b := make([]byte, 0, 36)
	b = append(b, 0x3e, 0xe6)
	b = append(b, p[:]...)
	crc := crc16XModem(b)
	b = append(b, byte(crc>>8), byte(crc))
	return base64.URLEncoding.EncodeToString(b)
}

// crc16XModem is CRC-16 with polynomial 0x1021, initial value 0, no
// reflection.
func crc16XModem(data []byte) uint16 {
	var crc uint16
	for _, b := range data {
		crc ^= uint16(b) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// MarshalText writes the key as hex, so PublicKey works as a JSON string.
func (p PublicKey) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads 64 hex characters.
func (p *PublicKey) UnmarshalText(b []byte) error {
	k, err := ParsePublicKey(string(b))
	if err != nil {
		return err
	}
	*p = k
	return nil
}
