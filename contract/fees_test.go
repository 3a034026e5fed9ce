package contract

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/internal/nekoton"
)

// TestFees measures, on the executor with Everscale's main config, what a
// proof costs: the deploy transaction's gas and fees for the shortest,
// a digest and the longest content, and the storage fee of a year. It
// checks that half of MinTopUp pays the deployment, that DefaultTopUp pays for the deployment and StorageYears years
// of storage of the longest proof, and logs the numbers that
// docs/proof-contract.md quotes (go test -run TestFees -v ./contract).
func TestFees(t *testing.T) {
	e := newExecutor(t)
	for _, n := range []int{1, 71, MaxContentLen} {
		key := testKey(uint64(500 + n))
		p, err := NewProof(pubOf(key), strings.Repeat("a", n))
		if err != nil {
			t.Fatal(err)
		}
		acc := e.fund("", p.Address(), DefaultTopUp, nil, chainTime-1)
		msg, err := p.DeployMessage(key, time.UnixMilli(chainTime*1000), chainTime+60)
		if err != nil {
			t.Fatal(err)
		}
		x := e.run(acc, msg, chainTime)
		e.deployed(p, x, chainTime*1000, chainTime)
		info := e.txInfo(x)
		total, _ := new(big.Int).SetString(info.TotalFees, 10)

		var storage struct {
			StorageFee    string `json:"storageFee"`
			AccountStatus string `json:"accountStatus"`
		}
		later := uint32(chainTime + StorageYears*365*24*3600)
		var full struct{ Boc string }
		if err := e.nk.CallInto(&full, "parseFullAccountBoc", x.Account); err != nil {
			t.Fatal(err)
		}
		if err := e.nk.CallInto(&storage, "computeStorageFee", nekoton.EverConfig, full.Boc, later, false); err != nil {
			t.Fatal(err)
		}
		fee, _ := new(big.Int).SetString(storage.StorageFee, 10)
		a := accountState(t, x.Account)
		t.Logf("content %4d bytes: gas used %s, gas fees %s, total fees %s, balance after %s, storage for %d years %s (%s per year), status then %s",
			n, info.GasUsed, info.GasFees, info.TotalFees, a.Balance, StorageYears, fee, new(big.Int).Div(fee, big.NewInt(StorageYears)), storage.AccountStatus)
		need := new(big.Int).Add(total, fee)
		if need.Cmp(big.NewInt(DefaultTopUp)) > 0 {
			t.Errorf("content %d bytes: deploy (%s) and %d years of storage (%s) cost more than DefaultTopUp %d",
				n, total, StorageYears, fee, DefaultTopUp)
		}
		if total.Cmp(big.NewInt(MinTopUp/2)) >= 0 {
			t.Errorf("content %d bytes: deploy costs %s, not less than half of MinTopUp %d", n, total, MinTopUp)
		}
		if storage.AccountStatus != "active" {
			t.Errorf("content %d bytes: account is %s after %d years", n, storage.AccountStatus, StorageYears)
		}
	}

	// A giver call that funds a proof address, for comparison.
	owner := testKey(600)
	giver, gacc := e.deployGiver(owner, 1_000_000_000_000)
	p, err := NewProof(pubOf(testKey(601)), "x")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := LocalGiver.TransferMessage(giver, Transfer{Dest: p.Address(), Value: DefaultTopUp}, owner, chainTime*1000, chainTime+60)
	if err != nil {
		t.Fatal(err)
	}
	x := e.run(gacc, msg, chainTime)
	if x.Rejected {
		t.Fatalf("giver refused with %d", x.ExitCode)
	}
	info := e.txInfo(x)
	t.Logf("giver transfer: gas used %s, gas fees %s, total fees %s, forward fees %s", info.GasUsed, info.GasFees, info.TotalFees, info.TotalFwdFees)
}
