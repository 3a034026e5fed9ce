package trustless

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/nekotonexec"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/chaintest"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
	"github.com/gosh-sh/sign-cli/proof"
)

// The transactions the devnet's executors make when sign deploys a proof
// (Everscale's own executor, and the Go rules checked against it) prove
// the proof once they are in a signed chain: the same data as the plain
// check reads from the account. The transaction that funded the address
// does not.
func TestRealConstructions(t *testing.T) {
	for _, exec := range []string{"go", "nekoton"} {
		t.Run(exec, func(t *testing.T) {
			var opts []devnet.Option
			if exec == "nekoton" {
				opts = append(opts, devnet.WithExecutor(nekotonexec.New(nekotontest.Start(t))))
			}
			dn := chaintest.New(t, opts...)
			client, err := everos.New(everos.Config{Endpoints: []string{dn.URL}})
			if err != nil {
				t.Fatal(err)
			}
			d := &proof.Deployer{Client: client, Wallet: &proof.Wallet{Address: cell.MustParseAddress(dn.GiverAddress), Key: dn.Giver},
				MessageLifetime: 5 * time.Second, BalancePoll: 20 * time.Millisecond}
			key := keyOf(t, "signer")
			contents := []string{"sha256:" + strings.Repeat("1", 64), "second content"}
			if _, errs := d.DeployAll(context.Background(), key, contents); errors.Join(errs...) != nil {
				t.Fatal(errors.Join(errs...))
			}
			var queries []proof.Query
			for _, c := range contents {
				queries = append(queries, proof.Query{Public: key.Public(), Content: c})
			}
			plain := d.Check(context.Background(), queries)

			c := newTestChain(t)
			var constructions, fundings []*cell.Cell
			for _, q := range queries {
				addr := address(t, txSpec{key: key, content: q.Content})
				constructed := false
				for _, tx := range dn.Transactions() {
					if tx.Account != addr || constructed {
						continue
					}
					root, err := cell.FromBOC(tx.BOC)
					if err != nil {
						t.Fatal(err)
					}
					if constructed = tx.EndStatus == everos.Active; constructed {
						constructions = append(constructions, root)
					} else {
						fundings = append(fundings, root)
					}
				}
			}
			if len(constructions) != 2 || len(fundings) != 2 {
				t.Fatalf("%d constructions and %d top-ups", len(constructions), len(fundings))
			}
			c.add(constructions...)
			ch := c.checker()
			got := ch.Check(context.Background(), queries)
			for i, v := range got {
				if v.Err != nil || plain[i].Err != nil {
					t.Fatalf("%s: trustless %v, plain %v", queries[i].Content, v.Err, plain[i].Err)
				}
				if !reflect.DeepEqual(v.State, plain[i].State) {
					t.Errorf("%s: rebuilt state %+v, the account holds %+v", queries[i].Content, v.State, plain[i].State)
				}
			}
			// The top-ups, put in a later block as if they had made
			// the accounts active.
			c.add(fundings...)
			for _, v := range ch.Check(context.Background(), queries) {
				if !errors.Is(v.Err, ErrNotConstructor) {
					t.Errorf("a top-up served as the construction: %v", v.Err)
				}
			}
		})
	}
}
