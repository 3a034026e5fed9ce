package keys

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// TestNonHardenedChildMatchesPublicDerivation checks, for random phrases,
// that a non-hardened child derived from the private key has the public key
// that BIP-32's public derivation (CKDpub: IL·G + Kpar) gives from the
// parent's public key and chain code alone: the two paths share no code
// beyond the curve, so an error in either shows up.
func TestNonHardenedChildMatchesPublicDerivation(t *testing.T) {
	r := rand.NewChaCha8([32]byte{7})
	for i := 0; i < 25; i++ {
		phrase, err := NewPhrase(r, DefaultPhraseWords+3*(i%5))
		if err != nil {
			t.Fatal(err)
		}
		seed, err := phraseSeed(strings.Fields(phrase))
		if err != nil {
			t.Fatal(err)
		}
		m, err := hdMaster(seed)
		if err != nil {
			t.Fatal(err)
		}
		parent, err := m.derive("m/44'/396'/0'/0")
		if err != nil {
			t.Fatal(err)
		}
		index := uint32(i)
		child, err := parent.child(index)
		if err != nil {
			t.Fatal(err)
		}
		if child.depth != parent.depth+1 || child.index != index {
			t.Fatalf("child depth/index %d/%d", child.depth, child.index)
		}

		parentPub := secp256k1.PrivKeyFromBytes(parent.key[:]).PubKey()
		data := binary.BigEndian.AppendUint32(parentPub.SerializeCompressed(), index)
		mac := hmac.New(sha512.New, parent.chain[:])
		mac.Write(data)
		sum := mac.Sum(nil)
		var il secp256k1.ModNScalar
		il.SetByteSlice(sum[:32])
		var ilG, kpar, childPoint secp256k1.JacobianPoint
		secp256k1.ScalarBaseMultNonConst(&il, &ilG)
		parentPub.AsJacobian(&kpar)
		secp256k1.AddNonConst(&ilG, &kpar, &childPoint)
		childPoint.ToAffine()
		fromPublic := secp256k1.NewPublicKey(&childPoint.X, &childPoint.Y).SerializeCompressed()
		fromPrivate := secp256k1.PrivKeyFromBytes(child.key[:]).PubKey().SerializeCompressed()
		if !bytes.Equal(fromPublic, fromPrivate) {
			t.Fatalf("phrase %d, child %d: public derivation %x, private derivation %x", i, index, fromPublic, fromPrivate)
		}
		if !bytes.Equal(sum[32:], child.chain[:]) {
			t.Fatalf("phrase %d: chain codes differ", i)
		}

		// And the key of the phrase is the default-path child as an Ed25519 seed.
		if index == 0 {
			k, err := KeyFromPhrase(phrase)
			if err != nil {
				t.Fatal(err)
			}
			if k.SecretHex() != hex.EncodeToString(child.key[:]) {
				t.Fatalf("phrase %d: key is not the m/44'/396'/0'/0/0 scalar", i)
			}
		}
	}
}
