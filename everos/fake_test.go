package everos

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tidwall/gjson"
)

// fakeReq is one request a fake server received.
type fakeReq struct {
	Query string
	Vars  gjson.Result
	Auth  string
}

// fake is an httptest server whose answers a test scripts: handle gets the
// request number (from 0) and the request and returns status and body.
type fake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []fakeReq
	handle func(n int, r fakeReq) (int, string)
	// ws, when set, serves websocket upgrades.
	ws func(conn *websocket.Conn)
}

func newFake(t *testing.T, handle func(n int, r fakeReq) (int, string)) *fake {
	t.Helper()
	f := &fake{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if f.ws != nil && websocket.IsWebSocketUpgrade(req) {
			up := websocket.Upgrader{Subprotocols: []string{"graphql-ws"}}
			conn, err := up.Upgrade(w, req, nil)
			if err != nil {
				return
			}
			defer conn.Close()
			f.ws(conn)
			return
		}
		if req.Method != http.MethodPost || req.URL.Path != "/graphql" || req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request shape", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(req.Body)
		j := gjson.ParseBytes(b)
		r := fakeReq{Query: j.Get("query").String(), Vars: j.Get("variables"), Auth: req.Header.Get("Authorization")}
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, r)
		f.mu.Unlock()
		status, body := f.handle(n, r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeReq(nil), f.reqs...)
}

func (f *fake) count() int { return len(f.requests()) }

// testClient is a client of the given endpoints with fast retries.
func testClient(t *testing.T, cfg Config, endpoints ...string) *Client {
	t.Helper()
	cfg.Endpoints = endpoints
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = time.Millisecond
		cfg.RetryMaxDelay = 4 * time.Millisecond
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ok(data string) (int, string) { return 200, `{"data":` + data + `}` }

func infoAt(ms int64) string {
	return `{"info":{"version":"0.67.0","time":` + itoa(ms) + `,"latency":10}}`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
