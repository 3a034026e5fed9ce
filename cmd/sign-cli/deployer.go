package main

import (
	"github.com/gosh-sh/sign-cli/proof"
)

// newDeployer makes the proof deployer of the network and wallet flags,
// shared by sign, build-and-sign and send. No request is made here.
func newDeployer(app *App, net *networkFlags, wallet *walletFlags) (*proof.Deployer, error) {
	client, err := net.client(app)
	if err != nil {
		return nil, err
	}
	topUp, err := wallet.topUpAmount()
	if err != nil {
		return nil, err
	}
	w, err := wallet.wallet(app)
	if err != nil {
		return nil, err
	}
	return &proof.Deployer{Client: client, Wallet: w, TopUp: topUp, Progress: func(line string) { app.progress("%s", line) }, Locks: app.proofLocks()}, nil
}
