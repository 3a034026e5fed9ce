// Package devnet is an emulated Everscale network on loopback: a Ledger
// (the chain) served over the EverOS GraphQL API by a Server, in the
// manner of net/http/httptest. `sign-cli devnet` runs one for people to
// try sign-cli with, and tests run one in process: NewServer starts it on
// loopback and its URL is what an everos.Client (or any GraphQL client)
// connects to.
//
// The Ledger holds the accounts, the transactions, the messages, the
// logical time and the external messages taken, under one lock, indexed
// (accounts by address, transactions by id, inbound message and account,
// messages by id), in memory and, with WithStateDir, in a snapshot and a
// journal of the changes since, each change appended and synced as it
// happens (journal.go). What an inbound message does is decided
// by an Executor, which works on the Ledger's accounts: DefaultExecutor
// knows no contract; packages devnet/contracts and devnet/nekotonexec plug
// in the rules of real contracts. The Ledger does what a collator does
// around the executor: it gives every transaction its logical time, links
// it to the account's previous transaction (prev_trans_hash and
// prev_trans_lt of its BOC), stamps the messages it sends with their
// creation lt and time, and serializes the transactions of executors that
// do not (txboc.go). It also makes blocks (package devnet/chain): a
// masterchain key block at the start, then per applied message and the
// messages it causes (or, with WithBlockInterval, per interval) a shard
// block holding the transactions and a masterchain block naming it,
// signed by the devnet's one validator, whose key stays in the state
// directory. Transactions and messages become visible with their block,
// as on the network, and chainproof verifies the chain from the key block
// (Ledger.Anchor).
//
// The Server speaks the subset of the real API that Everscale's clients
// use, over HTTP and over websocket (the legacy graphql-ws protocol), and
// validates every document against the real schema (embedded), answering
// with the real error shapes of the Apollo-based server. Supported: info;
// accounts, transactions and messages with filters on their main fields,
// orderBy, limit and the server-side timeout wait (and NonExist records
// for accounts asked for by id that do not exist, as the real server
// gives); the in_message and out_messages of transactions; postRequests
// (an external message is executed once however often it is posted, and
// one that no contract accepted is forgotten and may be posted again, as
// on the network); blocks and blocks_signatures (the fields clients walk
// and verify a chain with, block_id and master_seq_no of transactions and
// messages); subscriptions to accounts, transactions, messages, blocks
// and blocks_signatures; and blockchain{account(address){info}}. Each
// GraphQL type is a table of its fields (fields.go, blockfields.go);
// fields, filters, collections and arguments of the schema that the
// emulator does not implement are answered with a GraphQL error naming
// them.
//
// Faults (failing or slow requests, refused connections, dropped
// websockets, malformed JSON, lost messages, duplicate deliveries, clock
// skew, forged accounts that no transaction made) are switched on per test
// with the Server's methods.
package devnet
