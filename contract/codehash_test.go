package contract

import "testing"

// TestCodeHashes pins the code hashes. The proof's code is part of every
// proof's address: a new build of proof.fc moves all proofs, and checks
// made with it no longer find the proofs made before. Change these only on
// purpose, together with docs/proof-contract.md.
func TestCodeHashes(t *testing.T) {
	tests := []struct {
		name string
		got  [32]byte
		want string
	}{
		{"proof", ProofCodeHash(), "aa1b5b1d29536a9b0aab72acfe9e76efea35904764b2eaec02f7845627463961"},
		{"giver", GiverCodeHash(), "0a0fdfa7a9ee7b1c541e4c9b1586a543af2f6781f757a9dea15334c3589a3687"},
	}
	for _, k := range []WalletKind{EverWallet, HighloadWalletV2} {
		h, err := k.CodeHash()
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name string
			got  [32]byte
			want string
		}{k.String(), h, map[WalletKind]string{
			// broxus/ever-wallet-contract's README; TON's highload wallet v2.
			EverWallet:       "3ba6528ab2694c118180aa3bd10dd19ff400b909ab4dcf58fc69925b2c7b12a6",
			HighloadWalletV2: "0b3a887aeacd2a7d40bb5550bc9253156a029065aefb6d6b583735d58da9d5be",
		}[k]})
	}
	for _, tt := range tests {
		if got := hexString(tt.got[:]); got != tt.want {
			t.Errorf("%s code hash %s, pinned %s", tt.name, got, tt.want)
		}
	}
}
