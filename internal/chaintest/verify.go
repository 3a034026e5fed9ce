package chaintest

import (
	"errors"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/devnet"
)

// ErrNoBlock is VerifyTransaction's answer for a transaction that no block
// holds.
var ErrNoBlock = errors.New("no block holds the transaction")

// VerifyTransaction checks tx against the chain srv made, as a client that
// trusts only the chain's anchor (its key block) does: the masterchain
// block that names tx's shard block is signed by the key block's
// validators, names the shard block in its shard_hashes, and the shard
// block holds tx at its account and lt.
func VerifyTransaction(srv *devnet.Server, tx devnet.Transaction) error {
	blocks := srv.Blocks()
	byID := map[string]*devnet.Block{}
	var masters []*devnet.Block
	for _, b := range blocks {
		byID[b.ID] = b
		if b.Signatures != nil {
			masters = append(masters, b)
		}
	}
	kb := masters[0]
	net, err := chainproof.NewNetwork("devnet", []chainproof.Anchor{{SeqNo: kb.Block.ID.SeqNo, RootHash: kb.Block.ID.RootHash}})
	if err != nil {
		return err
	}
	v := chainproof.NewVerifier(net)
	kp, err := kb.BlockProof()
	if err != nil {
		return err
	}
	if _, err := v.AddKeyBlock(kp); err != nil {
		return err
	}
	shard := byID[tx.BlockID]
	if shard == nil || tx.MasterSeqNo == 0 || int(tx.MasterSeqNo) > len(masters) {
		return fmt.Errorf("transaction %s: %w", tx.ID, ErrNoBlock)
	}
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
	root, err := cell.FromBOC(tx.BOC)
	if err != nil {
		return err
	}
	addr, err := cell.ParseAddress(tx.Account)
	if err != nil {
		return err
	}
	acc, _ := addr.Account()
	return sb.CheckTransaction(0, acc, tx.Lt, root.Hash())
}
