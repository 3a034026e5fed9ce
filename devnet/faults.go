package devnet

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"sync"
	"time"
)

// faults are the failures a test has switched on. Counters count down as
// the faults happen; a negative count means "until reset".
type faults struct {
	mu          sync.Mutex
	failN       int
	failStatus  int
	latency     time.Duration
	refuseN     int
	wsDropAfter int // server messages per websocket before it is cut; 0 off
	malformedN  int
	loseN       int
	duplicate   bool
	skew        time.Duration
	forged      map[string]*stored // accounts served in place of the ledger's
}

func take(n *int) bool {
	switch {
	case *n > 0:
		*n--
		return true
	case *n < 0:
		return true
	}
	return false
}

// FailRequests answers the next n HTTP requests (queries, mutations and
// websocket upgrades) with the given status, for example 500, 503 or 429.
// A negative n fails every request until ResetFaults.
func (s *Server) FailRequests(n, status int) {
	s.f.mu.Lock()
	s.f.failN, s.f.failStatus = n, status
	s.f.mu.Unlock()
}

// SetLatency delays every HTTP request by d before it is handled.
func (s *Server) SetLatency(d time.Duration) {
	s.f.mu.Lock()
	s.f.latency = d
	s.f.mu.Unlock()
}

// RefuseConnections resets the next n connections as soon as they are
// accepted (negative: all until reset), and closes the connections that
// are open now so that clients have to connect again.
func (s *Server) RefuseConnections(n int) {
	s.f.mu.Lock()
	s.f.refuseN = n
	s.f.mu.Unlock()
	s.closeConns()
}

// DropWebsocketAfter cuts every websocket connection after the server has
// sent k messages on it (connection_ack and keep-alives included); 0
// switches the fault off.
func (s *Server) DropWebsocketAfter(k int) {
	s.f.mu.Lock()
	s.f.wsDropAfter = k
	s.f.mu.Unlock()
}

// MalformJSON makes the next n HTTP responses truncated, invalid JSON
// (status 200). Negative: until reset.
func (s *Server) MalformJSON(n int) {
	s.f.mu.Lock()
	s.f.malformedN = n
	s.f.mu.Unlock()
}

// LoseMessages makes the server accept the next n posted messages and then
// forget them, as a network that loses a message does. Negative: until
// reset.
func (s *Server) LoseMessages(n int) {
	s.f.mu.Lock()
	s.f.loseN = n
	s.f.mu.Unlock()
}

// DuplicateDelivery makes every subscription event arrive twice.
func (s *Server) DuplicateDelivery(on bool) {
	s.f.mu.Lock()
	s.f.duplicate = on
	s.f.mu.Unlock()
}

// SetClockSkew sets how far the server's clock is from its Clock: info.time,
// transaction times and expiry decisions all use the skewed time.
func (s *Server) SetClockSkew(d time.Duration) {
	s.f.mu.Lock()
	s.f.skew = d
	s.f.mu.Unlock()
}

// ForgeAccount makes the server answer for a's address with a, as a
// lying endpoint does: accounts queries and blockchain{account} serve it
// (and its BOC), but no transaction made it and no block holds one, and
// the ledger is untouched: messages to the address run on its real state.
// A forged proof account (active, the proof contract's code, data that
// claims a key and a content) is what a check that trusts the endpoint
// believes and one that verifies the chain refuses.
func (s *Server) ForgeAccount(a Account) error {
	a.BOC = nil
	st, err := newStored(a)
	if err != nil {
		return fmt.Errorf("forging account %s: %w", a.Address, err)
	}
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if s.f.forged == nil {
		s.f.forged = map[string]*stored{}
	}
	s.f.forged[st.Address] = st
	return nil
}

// account is the account the server serves at addr: a forged one, else
// the ledger's (nil for none); the ledger's lock is held.
func (s *Server) account(addr string) *stored {
	s.f.mu.Lock()
	st := s.f.forged[addr]
	s.f.mu.Unlock()
	if st != nil {
		return st
	}
	return s.accounts[addr]
}

// forgedAddresses are the addresses ForgeAccount serves.
func (s *Server) forgedAddresses() []string {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return slices.Collect(maps.Keys(s.f.forged))
}

// ResetFaults switches every fault off.
func (s *Server) ResetFaults() {
	s.f.mu.Lock()
	s.f.failN, s.f.latency, s.f.refuseN, s.f.wsDropAfter = 0, 0, 0, 0
	s.f.malformedN, s.f.loseN, s.f.duplicate, s.f.skew = 0, 0, false, 0
	s.f.forged = nil
	s.f.mu.Unlock()
}

func (s *Server) faultFailure() int {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if take(&s.f.failN) {
		return s.f.failStatus
	}
	return 0
}

func (s *Server) faultLatency() time.Duration {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return s.f.latency
}

func (s *Server) faultMalformed() bool {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return take(&s.f.malformedN)
}

func (s *Server) faultLose() bool {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return take(&s.f.loseN)
}

func (s *Server) faultRefuse() bool {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return take(&s.f.refuseN)
}

func (s *Server) faultDuplicate() bool {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return s.f.duplicate
}

func (s *Server) faultWSDrop() int {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return s.f.wsDropAfter
}

// skewedClock is the ledger's clock as SetClockSkew moves it.
type skewedClock struct {
	Clock
	f *faults
}

func (c skewedClock) Now() time.Time {
	c.f.mu.Lock()
	skew := c.f.skew
	c.f.mu.Unlock()
	return c.Clock.Now().Add(skew)
}

// faultListener resets the connections that RefuseConnections asks for.
type faultListener struct {
	net.Listener
	s *Server
}

func (l *faultListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if !l.s.faultRefuse() {
			return c, nil
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with RST: "connection reset by peer"
		}
		c.Close()
	}
}
