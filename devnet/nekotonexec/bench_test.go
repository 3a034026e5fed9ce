package nekotonexec

import (
	"crypto/ed25519"
	"crypto/rand"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// accounts is a fixed State: every execution starts from the same accounts.
type accounts map[string]devnet.Account

func (a accounts) Account(addr string) (devnet.Account, bool) {
	acc, ok := a[addr]
	return acc, ok
}

// BenchmarkExecute measures one transaction on Everscale's executor
// through the bridge, as the emulator runs it: the giver's transfer to a
// proof address, the transfer's arrival there, and a proof's deployment.
// The same transactions on package contracts' Go executor are measured
// beside them.
func BenchmarkExecute(b *testing.B) {
	ex := New(nekotontest.Start(b))
	pub, owner, _ := ed25519.GenerateKey(rand.Reader)
	g, err := contracts.GiverAccount(pub, big.NewInt(1_000_000e9))
	if err != nil {
		b.Fatal(err)
	}
	spub, signer, _ := ed25519.GenerateKey(rand.Reader)
	p, err := contract.NewProof(spub, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	st := accounts{g.Address: g}
	giver := cell.MustParseAddress(g.Address)

	// One transfer, run for real, gives the funded proof address and the
	// internal message the benchmarks replay.
	fund, err := contract.LocalGiver.FundProofMessage(giver, p, contract.DefaultTopUp, owner, uint64(now.UnixMilli()), uint32(now.Unix())+60)
	if err != nil {
		b.Fatal(err)
	}
	res, err := ex.Execute(devnet.Env{Now: now}, inboundB(b, fund.ToBOC()), st)
	if err != nil || len(res.OutMessages) != 1 {
		b.Fatalf("transfer: %v, %v", res, err)
	}
	transfer := res.OutMessages[0]
	res, err = ex.Execute(devnet.Env{Now: now}, inboundB(b, transfer), st)
	if err != nil || res.Accounts[0].Type != account.Uninit {
		b.Fatalf("credit: %v, %v", res, err)
	}
	funded := accounts{p.Address().String(): res.Accounts[0]}

	for _, x := range []struct {
		name string
		ex   devnet.Executor
	}{{"nekoton", ex}, {"go rules", contracts.New()}} {
		ex := x.ex
		b.Run(x.name+"/giver transfer", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				t := now.Add(time.Duration(i) * time.Millisecond)
				msg, err := contract.LocalGiver.FundProofMessage(giver, p, contract.DefaultTopUp, owner, uint64(t.UnixMilli()), uint32(now.Unix())+60)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ex.Execute(devnet.Env{Now: now}, inboundB(b, msg.ToBOC()), st); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(x.name+"/credit of the proof address", func(b *testing.B) {
			in := inboundB(b, transfer)
			for b.Loop() {
				if _, err := ex.Execute(devnet.Env{Now: now}, in, accounts{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(x.name+"/proof deployment", func(b *testing.B) {
			deploy, err := p.DeployMessage(signer, now, uint32(now.Unix())+60)
			if err != nil {
				b.Fatal(err)
			}
			in := inboundB(b, deploy.ToBOC())
			for b.Loop() {
				if _, err := ex.Execute(devnet.Env{Now: now}, in, funded); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func inboundB(b *testing.B, boc []byte) devnet.Inbound {
	b.Helper()
	m, err := devnet.ParseMessage(boc)
	if err != nil {
		b.Fatal(err)
	}
	return devnet.Inbound{Message: m}
}
