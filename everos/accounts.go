package everos

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"golang.org/x/sync/errgroup"

	"github.com/gosh-sh/sign-cli/account"
)

// AccountType is an account's status, numbered as the API's acc_type: the
// one status type of package account, named here as the client's callers
// know it.
type AccountType = account.Status

// Account statuses.
const (
	Uninit   = account.Uninit
	Active   = account.Active
	Frozen   = account.Frozen
	NonExist = account.NonExist
)

// Account is the state of an account as the API reports it.
type Account struct {
	Address string // "wc:hex", lower case
	Type    AccountType
	Balance *big.Int // nano tokens; zero for a non-existent account
	// CodeHash and DataHash are the representation hashes of code and data
	// (nil when the account has none).
	CodeHash, DataHash []byte
	// Code, Data and BOC are bags of cells: the code, the data and the
	// whole account (nil when absent).
	Code, Data, BOC []byte
	LastPaid        uint32 // Unix seconds
	LastTransLt     uint64
	// Endpoint is the endpoint that gave this answer (without its query
	// string): what a verdict built on the answer relies on.
	Endpoint string
}

// Exists reports whether the account is known to the network at all.
func (a *Account) Exists() bool { return a.Type != NonExist }

// NormalizeAddress lower-cases a raw address "wc:hex" and checks its shape.
func NormalizeAddress(addr string) (string, error) {
	wc, h, ok := strings.Cut(strings.TrimSpace(addr), ":")
	if !ok {
		return "", fmt.Errorf("parsing address %q: want workchain:hex", addr)
	}
	if _, err := strconv.ParseInt(wc, 10, 32); err != nil {
		return "", fmt.Errorf("parsing address %q: bad workchain: %w", addr, err)
	}
	if len(h) != 64 {
		return "", fmt.Errorf("parsing address %q: want 64 hex digits, have %d", addr, len(h))
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("parsing address %q: %w", addr, err)
	}
	return wc + ":" + strings.ToLower(h), nil
}

// Account reads one account. A missing account is returned with Type
// NonExist, not as an error.
func (c *Client) Account(ctx context.Context, addr string) (*Account, error) {
	a, err := NormalizeAddress(addr)
	if err != nil {
		return nil, err
	}
	data, endpoint, err := c.queryAt(ctx, request{Query: queryAccount, Variables: map[string]any{"a": a}})
	if err != nil {
		return nil, fmt.Errorf("querying the account: %w", err) // the caller names it
	}
	for _, v := range data.Get("accounts").Array() {
		acc, err := parseAccount(v)
		if err != nil {
			return nil, err
		}
		if acc.Address == a {
			acc.Endpoint = endpoint
			return acc, nil
		}
	}
	acc := nonExistent(a)
	acc.Endpoint = endpoint
	return acc, nil
}

