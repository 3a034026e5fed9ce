package contract

import (
	"bytes"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

func TestOwnerKey(t *testing.T) {
	owner := pubOf(testKey(900))
	init, err := LocalGiverStateInit(owner)
	if err != nil {
		t.Fatal(err)
	}
	si := init.BeginParse()
	// StateInit: split_depth, special (absent), then code and data refs.
	if _, err := si.LoadUInt(2); err != nil {
		t.Fatal(err)
	}
	code, err := si.LoadMaybeRef()
	if err != nil || code == nil {
		t.Fatalf("code: %v", err)
	}
	data, err := si.LoadMaybeRef()
	if err != nil || data == nil {
		t.Fatalf("data: %v", err)
	}
	got, err := LocalGiver.OwnerKey(data.ToBOC())
	if err != nil || !bytes.Equal(got, owner) {
		t.Fatalf("OwnerKey = %x, %v; want %x", got, err, owner)
	}
	short, _ := cell.BeginCell().StoreUInt(1, 8).EndCell()
	if _, err := SafeMultisig.OwnerKey(short.ToBOC()); err == nil {
		t.Error("a data cell of 8 bits gave a key")
	}
	if _, err := WalletUnknown.OwnerKey(data.ToBOC()); err == nil {
		t.Error("an unknown kind gave a key")
	}
}
