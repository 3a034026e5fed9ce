package contracts

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/devnet"
)

// An internal message to an account with no code makes the same
// transaction under this package's executor (without fees) as under
// devnet.DefaultExecutor: the compute phase skipped, the transaction
// aborted, and the value bounced or credited alike.
func TestNoCodeAgreesWithDefaultExecutor(t *testing.T) {
	sender := "0:" + fmt.Sprintf("%064x", 2)
	dst := "0:" + fmt.Sprintf("%064x", 1)
	senderCode := mustCell(t, cell.BeginCell().StoreUInt(0xC0DE, 16)).ToBOC()
	type msg struct {
		bounce bool
		value  int64
		src    string
	}
	var msgs []msg
	for _, bounce := range []bool{false, true} {
		for _, value := range []int64{0, 5} {
			for _, src := range []string{sender, ""} {
				msgs = append(msgs, msg{bounce, value, src})
			}
		}
	}
	for _, typ := range []account.Status{account.NonExist, account.Uninit, account.Frozen} {
		for _, m := range msgs {
			name := fmt.Sprintf("%v bounce=%v value=%d src=%q", typ, m.bounce, m.value, m.src)
			t.Run(name, func(t *testing.T) {
				st := emulator(t)
				st.goAcc[sender] = devnet.Account{Address: sender, Type: account.Active, Balance: big.NewInt(100), Code: senderCode}
				if typ != account.NonExist {
					st.goAcc[dst] = devnet.Account{Address: dst, Type: typ, Balance: big.NewInt(3)}
				}
				msg := abi.NewInternalMessage(cell.MustParseAddress(dst), big.NewInt(m.value), m.bounce, nil, nil)
				if m.src != "" {
					msg.Src = cell.MustParseAddress(m.src)
				}
				boc, err := msg.ToBOC()
				if err != nil {
					t.Fatal(err)
				}
				parsed, err := devnet.ParseMessage(boc)
				if err != nil {
					t.Fatal(err)
				}
				in := devnet.Inbound{Message: parsed}
				env := devnet.Env{Now: time.Unix(chainTime, 0), Lt: 1}
				want, err := devnet.DefaultExecutor{}.Execute(env, in, st)
				if err != nil {
					t.Fatal(err)
				}
				got, err := (&Executor{}).Execute(env, in, st)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := summary(t, got), summary(t, want); g != w {
					t.Errorf("\n executor        %s\n DefaultExecutor %s", g, w)
				}
				if tx := want.Transactions[0]; !tx.Aborted || !tx.ComputeSkipped {
					t.Errorf("transaction %+v, want aborted with compute skipped", tx)
				}
			})
		}
	}
}

// summary is what a result does, in a comparable form.
func summary(t *testing.T, r *devnet.Result) string {
	t.Helper()
	s := ""
	for _, tx := range r.Transactions {
		s += fmt.Sprintf("tx %s aborted=%v skipped=%v reason=%d %v->%v delta %v; ", tx.Account, tx.Aborted, tx.ComputeSkipped, tx.SkippedReason, tx.OrigStatus, tx.EndStatus, tx.BalanceDelta)
	}
	for _, a := range r.Accounts {
		s += fmt.Sprintf("account %s %v %v; ", a.Address, a.Type, a.Balance)
	}
	for _, b := range r.OutMessages {
		m, err := devnet.ParseMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf("message %s->%s %v bounce=%v bounced=%v; ", m.Src, m.Dst, m.Value, m.Bounce, m.Bounced)
	}
	return s
}
