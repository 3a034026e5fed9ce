package devnet

import "time"

type config struct {
	addr          string
	executor      Executor
	clock         Clock
	stateDir      string
	accounts      []Account
	version       string
	secret        string
	maxTimeout    time.Duration
	maxLimit      int
	blockInterval time.Duration
	keepAlive     time.Duration
	missing       bool
	logf          func(format string, args ...any)
}

func defaultConfig() config {
	return config{
		addr: "127.0.0.1:0", executor: DefaultExecutor{}, clock: realClock{}, version: "0.67.0",
		maxTimeout: 40 * time.Second, maxLimit: 50, keepAlive: 10 * time.Second, missing: true,
		logf: func(string, ...any) {},
	}
}

// Option configures a Server.
type Option func(*config)

// WithAddr sets the listening address (default "127.0.0.1:0").
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithExecutor sets what messages do (default DefaultExecutor).
func WithExecutor(e Executor) Option { return func(c *config) { c.executor = e } }

// WithClock sets the ledger's clock (default the real one).
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithStateDir keeps the state in dir, loading it at start when present
// and saving every change as it happens (see journal.go).
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

// WithBlockInterval makes blocks every d, as validators do: what the
// ledger applies in an interval (every message posted, and the messages
// they cause) becomes visible together, in one shard block and one
// masterchain block, at its end. 0 (the default) makes a block of every
// message as soon as it is applied.
func WithBlockInterval(d time.Duration) Option { return func(c *config) { c.blockInterval = d } }

// WithBlockDelay is WithBlockInterval: a posted message shows its effects
// at the end of the interval it was applied in, at most d later.
func WithBlockDelay(d time.Duration) Option { return WithBlockInterval(d) }

// WithKeepAlive sets the interval of websocket "ka" messages (default 10s).
func WithKeepAlive(d time.Duration) Option { return func(c *config) { c.keepAlive = d } }

// WithoutMissingAccounts stops the server from answering an accounts query
// by id with NonExist records for the ids it does not know, which the real
// server does.
func WithoutMissingAccounts() Option { return func(c *config) { c.missing = false } }

// WithLogf sets where the server reports what it drops or rejects
// (default: nowhere).
func WithLogf(f func(format string, args ...any)) Option { return func(c *config) { c.logf = f } }
