package devnet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/vektah/gqlparser/v2/ast"
)

// Server serves a Ledger over the EverOS GraphQL API, on HTTP and on
// websocket, with the faults a test switches on. The Ledger's methods
// (Account, SetAccount, Transactions, Deliver, Now) are the Server's.
type Server struct {
	*Ledger
	// URL is the GraphQL endpoint, "http://127.0.0.1:port/graphql".
	URL string
	// Addr is the address the server listens on.
	Addr net.Addr

	cfg    config
	schema *ast.Schema
	http   *http.Server
	ln     net.Listener
	f      faults

	// mu guards the connections and subscriptions; the ledger's lock, when
	// both are held, is taken first.
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	ws    map[*wsConn]struct{}
	subs  map[*subscriber]struct{}

	done   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
}

// NewServer starts a server on loopback, like httptest.NewServer; it panics
// if it cannot. Close it when done.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(fmt.Sprintf("devnet: %v", err))
	}
	return s
}

// Start starts a server and returns the errors NewServer panics with.
func Start(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	schema, err := Schema()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, schema: schema,
		conns: map[net.Conn]struct{}{}, ws: map[*wsConn]struct{}{}, subs: map[*subscriber]struct{}{},
		done: make(chan struct{}),
	}
	if s.Ledger, err = newLedger(cfg, skewedClock{cfg.clock, &s.f}, s.publish); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		s.Ledger.Close()
		return nil, fmt.Errorf("starting the EverOS emulator: %w", err)
	}
	s.ln = &faultListener{Listener: ln, s: s}
	s.Addr = ln.Addr()
	s.URL = "http://" + ln.Addr().String() + "/graphql"
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
		ConnState:         s.trackConn,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.http.Serve(s.ln)
	}()
	return s, nil
}

// Close stops the server, its connections and its ledger.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.done)
		s.Ledger.Close()
		s.http.Close()
		s.closeConns()
		s.mu.Lock()
		for c := range s.ws {
			c.conn.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
}

func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

func (s *Server) closeConns() {
	s.mu.Lock()
	conns := make([]net.Conn, 0, len(s.conns)+len(s.ws))
	for c := range s.conns {
		conns = append(conns, c)
	}
	for c := range s.ws {
		conns = append(conns, c.conn.NetConn())
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// publish feeds the subscriptions what a change of the ledger made; the
// ledger's lock is held.
func (s *Server) publish(c change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		sub.kind.offer(sub, c)
	}
}

// ServeHTTP handles GraphQL over HTTP and websocket upgrades.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := s.faultLatency(); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if status := s.faultFailure(); status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !strings.HasSuffix(strings.TrimRight(r.URL.Path, "/"), "/graphql") {
		http.NotFound(w, r)
		return
	}
	if s.cfg.secret != "" && r.Header.Get("Authorization") != everos.AuthHeader(s.cfg.secret) &&
		!websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if websocket.IsWebSocketUpgrade(r) {
		s.serveWebsocket(w, r)
		return
	}
	var req gqlRequest
	switch r.Method {
	case http.MethodGet:
		req.Query = r.URL.Query().Get("query")
		req.OperationName = r.URL.Query().Get("operationName")
		if v := r.URL.Query().Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				s.write(w, http.StatusBadRequest, errorsBody([]gqlError{newError(codeBadUserInput, "Variables are invalid JSON.", nil, nil)}))
				return
			}
		}
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err != nil {
			return
		}
		if err := json.Unmarshal(body, &req); err != nil {
			s.write(w, http.StatusBadRequest, errorsBody([]gqlError{newError(codeBadUserInput, "POST body is not valid JSON: "+err.Error(), nil, nil)}))
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Apollo Server supports only GET/POST requests.", http.StatusMethodNotAllowed)
		return
	}
	status, body := s.run(r.Context(), req, r.Method == http.MethodGet)
	s.write(w, status, body)
}

func (s *Server) write(w http.ResponseWriter, status int, body []byte) {
	if s.faultMalformed() {
		status, body = http.StatusOK, body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// run executes a query or mutation and returns the HTTP status and body.
func (s *Server) run(ctx context.Context, req gqlRequest, get bool) (int, []byte) {
	p, status, errs := s.prepare(req)
	if errs != nil {
		return status, errorsBody(errs)
	}
	e := &execution{ctx: ctx, s: s, p: p}
	switch p.op.Operation {
	case ast.Query:
		return http.StatusOK, e.result(e.selectObject(p.op.SelectionSet, queryType.name, queryType.resolver(e), nil))
	case ast.Mutation:
		if get {
			return http.StatusMethodNotAllowed, errorsBody([]gqlError{newError(codeBadUserInput, "GET supports only query operation", nil, nil)})
		}
		return http.StatusOK, e.result(e.selectObject(p.op.SelectionSet, mutationType.name, mutationType.resolver(e), nil))
	}
	return http.StatusBadRequest, errorsBody([]gqlError{newError(codeBadUserInput,
		"Subscriptions are served over websocket (graphql-ws), not over HTTP.", p.op.Position, nil)})
}
