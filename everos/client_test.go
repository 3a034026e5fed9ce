package everos

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failThen answers the first n requests with status/body, then with good.
func failThen(n int, status int, body string, good string) func(int, fakeReq) (int, string) {
	return func(i int, _ fakeReq) (int, string) {
		if i < n {
			return status, body
		}
		return ok(good)
	}
}

func TestQueryErrorsAndRetries(t *testing.T) {
	const good = `{"info":{"version":"1.0.0","time":1700000000000}}`
	validation := `{"errors":[{"message":"Cannot query field \"bogus\" on type \"Info\".","locations":[{"line":1,"column":7}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`
	tests := []struct {
		name      string
		handle    func(int, fakeReq) (int, string)
		retries   int
		wantCalls int
		check     func(error) bool
	}{
		{"ok", failThen(0, 0, "", good), 0, 1, func(e error) bool { return e == nil }},
		{"500 then ok", failThen(2, 500, "boom", good), 0, 3, func(e error) bool { return e == nil }},
		{"502 html then ok", failThen(1, 502, "<html>bad gateway</html>", good), 0, 2, func(e error) bool { return e == nil }},
		{"429 then ok", failThen(3, 429, `{"errors":[{"message":"rate limit"}]}`, good), 0, 4, func(e error) bool { return e == nil }},
		{"malformed JSON then ok", failThen(1, 200, `{"data":{"info":`, good), 0, 2, func(e error) bool { return e == nil }},
		{"500 forever", failThen(100, 500, "down", good), 2, 3, func(e error) bool {
			var he *HTTPError
			return errors.As(e, &he) && he.Status == 500 && strings.Contains(e.Error(), "giving up after 3 attempts")
		}},
		{"malformed forever", failThen(100, 200, "nope", good), 1, 2, func(e error) bool {
			var re *ResponseError
			return errors.As(e, &re)
		}},
		{"validation not retried", failThen(100, 400, validation, good), 0, 1, func(e error) bool {
			var ge *GraphQLError
			return errors.As(e, &ge) && ge.Validation() && ge.Status == 400 &&
				strings.Contains(e.Error(), `Cannot query field "bogus"`)
		}},
		{"execution error not retried", failThen(100, 200, `{"data":null,"errors":[{"message":"filter by foo is not supported","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`, good), 0, 1, func(e error) bool {
			var ge *GraphQLError
			return errors.As(e, &ge) && !ge.Validation() && ge.Messages[0] == "filter by foo is not supported"
		}},
		{"401 not retried", failThen(100, 401, "Unauthorized", good), 0, 1, func(e error) bool {
			var he *HTTPError
			return errors.As(e, &he) && he.Status == 401 && !he.Temporary()
		}},
		{"no data", failThen(100, 200, `{"data":null}`, good), 1, 2, func(e error) bool {
			var re *ResponseError
			return errors.As(e, &re)
		}},
		{"no info", failThen(100, 200, `{"data":{"info":null}}`, good), 0, 1, func(e error) bool {
			return e != nil && strings.Contains(e.Error(), "no info object")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.handle)
			c := testClient(t, Config{MaxRetries: tt.retries}, f.srv.URL)
			_, err := c.Info(t.Context())
			if !tt.check(err) {
				t.Errorf("Info error = %v", err)
			}
			if got := f.count(); got != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestFailoverToNextEndpoint(t *testing.T) {
	// A closed server refuses connections.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	bad := newFake(t, failThen(100, 503, "maintenance", ""))
	good := newFake(t, func(int, fakeReq) (int, string) { return ok(infoAt(1700000000000)) })
	c := testClient(t, Config{MaxRetries: 3}, deadURL, bad.srv.URL, good.srv.URL)
	if _, err := c.Info(t.Context()); err != nil {
		t.Fatalf("Info: %v", err)
	}
	if bad.count() != 1 || good.count() != 1 {
		t.Errorf("requests: bad %d good %d, want 1 and 1", bad.count(), good.count())
	}
	// The endpoint that worked stays current.
	if _, err := c.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	if bad.count() != 1 || good.count() != 2 {
		t.Errorf("after second query: bad %d good %d, want 1 and 2", bad.count(), good.count())
	}
	if got := c.Endpoints()[0]; got != good.srv.URL+"/graphql" {
		t.Errorf("preferred endpoint %s, want %s", got, good.srv.URL)
	}
}

func TestSelectionByLatency(t *testing.T) {
	slow := newFake(t, func(int, fakeReq) (int, string) {
		time.Sleep(150 * time.Millisecond)
		return ok(infoAt(1))
	})
	broken := newFake(t, func(int, fakeReq) (int, string) { return 500, "" })
	fast := newFake(t, func(int, fakeReq) (int, string) { return ok(infoAt(1)) })
	c := testClient(t, Config{Selection: ByLatency}, broken.srv.URL, slow.srv.URL, fast.srv.URL)
	if _, err := c.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{fast.srv.URL, slow.srv.URL, broken.srv.URL}
	for i, e := range c.Endpoints() {
		if e != want[i]+"/graphql" {
			t.Errorf("endpoint %d = %s, want %s", i, e, want[i])
		}
	}
	// One probe each, then the query went to the fast one.
	if fast.count() != 2 || slow.count() != 1 || broken.count() != 1 {
		t.Errorf("requests fast %d slow %d broken %d", fast.count(), slow.count(), broken.count())
	}
	st := c.Probe(t.Context())
	if st[0].Err == nil || st[1].Err != nil || st[2].Err != nil || st[2].Info.Version != "0.67.0" {
		t.Errorf("Probe = %+v", st)
	}
}

func TestAuthorizationSent(t *testing.T) {
	for _, secret := range []string{"", "projectsecret", "h.p.s"} {
		f := newFake(t, func(int, fakeReq) (int, string) { return ok(infoAt(1)) })
		c := testClient(t, Config{Secret: secret}, f.srv.URL)
		if _, err := c.Info(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := f.requests()[0].Auth; got != AuthHeader(secret) {
			t.Errorf("secret %q: Authorization %q, want %q", secret, got, AuthHeader(secret))
		}
	}
}

func TestContextEndsRetries(t *testing.T) {
	f := newFake(t, failThen(1000, 500, "", ""))
	c := testClient(t, Config{MaxRetries: 1000, RetryBaseDelay: 50 * time.Millisecond, RetryMaxDelay: 50 * time.Millisecond}, f.srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := c.Info(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want deadline exceeded", err)
	}
	// At most one attempt per 25ms (half the backoff window).
	if n := f.count(); n < 1 || n > 21 {
		t.Errorf("%d attempts in 500ms with 50ms backoff", n)
	}
}

func TestRequestTimeout(t *testing.T) {
	var calls atomic.Int32
	f := newFake(t, func(int, fakeReq) (int, string) {
		if calls.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		return ok(infoAt(1))
	})
	c := testClient(t, Config{RequestTimeout: 50 * time.Millisecond}, f.srv.URL)
	if _, err := c.Info(t.Context()); err != nil {
		t.Fatalf("Info after a timed-out attempt: %v", err)
	}
	if f.count() != 2 {
		t.Errorf("%d requests, want 2", f.count())
	}
}

func TestBackoffBounded(t *testing.T) {
	c := testClient(t, Config{RetryBaseDelay: 100 * time.Millisecond, RetryMaxDelay: time.Second}, "a.dev")
	for k := 0; k < 20; k++ {
		d := c.backoff(k)
		window := min(100*time.Millisecond<<min(k, 10), time.Second)
		if d < window/2 || d > window {
			t.Errorf("backoff(%d) = %v, want within [%v, %v]", k, d, window/2, window)
		}
	}
}

func TestServerClock(t *testing.T) {
	skew := 90 * time.Minute
	f := newFake(t, func(int, fakeReq) (int, string) {
		return ok(infoAt(time.Now().Add(skew).UnixMilli()))
	})
	c := testClient(t, Config{}, f.srv.URL)
	if c.ClockOffset() != 0 {
		t.Error("offset before any query")
	}
	st, err := c.ServerTime(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if d := st.Sub(time.Now().Add(skew)); d < -time.Second || d > time.Second {
		t.Errorf("ServerTime off by %v", d)
	}
	if off := c.ClockOffset(); off < skew-time.Second || off > skew+time.Second {
		t.Errorf("ClockOffset %v, want about %v", off, skew)
	}
	// Measured once; later calls do not ask again.
	c.ServerTime(t.Context())
	if f.count() != 1 {
		t.Errorf("%d info queries, want 1", f.count())
	}
}
