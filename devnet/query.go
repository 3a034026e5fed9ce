package devnet

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gosh-sh/sign-cli/everos"
)

// The root types: what a query and a mutation start from. Their fields
// read the ledger under its lock and return the objects of fields.go.

var queryType = &objectType[*execution]{name: "Query", fields: map[string]field[*execution]{
	"info": {resolve: func(e *execution, _ map[string]any) (any, error) {
		return infoType.resolver(info{version: e.s.cfg.version, now: e.s.Now()}), nil
	}},
	"accounts":     {resolve: (*execution).accounts},
	"transactions": {resolve: (*execution).transactions},
	"messages":     {resolve: (*execution).messages},
	"blocks":       {resolve: (*execution).blocks},
	"blocks_signatures": {resolve: func(e *execution, args map[string]any) (any, error) {
		return e.blockCollection(args, blockSignaturesType, true)
	}},
	"blockchain": {resolve: func(e *execution, _ map[string]any) (any, error) {
		return blockchainType.resolver(e), nil
	}},
}}

var mutationType = &objectType[*execution]{name: "Mutation", fields: map[string]field[*execution]{
	"postRequests": {resolve: (*execution).postRequests},
}}

var blockchainType = &objectType[*execution]{name: "BlockchainQuery", fields: map[string]field[*execution]{
	"account": {resolve: (*execution).blockchainAccount},
}}

// blockchainAccount is what BlockchainAccountQuery reads: one address.
type blockchainAccount struct {
	s    *Server
	addr string
}

var blockchainAccountQueryType = &objectType[blockchainAccount]{name: "BlockchainAccountQuery", fields: map[string]field[blockchainAccount]{
	"info": {resolve: func(b blockchainAccount, args map[string]any) (any, error) {
		if by, ok := args["byBlock"].(string); ok && by != "" {
			return nil, errUnsupported{"argument byBlock"}
		}
		var st *stored
		b.s.read(func() { st = b.s.account(b.addr) })
		return accountResolver(blockchainAccountType, b.addr, st), nil
	}},
}}

func (e *execution) blockchainAccount(args map[string]any) (any, error) {
	raw, _ := args["address"].(string)
	addr, err := everos.NormalizeAddress(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid account address %q", raw)
	}
	return blockchainAccountQueryType.resolver(blockchainAccount{s: e.s, addr: addr}), nil
}

// collectionArgs are the arguments every collection query takes.
type collectionArgs struct {
	filter  map[string]any
	order   []orderKey
	limit   int
	timeout time.Duration
}

type orderKey struct {
	path string
	desc bool
}

func (s *Server) collection(args map[string]any) (collectionArgs, error) {
	c := collectionArgs{limit: s.cfg.maxLimit}
	c.filter, _ = args["filter"].(map[string]any)
	var keys []any
	switch ob := args["orderBy"].(type) {
	case nil:
	case []any:
		keys = ob
	default:
		keys = []any{ob}
	}
	for _, k := range keys {
		m, _ := k.(map[string]any)
		path, _ := m["path"].(string)
		dir, _ := m["direction"].(string)
		c.order = append(c.order, orderKey{path: path, desc: dir == "DESC"})
	}
	if v, ok := args["limit"]; ok && v != nil {
		n, _ := argInt(v)
		if n > 0 && int(n) < c.limit {
			c.limit = int(n)
		}
	}
	if v, ok := args["timeout"]; ok && v != nil {
		ms, _ := argFloat(v)
		c.timeout = min(time.Duration(ms*float64(time.Millisecond)), s.cfg.maxTimeout)
	}
	return c, nil
}

// wait evaluates find, with the ledger's lock held, until it returns
// something or the timeout passes, evaluating it again after every change
// of the ledger.
func (s *Server) wait(ctx context.Context, timeout time.Duration, find func() ([]resolver, error)) ([]resolver, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		var res []resolver
		var err error
		changed := s.read(func() { res, err = find() })
		if err != nil || len(res) > 0 || timeout <= 0 {
			return res, err
		}
		select {
		case <-changed:
		case <-deadline.C:
			return res, nil
		case <-ctx.Done():
			return res, nil
		case <-s.done:
			return res, nil
		}
	}
}

// collect answers a query on a collection of typ: the objects that list
// gives for the filter (with the ledger's lock held; every object the
// filter may match, in the collection's order), filtered, sorted and
// limited, and waited for when the query asks for a timeout. extra may add
// records after them; empty is an object with no field set.
func collect[T any](e *execution, args map[string]any, typ *objectType[T], empty T, list func(filter map[string]any) []T, extra func(c collectionArgs, out []resolver) []resolver) (any, error) {
	c, err := e.s.collection(args)
	if err != nil {
		return nil, err
	}
	// Check the filter and the order on empty objects, so that an
	// unsupported one is reported when nothing matches either.
	if _, err := selectRecords(c, typ.name, []record{{get: typ.getter(empty)}, {get: typ.getter(empty)}}); err != nil {
		return nil, err
	}
	return e.s.wait(e.ctx, c.timeout, func() ([]resolver, error) {
		objs := list(c.filter)
		all := make([]record, 0, len(objs))
		for _, v := range objs {
			all = append(all, record{get: typ.getter(v), r: typ.resolver(v)})
		}
		out, err := selectRecords(c, typ.name, all)
		if err != nil || extra == nil {
			return out, err
		}
		return extra(c, out), nil
	})
}

