// Package devnet is an emulated Everscale network on loopback: a Ledger
// (the chain) served over the EverOS GraphQL API by a Server, in the
// manner of net/http/httptest. `sign-cli devnet` runs one for people to
// try sign-cli with, and tests run one in process: NewServer starts it on
// loopback and its URL is what an everos.Client (or any GraphQL client)
// connects to.
//
// The Ledger holds the accounts, the transactions, the logical time and
// the external messages taken, under one lock, in memory and, with
// WithStateDir, in a file rewritten atomically after every change. What an
// inbound message does is decided by an Executor, which works on the
// Ledger's accounts: DefaultExecutor knows no contract; packages
// devnet/contracts and devnet/nekotonexec plug in the rules of real
// contracts.
//
// The Server speaks the subset of the real API that sign-cli uses, over
// HTTP and over websocket (the legacy graphql-ws protocol), and validates
// every document against the real schema (embedded), answering with the
// real error shapes of the Apollo-based server. Supported: info; accounts
// and transactions with filters on their main fields (id, status,
// balance, inbound message, account, lt, time), orderBy, limit and the
// server-side timeout wait (and NonExist records for accounts asked for by
// id that do not exist, as the real server gives); postRequests (an
// external message is executed once however often it is posted, and one
// that no contract accepted is forgotten and may be posted again, as on
// the network); subscriptions to transactions; and
// blockchain{account(address){info}}. Each GraphQL type is a table of its
// fields (fields.go); fields, filters and arguments of the schema that the
// emulator does not implement are answered with a GraphQL error naming
// them.
//
// Faults (failing or slow requests, refused connections, dropped
// websockets, malformed JSON, lost messages, duplicate deliveries, clock
// skew) are switched on per test with the Server's methods.
package devnet
