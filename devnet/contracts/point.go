package contracts

import (
	"crypto/ed25519"
	"math/big"
)

// exitBadPublicKey is what CHKSIGNU ends with when the public key is not a
// point of the curve: Everscale's virtual machine raises a fatal error
// unless the network's config has the capability that makes it push false
// (the main network config the tests use does not).
const exitBadPublicKey = 12

var (
	curveP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// curveD is -121665/121666 mod p.
	curveD = func() *big.Int {
		d := new(big.Int).ModInverse(big.NewInt(121666), curveP)
		d.Mul(d, big.NewInt(-121665))
		return d.Mod(d, curveP)
	}()
	halfP = new(big.Int).Rsh(new(big.Int).Sub(curveP, big.NewInt(1)), 1)
)

// onCurve reports whether a 32-byte Ed25519 public key decompresses to a
// point: with y its low 255 bits (little-endian), (y²-1)/(d·y²+1) must
// be a square modulo p. The sign bit is not checked, as the verifier of
// the executor does not.
func onCurve(pub []byte) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	le := make([]byte, 32)
	for i := range le {
		le[i] = pub[31-i]
	}
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le)
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, curveP)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	u.Mod(u, curveP)
	v := new(big.Int).Mul(curveD, y2)
	v.Add(v, big.NewInt(1))
	v.Mod(v, curveP)
	if v.Sign() == 0 {
		return false
	}
	x2 := new(big.Int).ModInverse(v, curveP)
	x2.Mul(x2, u)
	x2.Mod(x2, curveP)
	if x2.Sign() == 0 {
		return true
	}
	return new(big.Int).Exp(x2, halfP, curveP).Cmp(big.NewInt(1)) == 0
}
