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
	for _, tt := range tests {
		if got := hexString(tt.got[:]); got != tt.want {
			t.Errorf("%s code hash %s, pinned %s", tt.name, got, tt.want)
		}
	}
}