// Accounts reads many accounts in as few requests as the server's result
// cap allows, Config.ParallelRequests of them at a time. The result has one entry per address, in the order given;
// duplicates are asked for once.
func (c *Client) Accounts(ctx context.Context, addrs []string) ([]*Account, error) {
	norm := make([]string, len(addrs))
	var unique []string
	seen := map[string]bool{}
	for i, addr := range addrs {
		a, err := NormalizeAddress(addr)
		if err != nil {
			return nil, err
		}
		norm[i] = a
		if !seen[a] {
			seen[a] = true
			unique = append(unique, a)
		}
	}
	var chunks [][]string
	for start := 0; start < len(unique); start += c.cfg.AccountsPerRequest {
		chunks = append(chunks, unique[start:min(start+c.cfg.AccountsPerRequest, len(unique))])
	}
	results := make([][]*Account, len(chunks))
	// The first failure is the one to report: it cancels the other chunks,
	// whose errors are mostly that cancellation.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.ParallelRequests)
	for i, chunk := range chunks {
		g.Go(func() error {
			var err error
			results[i], err = c.accountsChunk(gctx, chunk)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	found := map[string]*Account{}
	for _, res := range results {
		for _, acc := range res {
			found[acc.Address] = acc
		}
	}
	out := make([]*Account, len(norm))
	for i, a := range norm {
		if acc, ok := found[a]; ok {
			out[i] = acc
		} else {
			out[i] = nonExistent(a)
		}
	}
	return out, nil
}

// accountsChunk asks for the accounts of one chunk. A server may return
// fewer records than asked for, because it caps the result below the
// chunk size: the addresses it did not mention are asked for again until
// a request brings nothing new, so that no existing account is taken for
// a missing one. (The real server names every address it was asked for,
// with NonExist records for missing ones, and needs one request.)
func (c *Client) accountsChunk(ctx context.Context, chunk []string) ([]*Account, error) {
	var out []*Account
	var endpoint string
	ask := chunk
	for len(ask) > 0 {
		data, ep, err := c.queryAt(ctx, request{Query: queryAccounts, Variables: map[string]any{"ids": ask, "n": len(ask)}})
		if err != nil {
			return nil, fmt.Errorf("querying %d accounts: %w", len(ask), err)
		}
		endpoint = ep
		named := map[string]bool{}
		for _, v := range data.Get("accounts").Array() {
			acc, err := parseAccount(v)
			if err != nil {
				return nil, err
			}
			acc.Endpoint = ep
			if !named[acc.Address] {
				named[acc.Address] = true
				out = append(out, acc)
			}
		}
		var rest []string
		for _, a := range ask {
			if !named[a] {
				rest = append(rest, a)
			}
		}
		if len(rest) == len(ask) {
			break // nothing new: the rest do not exist
		}
		ask = rest
	}
	for _, a := range ask { // the last answer named none of these: they do not exist
		acc := nonExistent(a)
		acc.Endpoint = endpoint
		out = append(out, acc)
	}
	return out, nil
}

func nonExistent(addr string) *Account {
	return &Account{Address: addr, Type: NonExist, Balance: new(big.Int)}
}

// accountRecord holds the fields of an account record that parseAccount reads.
type accountRecord struct {
	id, accType, balance, lastTransLt, lastPaid, codeHash, dataHash, code, data, boc gjson.Result
}

func (f *accountRecord) field(name string) *gjson.Result {
	switch name {
	case "id":
		return &f.id
	case "acc_type":
		return &f.accType
	case "balance":
		return &f.balance
	case "last_trans_lt":
		return &f.lastTransLt
	case "last_paid":
		return &f.lastPaid
	case "code_hash":
		return &f.codeHash
	case "data_hash":
		return &f.dataHash
	case "code":
		return &f.code
	case "data":
		return &f.data
	case "boc":
		return &f.boc
	}
	return nil
}

// parseAccount reads one element of an accounts result.
func parseAccount(v gjson.Result) (*Account, error) {
	// One pass over the record: a batched answer holds thousands, and
	// each Get would scan the record again. The first of repeated keys
	// counts, as with Get.
	var f accountRecord
	v.ForEach(func(k, val gjson.Result) bool {
		if p := f.field(k.Str); p != nil && !p.Exists() {
			*p = val
		}
		return true
	})
	id := f.id.String()
	addr, err := NormalizeAddress(id)
	if err != nil {
		return nil, fmt.Errorf("reading account: %w", err)
	}
	acc := &Account{Address: addr, Balance: new(big.Int)}
	t := f.accType
	if t.Type != gjson.Number {
		return nil, fmt.Errorf("reading account %s: acc_type %q is not a number", addr, t.Raw)
	}
	acc.Type = AccountType(t.Int())
	if !acc.Type.Valid() {
		return nil, fmt.Errorf("reading account %s: unknown acc_type %d", addr, acc.Type)
	}
	if b := f.balance; b.Exists() && b.Type != gjson.Null {
		if acc.Balance, err = ParseBigInt(b.String()); err != nil {
			return nil, fmt.Errorf("reading balance of %s: %w", addr, err)
		}
	}
	if lt := f.lastTransLt; lt.Exists() && lt.Type != gjson.Null {
		n, err := ParseBigInt(lt.String())
		if err != nil || !n.IsUint64() {
			return nil, fmt.Errorf("reading last_trans_lt of %s: %q is not a 64-bit number", addr, lt.String())
		}
		acc.LastTransLt = n.Uint64()
	}
	acc.LastPaid = uint32(f.lastPaid.Uint())
	for _, fd := range []struct {
		name string
		dst  *[]byte
		hex  bool
	}{
		{"code_hash", &acc.CodeHash, true}, {"data_hash", &acc.DataHash, true},
		{"code", &acc.Code, false}, {"data", &acc.Data, false}, {"boc", &acc.BOC, false},
	} {
		s := f.field(fd.name).String()
		if s == "" {
			continue
		}
		var b []byte
		if fd.hex {
			b, err = hex.DecodeString(s)
		} else {
			b, err = base64.StdEncoding.DecodeString(s)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s of %s: %w", fd.name, addr, err)
		}
		*fd.dst = b
	}
	return acc, nil
}

// ParseBigInt reads a big integer as the API writes it: "0x…" hexadecimal
// (the default format, "-0x…" when negative) or decimal.
func ParseBigInt(s string) (*big.Int, error) {
	neg := false
	t := s
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	}
	base := 10
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		base, t = 16, t[2:]
	}
	if t == "" || strings.ContainsAny(t, "+-_") {
		return nil, fmt.Errorf("parsing big integer %q: not a number", s)
	}
	n, ok := new(big.Int).SetString(t, base)
	if !ok {
		return nil, fmt.Errorf("parsing big integer %q: not a number", s)
	}
	if neg {
		n.Neg(n)
	}
	return n, nil
}

// CodeByHash reads the code (a bag of cells) of an account whose code has
// the hash h, from any account that runs it; nil when no account does.
// The endpoint is trusted for nothing: the caller checks the code's hash.
func (c *Client) CodeByHash(ctx context.Context, h [32]byte) ([]byte, error) {
	data, err := c.query(ctx, request{Query: queryCodeByHash, Variables: map[string]any{"h": hex.EncodeToString(h[:])}})
	if err != nil {
		return nil, fmt.Errorf("querying the code of hash %x: %w", h, err)
	}
	for _, v := range data.Get("accounts").Array() {
		s := v.Get("code").String()
		if s == "" {
			continue
		}
		code, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("reading the code of hash %x: %w", h, err)
		}
		return code, nil
	}
	return nil, nil
}
