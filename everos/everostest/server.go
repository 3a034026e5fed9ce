package everostest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/vektah/gqlparser/v2/ast"
)

// Server is a running emulator.
type Server struct {
	// URL is the GraphQL endpoint, "http://127.0.0.1:port/graphql".
	URL string
	// Addr is the address the server listens on.
	Addr net.Addr

	cfg    config
	schema *ast.Schema
	http   *http.Server
	ln     net.Listener
	f      faults

	mu       sync.Mutex
	accounts map[string]*stored
	txs      []*Transaction
	lt       uint64
	changed  chan struct{} // closed and replaced on every change
	subs     map[*subscriber]struct{}
	seen     map[[32]byte]bool // external messages executed or waiting in the queue
	conns    map[net.Conn]struct{}
	ws       map[*wsConn]struct{}

	queue  chan queued
	done   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
}

type config struct {
	addr       string
	executor   Executor
	clock      Clock
	stateDir   string
	accounts   []Account
	version    string
	secret     string
	maxTimeout time.Duration
	maxLimit   int
	blockDelay time.Duration
	keepAlive  time.Duration
	missing    bool
	logf       func(format string, args ...any)
}

// Option configures a Server.
type Option func(*config)

// WithAddr sets the listening address (default "127.0.0.1:0").
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithExecutor sets what messages do (default DefaultExecutor).
func WithExecutor(e Executor) Option { return func(c *config) { c.executor = e } }

// WithClock sets the server's clock (default the real one).
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithStateDir keeps the state in dir, loading it at start when present
// and rewriting it atomically after every change.
func WithStateDir(dir string) Option { return func(c *config) { c.stateDir = dir } }

// WithAccounts adds accounts to a fresh state (ignored when a state
// directory already holds a state).
func WithAccounts(a ...Account) Option {
	return func(c *config) { c.accounts = append(c.accounts, a...) }
}

// WithVersion sets the version info reports (default "0.67.0").
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithSecret makes the server require the Authorization header that
// everos.AuthHeader(secret) gives, over HTTP and in connection_init.
func WithSecret(secret string) Option { return func(c *config) { c.secret = secret } }

// WithMaxTimeout caps the server-side wait of queries (default 40s).
func WithMaxTimeout(d time.Duration) Option { return func(c *config) { c.maxTimeout = d } }

// WithMaxLimit caps how many records a query returns (default 50, as the
// real server).
func WithMaxLimit(n int) Option { return func(c *config) { c.maxLimit = n } }

// WithBlockDelay delays the execution of every posted message by d, as a
// block interval does.
func WithBlockDelay(d time.Duration) Option { return func(c *config) { c.blockDelay = d } }

// WithKeepAlive sets the interval of websocket "ka" messages (default 10s).
func WithKeepAlive(d time.Duration) Option { return func(c *config) { c.keepAlive = d } }

// WithoutMissingAccounts stops the server from answering an accounts query
// by id with NonExist records for the ids it does not know, which the real
// server does.
func WithoutMissingAccounts() Option { return func(c *config) { c.missing = false } }

// WithLogf sets where the server reports what it drops or rejects
// (default: nowhere).
func WithLogf(f func(format string, args ...any)) Option { return func(c *config) { c.logf = f } }

// NewServer starts a server on loopback, like httptest.NewServer; it panics
// if it cannot. Close it when done.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(fmt.Sprintf("everostest: %v", err))
	}
	return s
}

// Start starts a server and returns the errors NewServer panics with.
func Start(opts ...Option) (*Server, error) {
	cfg := config{
		addr: "127.0.0.1:0", executor: DefaultExecutor{}, clock: realClock{}, version: "0.67.0",
		maxTimeout: 40 * time.Second, maxLimit: 50, keepAlive: 10 * time.Second, missing: true,
		logf: func(string, ...any) {},
	}
	for _, o := range opts {
		o(&cfg)
	}
	schema, err := Schema()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, schema: schema, accounts: map[string]*stored{}, changed: make(chan struct{}),
		subs: map[*subscriber]struct{}{}, seen: map[[32]byte]bool{}, conns: map[net.Conn]struct{}{}, ws: map[*wsConn]struct{}{},
		queue: make(chan queued, 1024), done: make(chan struct{}),
	}
	if err := s.loadState(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
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
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.http.Serve(s.ln)
	}()
	go func() {
		defer s.wg.Done()
		s.worker()
	}()
	return s, nil
}

// Close stops the server, its connections and its message processing.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.done)
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

// Now is the server's clock, skew included.
func (s *Server) Now() time.Time { return s.cfg.clock.Now().Add(s.skew()) }