func (e *execution) accounts(args map[string]any) (any, error) {
	s := e.s
	byAddress := func(filter map[string]any) []*stored {
		keys, ok := indexed(filter, "id")
		if !ok {
			keys = append(slices.Collect(maps.Keys(s.accounts)), s.forgedAddresses()...)
		}
		out := make([]*stored, 0, len(keys))
		for _, k := range keys {
			if a, err := everos.NormalizeAddress(k); err == nil {
				k = a
			}
			if st := s.account(k); st != nil {
				out = append(out, st)
			}
		}
		slices.SortFunc(out, func(a, b *stored) int { return strings.Compare(a.Address, b.Address) })
		return slices.CompactFunc(out, func(a, b *stored) bool { return a == b })
	}
	// The NonExist records of the ids asked for that no account has.
	missing := func(c collectionArgs, out []resolver) []resolver {
		if !s.cfg.missing {
			return out
		}
		added := map[string]bool{}
		for _, id := range idsFiltered(c.filter) {
			if s.account(id) == nil && !added[id] && len(out) < c.limit {
				added[id] = true
				out = append(out, accountResolver(accountType, id, nil))
			}
		}
		return out
	}
	return collect(e, args, accountType, &stored{}, byAddress, missing)
}

func (e *execution) transactions(args map[string]any) (any, error) {
	l := e.s.Ledger
	list := func(filter map[string]any) []*Transaction {
		var out []*Transaction
		switch {
		case lookup(filter, "id", &out, func(id string) []*Transaction { return one(l.txByID[id]) }):
		case lookup(filter, "in_msg", &out, func(id string) []*Transaction { return l.txByInMsg[id] }):
		case lookup(filter, "account_addr", &out, func(addr string) []*Transaction {
			if a, err := everos.NormalizeAddress(addr); err == nil {
				addr = a
			}
			return l.txByAccount[addr]
		}):
		default:
			return l.txs
		}
		slices.SortFunc(out, func(a, b *Transaction) int { return a.seq - b.seq })
		return slices.CompactFunc(out, func(a, b *Transaction) bool { return a == b })
	}
	return collect(e, args, transactionType, &Transaction{}, list, nil)
}

func (e *execution) messages(args map[string]any) (any, error) {
	l := e.s.Ledger
	list := func(filter map[string]any) []*Message {
		var out []*Message
		if !lookup(filter, "id", &out, func(id string) []*Message { return one(l.msgs[id]) }) {
			return l.msgList
		}
		slices.SortFunc(out, func(a, b *Message) int { return a.seq - b.seq })
		return slices.CompactFunc(out, func(a, b *Message) bool { return a == b })
	}
	return collect(e, args, messageType, emptyMessage(), list, nil)
}

// indexed returns the values a filter requires of a field (its eq, or its
// in list), and false when it requires none: the filter does not name the
// field that way, or it has an OR, which may match without the field.
func indexed(filter map[string]any, field string) ([]string, bool) {
	if _, or := filter["OR"]; or {
		return nil, false
	}
	cond, _ := filter[field].(map[string]any)
	if eq, ok := cond["eq"].(string); ok {
		return []string{eq}, true
	}
	in, ok := cond["in"].([]any)
	if !ok {
		return nil, false
	}
	vals := make([]string, 0, len(in))
	for _, v := range in {
		if s, ok := v.(string); ok {
			vals = append(vals, s)
		}
	}
	return vals, true
}

// lookup sets *out to the objects an index gives for the values the filter
// requires of field, and reports whether it requires any.
func lookup[T any](filter map[string]any, field string, out *[]T, index func(string) []T) bool {
	vals, ok := indexed(filter, field)
	if !ok {
		return false
	}
	for _, v := range vals {
		*out = append(*out, index(v)...)
	}
	return true
}

// one is a list of v, empty when v is nil.
func one[T any](v *T) []*T {
	if v == nil {
		return nil
	}
	return []*T{v}
}

func (e *execution) postRequests(args map[string]any) (any, error) {
	reqs, _ := args["requests"].([]any)
	var ids []any
	for i, r := range reqs {
		m, _ := r.(map[string]any)
		id, err := e.s.postRequest(m)
		if err != nil {
			return nil, fmt.Errorf("request %d: %w", i, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// postRequest accepts one external message for execution.
func (s *Server) postRequest(r map[string]any) (string, error) {
	id, _ := r["id"].(string)
	body, _ := r["body"].(string)
	boc, err := base64.StdEncoding.DecodeString(body)
	if err != nil || len(boc) == 0 {
		return "", errors.New("body is not a base64 message")
	}
	m, err := ParseMessage(boc)
	if err != nil {
		return "", err
	}
	if m.Kind != ExternalIn {
		return "", fmt.Errorf("message %x is %v, only external inbound messages can be posted", m.Hash, m.Kind)
	}
	hash, err := base64.StdEncoding.DecodeString(id)
	if err != nil || !bytes.Equal(hash, m.Hash[:]) {
		return "", fmt.Errorf("id %q is not the base64 hash of the message (%s)", id, base64.StdEncoding.EncodeToString(m.Hash[:]))
	}
	var expire time.Time
	if v, ok := r["expireAt"]; ok && v != nil {
		ms, _ := argFloat(v)
		expire = time.UnixMilli(int64(ms))
	}
	if s.faultLose() {
		s.cfg.logf("devnet: losing message %x to %s as asked", m.Hash, m.Dst)
		return id, nil
	}
	if err := s.post(m, expire); err != nil {
		return "", err
	}
	return id, nil
}
