// Package contracts plugs the rules of sign-cli's contracts into the
// devnet emulator: a devnet.Executor that runs the proof contract
// (contract/proof.fc), the local giver (contract/giver.fc) and stand-ins for
// the wallets of contract.WalletKind, so that tests and `sign-cli devnet`
// see the verdicts the real network gives.
//
// The executor picks a contract by the hash of the account's code (or of
// the code of the StateInit a message deploys), never by the code hash the
// account reports, and falls back to
// devnet.DefaultExecutor for code it does not know.
//
//   - The proof contract and the local giver are emulated check for check:
//     the same checks in the same order with the same exit codes as their
//     FunC sources, including the TVM's cell-underflow exit code 9 when a
//     body or the data is too short, and on acceptance the data cell the
//     contract writes, bit for bit. The tests run one message matrix through
//     this executor and through Everscale's own executor (nekoton-wasm) and
//     compare verdicts, exit codes, data hashes and sent messages.
//   - EverWallet and the highload wallet v2 run their real code on Everscale's
//     executor (its code is read at run time: contract.WalletKind.WalletCode)
//     and are emulated check for check from their sources (Wallet.fc of
//     broxus/ever-wallet-contract, TON's highload-wallet-v2-code.fc): the same
//     checks, exit codes and data, one transfer or several per call (up to
//     four raw messages, up to 254 dictionary entries; more than 255 actions
//     fail the action phase with result code 33). RealWalletAccount makes
//     one. Of the send modes only 1 (fees apart) and 2 (ignore errors) are
//     emulated; 64 and 128 are not.
//   - The multisig wallets and Everscale's givers (GiverV2, GiverV3) run
//     code that is not available here. WalletAccount makes a stand-in for
//     them: an account whose code is a marker naming the kind and whose data
//     is the local giver's (owner key and the hashes of recent calls). Their
//     calls are decoded with each kind's ABI and checked as the local giver
//     checks its own: signature by the rule of the kind's ABI version (the
//     unsigned body up to 2.2, the wallet's address and the body from 2.3),
//     pubkey header, expiry, lifetime and replay. The API reports the real
//     wallet's code hash (PublishedCodeHash, in devnet.Account.CodeHash),
//     so a client recognizes the kind as it does on the network; the
//     executor still picks the stand-in by its marker code, and the code and
//     the account BOC the API returns hold the marker.
//   - An external message to an account with no balance is refused as the
//     node refuses it ("cannot pay for importing"); one that a contract
//     refuses before ACCEPT is an error wrapping devnet.ErrRejected
//     (an *ExitError with the exit code), with no transaction and no change.
//   - A public key that is not a curve point makes CHKSIGNU end with exit
//     code 12, as Everscale's virtual machine does under the main network
//     config; a key that is a point but signed nothing valid gives 40.
//   - Messages that the contracts send go through an action phase: a
//     destination that is not an internal address aborts the transaction
//     with result code 34, an anycast one with 50, and one the balance cannot
//     pay with 37; an aborted transaction keeps the old data.
//   - Internal messages credit their value, create an uninitialized
//     account where there was none, and deploy the StateInit they carry
//     without running a constructor, as the chain does. A credit of an
//     account with no code skips the compute phase, which makes the
//     transaction aborted though the value stays. A bounceable message to an
//     account with no code (and no StateInit) is not credited: the value,
//     less the forwarding fee, bounces back, unless it cannot pay for that.
//
// # Fees
//
// Fees are fixed per kind of transaction, in nanotokens (Fees,
// DefaultFees). The defaults are rounded from what Everscale's executor
// charges with the main network config (docs/proof-contract.md):
//
//	proof deployment (constructor accepted)  5 300 000  (measured 5.0 to 9.5 M by content length)
//	wallet or giver transfer (accepted)      6 100 000  (gas and import; measured 6 062 673,
//	                                                    more as the giver remembers more calls)
//	forwarding one internal message            500 000  (measured 500 000; bounces too)
//	internal message run by a contract       1 000 000  (credit of an active account; measured 1 000 000)
//
// A message to an account without code costs nothing, and there is no
// storage rent. A wallet pays the forwarding fee apart from the value
// (send mode 1, multisig flag 1) or out of it. An external message whose
// contract accepts it but whose account cannot pay the transaction's fee
// is refused like one with no balance; a transfer the wallet cannot afford
// after its fee aborts in the action phase (result code 37), charges the
// fee and changes nothing else, unless the multisig's flag 2 says to ignore
// the error. Balances never go negative.
package contracts
