// Package everostest is an in-process emulator of the EverOS GraphQL API,
// in the manner of net/http/httptest: NewServer starts it on loopback and
// its URL is what an everos.Client (or any GraphQL client) connects to.
//
// It speaks the subset of the real API that sign-cli uses, over HTTP and
// over websocket (the legacy graphql-ws protocol), and validates every
// document against the real schema (embedded), answering with the real
// error shapes of the Apollo-based server. Supported: info; accounts and
// transactions with filters on their main fields (id, status, balance,
// inbound message, account, lt, time), orderBy, limit and the server-side
// timeout wait (and NonExist records for accounts asked for by id that do
// not exist, as the real server gives); postRequests (an
// external message is executed once however often it is posted, and one
// that no contract accepted is forgotten and may be posted again, as on
// the network);
// subscriptions to transactions; and blockchain{account(address){info}}.
// Fields, filters and arguments of the schema that the emulator does not
// implement are answered with a GraphQL error naming them.
//
// The state (accounts, transactions, a clock) lives in memory and, with
// WithStateDir, in a file rewritten atomically after every change. What an
// inbound message does is decided by an Executor: the default one knows no
// contract; other packages plug in the rules of real contracts. Faults
// (failing or slow requests, refused connections, dropped websockets,
// malformed JSON, lost messages, duplicate deliveries, clock skew) are
// switched on per test with the Server's methods.
package everostest
