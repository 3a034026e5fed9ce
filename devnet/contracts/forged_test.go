package contracts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/chaintest"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// constructedOnChain is the trustless side of a check: the transaction
// that made the account active must be in a shard block that a
// masterchain block signed by the anchor's validators names. An account
// that no transaction constructed is refused, whatever the endpoint says
// of it.
func constructedOnChain(srv *devnet.Server, addr string) error {
	net, err := chainproof.NewNetwork("devnet", []chainproof.Anchor{anchorOf(srv)})
	if err != nil {
		return err
	}
	v := chainproof.NewVerifier(net)
	blocks := map[string]*devnet.Block{}
	var masters []*devnet.Block
	for _, b := range srv.Blocks() {
		blocks[b.ID] = b
		if b.Signatures != nil {
			masters = append(masters, b)
		}
	}
	kp, err := masters[0].BlockProof()
	if err != nil {
		return err
	}
	if _, err := v.AddKeyBlock(kp); err != nil {
		return err
	}
	for _, tx := range srv.Transactions() {
		if tx.Account != addr || tx.Aborted || tx.EndStatus != everos.Active || tx.OrigStatus == everos.Active {
			continue
		}
		shard := blocks[tx.BlockID]
		mp, err := masters[tx.MasterSeqNo-1].BlockProof()
		if err != nil {
			return err
		}
		mb, _, err := v.VerifyBlock(mp)
		if err != nil {
			return err
		}
		if err := mb.CheckShardTop(shard.Block.ID); err != nil {
			return err
		}
		sb, err := chainproof.BlockFromBOC(shard.BOC, shard.Block.ID.RootHash)
		if err != nil {
			return err
		}
		txCell, err := cell.FromBOC(tx.BOC)
		if err != nil {
			return err
		}
		acc, _ := cell.MustParseAddress(addr).Account()
		return sb.CheckTransaction(0, acc, tx.Lt, txCell.Hash())
	}
	return errNotConstructed
}

var errNotConstructed = errors.New("no transaction on the chain constructed the account")

func anchorOf(srv *devnet.Server) chainproof.Anchor {
	kb := srv.Blocks()[0]
	return chainproof.Anchor{SeqNo: kb.Block.ID.SeqNo, RootHash: kb.Block.ID.RootHash}
}

// TestForgedProofAccount: an endpoint serves, for a proof address that
// was never deployed on its chain, the account of a real proof deployed
// elsewhere. The plain check, which trusts the endpoint's accounts,
// believes it; the chain refuses it, while it proves the real one.
func TestForgedProofAccount(t *testing.T) {
	real := chaintest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	key, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	deployer := func(c *chaintest.Chain) *proof.Deployer {
		client, err := everos.New(everos.Config{Endpoints: []string{c.URL}})
		if err != nil {
			t.Fatal(err)
		}
		return &proof.Deployer{Client: client, Wallet: &proof.Wallet{Address: cell.MustParseAddress(c.GiverAddress), Key: c.Giver},
			BalancePoll: 20 * time.Millisecond}
	}
	const content = "sha256:0000000000000000000000000000000000000000000000000000000000000001"
	dep, err := deployer(real).Deploy(ctx, key, content)
	if err != nil {
		t.Fatal(err)
	}
	acc, ok := real.Account(dep.Address)
	if !ok || acc.Type != everos.Active {
		t.Fatalf("deployed proof account: %+v", acc)
	}
	lying := chaintest.New(t)
	if err := lying.ForgeAccount(acc); err != nil {
		t.Fatal(err)
	}
	query := []proof.Query{{Public: key.Public(), Content: content}}
	tests := []struct {
		name           string
		chain          *chaintest.Chain
		plain, onChain bool
	}{
		{"the real chain", real, true, true},
		{"a lying endpoint", lying, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := deployer(tc.chain).Check(ctx, query)[0]
			if (v.Err == nil && v.State != nil) != tc.plain {
				t.Errorf("plain check: %+v, want verified %v", v, tc.plain)
			}
			err := constructedOnChain(tc.chain.Server, dep.Address)
			if (err == nil) != tc.onChain {
				t.Errorf("chain check: %v, want verified %v", err, tc.onChain)
			}
		})
	}
	lying.ResetFaults()
	if v := deployer(lying).Check(ctx, query)[0]; v.Err == nil {
		t.Errorf("after ResetFaults the forged proof still verifies: %+v", v)
	}
}
