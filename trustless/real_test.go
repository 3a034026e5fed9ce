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
			dn, d := startDevnet(t, exec)
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

// End to end on the devnet, which serves its own signed chain: proofs sign
// deployed verify from the devnet's anchor, with the data the plain check
// reads; a forged account verifies for the plain check only; the wrong
// anchor verifies nothing.
func TestDevnet(t *testing.T) {
	for _, exec := range []string{"go", "nekoton"} {
		t.Run(exec, func(t *testing.T) {
			dn, d := startDevnet(t, exec)
			key := keyOf(t, "signer")
			contents := []string{"sha256:" + strings.Repeat("2", 64), "sha256:" + strings.Repeat("3", 64), "sha256:" + strings.Repeat("4", 64)}
			_, errs := d.DeployAll(context.Background(), key, contents[:2])
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			// The third proof was deployed on another chain only; this
			// devnet serves its account, as a lying endpoint would.
			elsewhere, other := startDevnet(t, "go")
			dep, err := other.Deploy(context.Background(), key, contents[2])
			if err != nil {
				t.Fatal(err)
			}
			forged, ok := elsewhere.Account(dep.Address)
			if !ok {
				t.Fatal("no account for a deployed proof")
			}
			if err := dn.ForgeAccount(forged); err != nil {
				t.Fatal(err)
			}
			var queries []proof.Query
			for _, c := range contents {
				queries = append(queries, proof.Query{Public: key.Public(), Content: c})
			}
			plain := d.Check(context.Background(), queries)
			net, err := ParseTrustAnchor(dn.Anchor())
			if err != nil {
				t.Fatal(err)
			}
			ch := &Checker{Client: d.Client, Network: net}
			got := ch.Check(context.Background(), queries)
			for i := range 2 {
				if got[i].Err != nil || plain[i].Err != nil || !reflect.DeepEqual(got[i].State, plain[i].State) {
					t.Fatalf("%s: trustless %+v (%v), plain %+v (%v)", contents[i], got[i].State, got[i].Err, plain[i].State, plain[i].Err)
				}
			}
			if plain[2].Err != nil || !errors.Is(got[2].Err, ErrNoTransaction) {
				t.Errorf("forged account: plain verdict %v, trustless verdict %v", plain[2].Err, got[2].Err)
			}
			anchor := []byte(dn.Anchor())
			anchor[len(anchor)-1] = "10"[min(1, int(anchor[len(anchor)-1]-'0'))] // another root hash
			wrong, err := ParseTrustAnchor(string(anchor))
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range (&Checker{Client: d.Client, Network: wrong}).Check(context.Background(), queries[:2]) {
				if !errors.Is(v.Err, ErrNotTrusted) {
					t.Errorf("with a wrong anchor: %v", v.Err)
				}
			}
		})
	}
}

// startDevnet starts a devnet on the named executor, with a deployer paid
// by its giver.
func startDevnet(t *testing.T, exec string) (*chaintest.Chain, *proof.Deployer) {
	t.Helper()
	var opts []devnet.Option
	if exec == "nekoton" {
		opts = append(opts, devnet.WithExecutor(nekotonexec.New(nekotontest.Start(t))))
	}
	dn := chaintest.New(t, opts...)
	client, err := everos.New(everos.Config{Endpoints: []string{dn.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return dn, &proof.Deployer{Client: client, Wallet: &proof.Wallet{Address: cell.MustParseAddress(dn.GiverAddress), Key: dn.Giver},
		MessageLifetime: 5 * time.Second, BalancePoll: 20 * time.Millisecond}
}
