package chaintest

import (
	"testing"

	"github.com/gosh-sh/sign-cli/account"
)

// TestNew: the chain holds the giver, active and funded, at the address
// New reports, and its key is the giver's.
func TestNew(t *testing.T) {
	c := New(t)
	acc, ok := c.Account(c.GiverAddress)
	if !ok {
		t.Fatalf("no account at the giver's address %s", c.GiverAddress)
	}
	if acc.Type != account.Active || acc.Balance.Cmp(GiverBalance) != 0 {
		t.Errorf("giver is %v holding %v, want active holding %v", acc.Type, acc.Balance, GiverBalance)
	}
	if !c.Giver.Valid() {
		t.Error("no giver key")
	}
}
