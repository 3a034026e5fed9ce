// Package everos is a client of the EverOS / Evercloud GraphQL API, the only
// way sign-cli reaches the Everscale blockchain.
//
// A Client holds one or several endpoints (tried in order, or ordered by the
// health and latency they report), the optional project secret, and the
// offset between the local clock and the server's. It reads accounts one at
// a time or many per request, posts external messages, and waits for the
// transaction a message produced: through a graphql-ws subscription when the
// server accepts one, and otherwise by queries that use the server-side
// timeout wait. Every subscription of a Client to an endpoint shares one
// websocket (a batch of messages is awaited at once, and endpoints limit
// connections); when it breaks, each of its waiters polls instead, and it
// closes once unused for a while. A message that the network did not process before its expiry
// is reported as ErrMessageExpired, so callers can build a new one and resend.
//
// Every query text the client sends is a constant of this package and is
// validated against the real schema by the tests.
package everos
