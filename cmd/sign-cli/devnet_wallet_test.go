package main

import (
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
)

// TestDevnetWalletType: `devnet --wallet-type KIND` makes WALLET a funded
// wallet of that kind running its real code, on both executors, and sign
// pays for a proof from it.
func TestDevnetWalletType(t *testing.T) {
	for _, ex := range executors {
		for _, kind := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
			t.Run(ex+"/"+kind.String(), func(t *testing.T) {
				w := newWorldWallet(t, ex, nil, strings.ToLower(kind.String()))
				if w.chain.WalletAddress == w.chain.GiverAddress {
					t.Fatal("WALLET is the giver")
				}
				acc, ok := w.chain.Account(w.chain.WalletAddress)
				want, _ := kind.CodeHash()
				if !ok || acc.Type != everos.Active || len(acc.Code) == 0 {
					t.Fatalf("wallet account %+v", acc)
				}
				code, err := cell.FromBOC(acc.Code)
				if err != nil || code.Hash() != want {
					t.Fatalf("wallet code: %v, want %s's %x", err, kind, want)
				}
				ref, digest := w.image("team/app", nil)
				signer, keyPath := w.keyFile("signer.json")
				r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "-o", "json", ref)
				if r.code != 0 {
					t.Fatalf("sign: %+v", r)
				}
				p, _ := contract.NewProof(signer.Public().Ed25519(), digest.String())
				if n := w.proofTransactions(p.Address().String()); n != 1 {
					t.Fatalf("%d deployments of the proof, want 1", n)
				}
				paid := 0
				for _, tx := range w.chain.Transactions() {
					if tx.Account == w.chain.WalletAddress && !tx.Aborted {
						paid++
					}
				}
				if paid != 1 {
					t.Fatalf("the wallet made %d transactions, want 1", paid)
				}
			})
		}
	}
}
