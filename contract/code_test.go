package contract

import "testing"

// TestEmbedded decodes every embedded code and ABI file, which the package
// otherwise does only when a command first needs them.
func TestEmbedded(t *testing.T) {
	tests := []struct {
		name string
		load func() bool
	}{
		{"proof.code.boc", func() bool { return proofCode() != nil }},
		{"giver.code.boc", func() bool { return giverCode() != nil }},
		{"proof.abi.json", func() bool { return proofABI() != nil }},
		{"proof constructor", func() bool { return constructor() != nil }},
		{"giver.abi.json", func() bool { return giverABI() != nil }},
		{"wallets/*.abi.json", func() bool { return len(walletSpecs()) == len(WalletKinds()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatal(r)
				}
			}()
			if !tt.load() {
				t.Fatal("nothing decoded")
			}
		})
	}
}
