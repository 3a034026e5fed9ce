package everos

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ErrMessageExpired reports that the server's clock passed a message's expiry
// and no transaction for it appeared: the network will never process it, and
// the caller may build and send a new message.
var ErrMessageExpired = errors.New("message expired unprocessed")

// ErrNoEndpoint reports a configuration without any usable endpoint.
var ErrNoEndpoint = errors.New("no endpoint configured")

// GraphQLError is a response whose "errors" array was not empty. It is never
// retried: the server understood the request and refused it.
type GraphQLError struct {
	Endpoint string
	Status   int // HTTP status, 0 over websocket
	Messages []string
	Codes    []string // extensions.code of each message, "" when absent
}

func (e *GraphQLError) Error() string {
	return fmt.Sprintf("GraphQL error from %s: %s", e.Endpoint, strings.Join(e.Messages, "; "))
}

// Validation reports whether the server refused the document itself (parse or
// validation failure) rather than failing while executing it.
func (e *GraphQLError) Validation() bool {
	for _, c := range e.Codes {
		if c == "GRAPHQL_VALIDATION_FAILED" || c == "GRAPHQL_PARSE_FAILED" {
			return true
		}
	}
	return false
}

// tooComplexCodes and tooComplexWords are how GraphQL servers and the
// gateways before them say that a query is too big to run: too many fields
// or aliases, too deep or too costly. EverOS documents none of its own.
var (
	tooComplexCodes = []string{"QUERY_TOO_COMPLEX", "QUERY_COMPLEXITY_EXCEEDED", "QUERY_TOO_DEEP", "QUERY_TOO_LARGE", "TOO_MANY_ALIASES", "MAX_ALIASES_EXCEEDED"}
	tooComplexWords = []string{"too complex", "complexity", "too many aliases", "max aliases", "too many fields", "query is too large", "query too large"}
)

// TooComplex reports whether the server refused the query for its size or
// complexity rather than for what it asks, so that the same question in
// smaller queries may pass.
func (e *GraphQLError) TooComplex() bool {
	for i, msg := range e.Messages {
		if slices.Contains(tooComplexCodes, strings.ToUpper(e.Codes[i])) {
			return true
		}
		msg = strings.ToLower(msg)
		for _, w := range tooComplexWords {
			if strings.Contains(msg, w) {
				return true
			}
		}
	}
	return false
}

// tooComplex reports whether err is a server's refusal of a query for its
// size or complexity: a GraphQL error that says so, or HTTP 413.
func tooComplex(err error) bool {
	if ge, ok := errors.AsType[*GraphQLError](err); ok {
		return ge.TooComplex() || ge.Status == http.StatusRequestEntityTooLarge
	}
	he, ok := errors.AsType[*HTTPError](err)
	return ok && he.Status == http.StatusRequestEntityTooLarge
}

// HTTPError is a response with an unexpected HTTP status and no GraphQL
// errors in its body.
type HTTPError struct {
	Endpoint string
	Status   int
	Body     string // start of the body, for the message
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d from %s", e.Status, e.Endpoint)
	}
	return fmt.Sprintf("HTTP %d from %s: %s", e.Status, e.Endpoint, e.Body)
}

// Temporary reports whether the status is worth retrying (5xx, 429, 408).
func (e *HTTPError) Temporary() bool {
	return e.Status >= 500 || e.Status == 429 || e.Status == 408
}

// ResponseError is a response that could not be read as GraphQL JSON.
type ResponseError struct {
	Endpoint string
	Reason   string
	// Err is the sentinel a caller may branch on (ErrResponseLimit), or nil.
	Err error
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("reading response from %s: %s", e.Endpoint, e.Reason)
}

func (e *ResponseError) Unwrap() error { return e.Err }

// limitError is a ResponseError for an answer over the client's limits.
func limitError(endpoint string, err error) *ResponseError {
	return &ResponseError{Endpoint: endpoint, Reason: err.Error(), Err: ErrResponseLimit}
}