func (s *Server) loadState() error {
	if s.cfg.stateDir != "" {
		if err := os.MkdirAll(s.cfg.stateDir, 0o700); err != nil {
			return fmt.Errorf("creating the emulator's state directory: %w", err)
		}
		snap, err := readSnapshot(s.cfg.stateDir)
		if err != nil {
			return err
		}
		if snap != nil {
			for _, a := range snap.Accounts {
				st, err := newStored(a)
				if err != nil {
					return fmt.Errorf("loading emulator state: %w", err)
				}
				s.accounts[st.Address] = st
			}
			for i := range snap.Transactions {
				t := &snap.Transactions[i]
				s.txs = append(s.txs, t)
				var h [32]byte
				if b, err := hex.DecodeString(t.InMsg); err == nil && len(b) == 32 {
					copy(h[:], b)
					s.seen[h] = true
				}
			}
			s.lt = snap.Lt
			return nil
		}
	}
	for _, a := range s.cfg.accounts {
		if err := s.putAccount(a); err != nil {
			return err
		}
	}
	return s.saveLocked()
}

// putAccount stores a; the caller holds s.mu or owns s alone.
func (s *Server) putAccount(a Account) error {
	if a.Type == everos.NonExist {
		addr, err := everos.NormalizeAddress(a.Address)
		if err != nil {
			return err
		}
		delete(s.accounts, addr)
		return nil
	}
	a.BOC = nil
	st, err := newStored(a)
	if err != nil {
		return err
	}
	s.accounts[st.Address] = st
	return nil
}

// putExecuted stores an account as an executor left it. An executor that
// produced the account's BOC itself (Everscale's executor does) sets it,
// and the server keeps it and answers with it. One that changed only the
// fields may return the BOC it was given, which then no longer describes
// the account, so that one is built again; the caller holds s.mu.
func (s *Server) putExecuted(a Account) error {
	if a.Type == everos.NonExist || a.BOC == nil {
		return s.putAccount(a)
	}
	st, err := newStored(a)
	if err != nil {
		return err
	}
	if prev, ok := s.accounts[st.Address]; ok && bytes.Equal(prev.BOC, a.BOC) {
		return s.putAccount(a)
	}
	s.accounts[st.Address] = st
	return nil
}

// saveLocked writes the state directory; the caller holds s.mu.
func (s *Server) saveLocked() error {
	if s.cfg.stateDir == "" {
		return nil
	}
	snap := &snapshot{Lt: s.lt}
	keys := make([]string, 0, len(s.accounts))
	for k := range s.accounts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		snap.Accounts = append(snap.Accounts, s.accounts[k].Account)
	}
	for _, t := range s.txs {
		snap.Transactions = append(snap.Transactions, *t)
	}
	return writeSnapshot(s.cfg.stateDir, snap)
}

// SetAccount creates or replaces an account (NonExist deletes it).
func (s *Server) SetAccount(a Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.putAccount(a); err != nil {
		return fmt.Errorf("setting account %s: %w", a.Address, err)
	}
	s.notifyLocked(nil)
	return s.saveLocked()
}

// Account returns an account's state.
func (s *Server) Account(addr string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accountLocked(addr)
}

func (s *Server) accountLocked(addr string) (Account, bool) {
	a, err := everos.NormalizeAddress(addr)
	if err != nil {
		return Account{}, false
	}
	st, ok := s.accounts[a]
	if !ok {
		return Account{}, false
	}
	return st.Account.clone(), true
}

// Transactions returns every transaction so far, oldest first.
func (s *Server) Transactions() []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Transaction, len(s.txs))
	for i, t := range s.txs {
		out[i] = *t
	}
	return out
}

// Deliver executes a message as if posted, bypassing faults and the
// memory of messages posted before (an external message runs again even
// if it ran already); for tests and for funding accounts with internal
// messages. An external message it executes counts as posted from then on.
func (s *Server) Deliver(boc []byte, expireAt time.Time) error {
	m, err := ParseMessage(boc)
	if err != nil {
		return err
	}
	s.process(queued{msg: m, expireAt: expireAt})
	return nil
}

// queued is a message waiting for execution.
type queued struct {
	msg      *Message
	expireAt time.Time
	// posted is set for a message that postRequests took: it is in seen
	// until it turns out not to be executed.
	posted bool
}

func (s *Server) worker() {
	for {
		select {
		case <-s.done:
			return
		case q := <-s.queue:
			if d := s.cfg.blockDelay; d > 0 {
				select {
				case <-s.done:
					return
				case <-time.After(d):
				}
			}
			s.process(q)
		}
	}
}

// maxCascade bounds the internal messages one external message may cause.
const maxCascade = 256

// stateView gives an Executor the accounts; the server's lock is held.
type stateView struct{ s *Server }

func (v stateView) Account(addr string) (Account, bool) { return v.s.accountLocked(addr) }

// process executes a message and the internal messages it causes.
func (s *Server) process(first queued) {
	pending := []queued{first}
	for n := 0; len(pending) > 0; n++ {
		q := pending[0]
		pending = pending[1:]
		if n >= maxCascade {
			s.cfg.logf("everostest: dropping message %x: more than %d messages in one cascade", q.msg.Hash, maxCascade)
			continue
		}
		out, err := s.execute(q)
		if err != nil {
			s.cfg.logf("everostest: %v", err)
			continue
		}
		for _, m := range out {
			if m.Kind == Internal && m.Dst != "" {
				pending = append(pending, queued{msg: m})
			}
		}
	}
}

