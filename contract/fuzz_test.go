package contract

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// fuzzSeeds are BOCs of the shapes the decoders meet: proof data, and
// accounts that are none, uninit, frozen and active.
func fuzzSeeds(tb testing.TB) [][]byte {
	p, err := NewProof(pubOf(testKey(1)), "sha256:"+strings.Repeat("ab", 32))
	if err != nil {
		tb.Fatal(err)
	}
	addr := p.Address()
	account := func(state *cell.Builder) []byte {
		b := cell.BeginCell().StoreBool(true).StoreAddress(addr)
		for range 3 {
			b.StoreVarUInt(big.NewInt(3), 3)
		}
		b.StoreUInt(chainTime, 32).StoreBool(false).StoreUInt(1, 64).StoreCoinsUint64(DefaultTopUp).StoreBool(false)
		b.StoreBuilder(state)
		return mustCell(b).ToBOC()
	}
	return [][]byte{
		p.InitialData().ToBOC(),
		mustCell(cell.BeginCell().StoreBool(false)).ToBOC(),
		account(cell.BeginCell().StoreUInt(0, 2)),
		account(cell.BeginCell().StoreUInt(1, 2).StoreZeros(256)),
		account(cell.BeginCell().StoreBool(true).StoreSlice(p.StateInit().BeginParse())),
	}
}

// FuzzDecode feeds untrusted bytes (what a GraphQL server returns) to the
// account and data decoders: they may refuse, never panic, and what they
// accept is consistent.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if acc, err := DecodeAccount(b); err == nil {
			if acc.Balance == nil {
				t.Fatal("decoded account without a balance")
			}
			if acc.Status == account.Active {
				_, _ = acc.ProofState()
			}
		}
		if st, err := DecodeProofData(b); err == nil {
			if len(st.PublicKey) != 32 {
				t.Fatalf("public key of %d bytes", len(st.PublicKey))
			}
		}
	})
}

func BenchmarkNewProof(b *testing.B) {
	pub := pubOf(testKey(1))
	content := "sha256:" + strings.Repeat("ab", 32)
	for b.Loop() {
		if _, err := NewProof(pub, content); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeployMessage(b *testing.B) {
	key := testKey(1)
	p, err := NewProof(pubOf(key), "sha256:"+strings.Repeat("ab", 32))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAccount(b *testing.B) {
	seed := fuzzSeeds(b)[4]
	for b.Loop() {
		acc, err := DecodeAccount(seed)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := acc.ProofState(); err != nil {
			b.Fatal(err)
		}
	}
}