// execute runs one message and records what it did. An external message
// that it executes is remembered, so that posting it again does nothing;
// one that it drops is forgotten, as the network forgets the external
// messages it refuses, so that it may be posted again.
func (s *Server) execute(q queued) ([]*Message, error) {
	out, err := s.runMessage(q)
	if q.msg.Kind == ExternalIn {
		s.mu.Lock()
		switch {
		case err == nil:
			s.seen[q.msg.Hash] = true
		case q.posted:
			delete(s.seen, q.msg.Hash)
		}
		s.mu.Unlock()
	}
	return out, err
}

func (s *Server) runMessage(q queued) ([]*Message, error) {
	now := s.Now()
	if !q.expireAt.IsZero() && !now.Before(q.expireAt) {
		return nil, fmt.Errorf("dropping message %x: expired at %s, now %s", q.msg.Hash, q.expireAt, now)
	}
	if err := q.msg.CheckInit(); err != nil {
		return nil, fmt.Errorf("dropping message %x: %v", q.msg.Hash, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.cfg.executor.Execute(Env{Now: now, Lt: s.lt + 1}, Inbound{Message: q.msg, ExpireAt: q.expireAt}, stateView{s})
	if err != nil {
		return nil, fmt.Errorf("message %x to %s not executed: %v", q.msg.Hash, q.msg.Dst, err)
	}
	out, err := s.applyLocked(now, res)
	if err != nil {
		return nil, fmt.Errorf("message %x: %v", q.msg.Hash, err)
	}
	if err := s.saveLocked(); err != nil {
		s.cfg.logf("everostest: %v", err)
	}
	return out, nil
}

// applyLocked records an execution's result and returns its out messages.
func (s *Server) applyLocked(now time.Time, res *Result) ([]*Message, error) {
	if res == nil {
		return nil, errors.New("executor returned no result")
	}
	var out []*Message
	for _, b := range res.OutMessages {
		m, err := ParseMessage(b)
		if err != nil {
			return nil, fmt.Errorf("outbound message: %w", err)
		}
		out = append(out, m)
	}
	lastLt := map[string]uint64{}
	var txs []*Transaction
	for i := range res.Transactions {
		t := res.Transactions[i]
		addr, err := everos.NormalizeAddress(t.Account)
		if err != nil {
			return nil, fmt.Errorf("transaction: %w", err)
		}
		t.Account = addr
		s.lt++
		t.Lt, t.Now = s.lt, uint32(now.Unix())
		if t.TotalFees == nil {
			t.TotalFees = new(big.Int)
		}
		if t.BalanceDelta == nil {
			t.BalanceDelta = new(big.Int)
		}
		if t.ID == "" {
			t.ID = syntheticTxID(&t)
		}
		lastLt[addr] = t.Lt
		txs = append(txs, &t)
	}
	// Out messages belong to the first transaction on their source.
	for _, m := range out {
		for _, t := range txs {
			if t.Account == m.Src || m.Src == "" {
				t.OutMsgs = append(t.OutMsgs, hexID(m.Hash))
				break
			}
		}
	}
	for _, a := range res.Accounts {
		if addr, err := everos.NormalizeAddress(a.Address); err == nil {
			if lt, ok := lastLt[addr]; ok {
				a.LastTransLt = lt
			}
		}
		if err := s.putExecuted(a); err != nil {
			return nil, fmt.Errorf("account: %w", err)
		}
	}
	s.txs = append(s.txs, txs...)
	s.notifyLocked(txs)
	return out, nil
}

func syntheticTxID(t *Transaction) string {
	h := sha256.New()
	h.Write([]byte("everostest transaction\x00" + t.Account + "\x00" + t.InMsg + "\x00"))
	binary.Write(h, binary.BigEndian, t.Lt)
	return hex.EncodeToString(h.Sum(nil))
}

func hexID(h [32]byte) string { return hex.EncodeToString(h[:]) }

// notifyLocked wakes waiting queries and feeds subscriptions.
func (s *Server) notifyLocked(txs []*Transaction) {
	close(s.changed)
	s.changed = make(chan struct{})
	for sub := range s.subs {
		for _, t := range txs {
			sub.offerTx(t)
		}
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
		return http.StatusOK, e.result(e.selectObject(p.op.SelectionSet, "Query", s.queryRoot(e), nil))
	case ast.Mutation:
		if get {
			return http.StatusMethodNotAllowed, errorsBody([]gqlError{newError(codeBadUserInput, "GET supports only query operation", nil, nil)})
		}
		return http.StatusOK, e.result(e.selectObject(p.op.SelectionSet, "Mutation", s.mutationRoot(e), nil))
	}
	return http.StatusBadRequest, errorsBody([]gqlError{newError(codeBadUserInput,
		"Subscriptions are served over websocket (graphql-ws), not over HTTP.", p.op.Position, nil)})
}
