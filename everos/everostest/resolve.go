package everostest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/gosh-sh/sign-cli/everos"
	"github.com/vektah/gqlparser/v2/ast"
)

// formatBig writes a big integer as the API does: "0x" hex by default,
// decimal with format: DEC.
func formatBig(args map[string]any, n *big.Int) any {
	if n == nil {
		return nil
	}
	if f, _ := args["format"].(string); f == "DEC" {
		return n.String()
	}
	if n.Sign() < 0 {
		return "-0x" + new(big.Int).Neg(n).Text(16)
	}
	return "0x" + n.Text(16)
}

func b64(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return base64.StdEncoding.EncodeToString(b)
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var accountStatusNames = []string{"Uninit", "Active", "Frozen", "NonExist"}

func statusName(t everos.AccountType) any {
	if t < 0 || int(t) >= len(accountStatusNames) {
		return nil
	}
	return accountStatusNames[t]
}

func checkAddressFormat(args map[string]any) error {
	if f, ok := args["format"].(string); ok && f != "RAW" {
		return errUnsupported{"address format " + f}
	}
	return nil
}

// accountResolver answers Account (and BlockchainAccount, when blockchain
// is set) fields of a stored account; st is nil for a missing one.
func accountResolver(addr string, st *stored, blockchain bool) resolver {
	typ := "Account"
	if blockchain {
		typ = "BlockchainAccount"
	}
	return func(f *ast.Field, args map[string]any) (any, error) {
		if st == nil {
			switch f.Name {
			case "id", "address":
				if err := checkAddressFormat(args); err != nil {
					return nil, err
				}
				if blockchain && f.Name == "id" {
					return "account/" + addr, nil
				}
				return addr, nil
			case "acc_type":
				return int(everos.NonExist), nil
			case "acc_type_name":
				return statusName(everos.NonExist), nil
			case "workchain_id":
				wc, _, _ := strings.Cut(addr, ":")
				var n int
				fmt.Sscan(wc, &n)
				return n, nil
			}
			return nil, nil
		}
		a := &st.Account
		switch f.Name {
		case "id", "address":
			if err := checkAddressFormat(args); err != nil {
				return nil, err
			}
			if blockchain && f.Name == "id" {
				return "account/" + a.Address, nil
			}
			return a.Address, nil
		case "workchain_id":
			wc, _, _ := strings.Cut(a.Address, ":")
			var n int
			fmt.Sscan(wc, &n)
			return n, nil
		case "acc_type":
			return int(a.Type), nil
		case "acc_type_name":
			return statusName(a.Type), nil
		case "balance":
			return formatBig(args, a.Balance), nil
		case "boc":
			return b64(a.BOC), nil
		case "code":
			return b64(a.Code), nil
		case "data":
			return b64(a.Data), nil
		case "code_hash":
			return orNil(st.codeHash), nil
		case "data_hash":
			return orNil(st.dataHash), nil
		case "last_paid":
			return float64(a.LastPaid), nil
		case "last_trans_lt":
			return formatBig(args, new(big.Int).SetUint64(a.LastTransLt)), nil
		case "library", "library_hash", "split_depth", "tick", "tock", "due_payment", "balance_other":
			return nil, nil // the emulator's accounts never have these
		}
		return nil, unsupportedField(typ, f)
	}
}

var (
	skipReasonNames = []string{"NoState", "BadState", "NoGas"}
	txStatusNames   = []string{"Unknown", "Preliminary", "Proposed", "Finalized", "Refused"}
)

const txFinalized = 3

func transactionResolver(t *Transaction) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		switch f.Name {
		case "id":
			return t.ID, nil
		case "account_addr":
			if err := checkAddressFormat(args); err != nil {
				return nil, err
			}
			return t.Account, nil
		case "workchain_id":
			wc, _, _ := strings.Cut(t.Account, ":")
			var n int
			fmt.Sscan(wc, &n)
			return n, nil
		case "aborted":
			return t.Aborted, nil
		case "in_msg":
			return t.InMsg, nil
		case "out_msgs":
			return append([]string{}, t.OutMsgs...), nil
		case "outmsg_cnt":
			return len(t.OutMsgs), nil
		case "lt":
			return formatBig(args, new(big.Int).SetUint64(t.Lt)), nil
		case "now":
			return float64(t.Now), nil
		case "now_string":
			return time.Unix(int64(t.Now), 0).UTC().Format("2006-01-02 15:04:05.000"), nil
		case "status":
			return txFinalized, nil
		case "status_name":
			return txStatusNames[txFinalized], nil
		case "tr_type":
			return 0, nil
		case "tr_type_name":
			return "Ordinary", nil
		case "orig_status":
			return int(t.OrigStatus), nil
		case "orig_status_name":
			return statusName(t.OrigStatus), nil
		case "end_status":
			return int(t.EndStatus), nil
		case "end_status_name":
			return statusName(t.EndStatus), nil
		case "total_fees":
			return formatBig(args, t.TotalFees), nil
		case "balance_delta":
			return formatBig(args, t.BalanceDelta), nil
		case "boc":
			return b64(t.BOC), nil
		case "destroyed":
			return false, nil
		case "compute":
			return computeResolver(t), nil
		case "action":
			if t.ComputeSkipped || !t.ComputeSuccess() {
				return nil, nil // no action phase after a failed compute phase
			}
			return actionResolver(t), nil
		}
		return nil, unsupportedField("Transaction", f)
	}
}

func computeResolver(t *Transaction) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		switch f.Name {
		case "compute_type":
			if t.ComputeSkipped {
				return 0, nil
			}
			return 1, nil
		case "compute_type_name":
			if t.ComputeSkipped {
				return "Skipped", nil
			}
			return "Vm", nil
		case "skipped_reason":
			if !t.ComputeSkipped {
				return nil, nil
			}
			return t.SkippedReason, nil
		case "skipped_reason_name":
			if !t.ComputeSkipped || t.SkippedReason < 0 || t.SkippedReason >= len(skipReasonNames) {
				return nil, nil
			}
			return skipReasonNames[t.SkippedReason], nil
		case "success":
			if t.ComputeSkipped {
				return nil, nil
			}
			return t.ComputeSuccess(), nil
		case "exit_code":
			if t.ComputeSkipped {
				return nil, nil
			}
			return t.ExitCode, nil
		}
		return nil, unsupportedField("TransactionCompute", f)
	}
}

func actionResolver(t *Transaction) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		switch f.Name {
		case "success", "valid":
			return t.ResultCode == 0, nil
		case "result_code":
			return t.ResultCode, nil
		case "no_funds":
			return false, nil
		case "msgs_created", "tot_actions":
			return len(t.OutMsgs), nil
		}
		return nil, unsupportedField("TransactionAction", f)
	}
}

// Filters. A filter is an input object of field filters (eq, ne, gt, lt,
// ge, le, in, notIn) and an optional OR with another filter.

type fieldGetter func(name string) (any, bool)

func matchFilter(filter map[string]any, get fieldGetter, typ string) (bool, error) {
	result := true
	for name, cond := range filter {
		if name == "OR" {
			continue
		}
		v, ok := get(name)
		if !ok {
			return false, errUnsupported{fmt.Sprintf("filter by %s.%s", typ, name)}
		}
		ops, ok := cond.(map[string]any)
		if !ok {
			if cond == nil {
				continue
			}
			return false, fmt.Errorf("filter of %s.%s is not an object", typ, name)
		}
		for op, want := range ops {
			m, err := matchOp(op, v, want)
			if err != nil {
				return false, fmt.Errorf("filter by %s.%s: %w", typ, name, err)
			}
			result = result && m
		}
	}
	if or, ok := filter["OR"].(map[string]any); ok {
		m, err := matchFilter(or, get, typ)
		if err != nil {
			return false, err
		}
		result = result || m
	}
	return result, nil
}

func matchOp(op string, v, want any) (bool, error) {
	switch op {
	case "in", "notIn":
		list, _ := want.([]any)
		found := false
		for _, w := range list {
			if compare(v, w) == 0 {
				found = true
			}
		}
		return found == (op == "in"), nil
	}
	if want == nil {
		return true, nil
	}
	c := compare(v, want)
	switch op {
	case "eq":
		return c == 0, nil
	case "ne":
		return c != 0, nil
	case "gt":
		return c > 0, nil
	case "lt":
		return c < 0 && c != incomparable, nil
	case "ge":
		return c >= 0, nil
	case "le":
		return c <= 0 && c != incomparable, nil
	}
	return false, errUnsupported{"filter operator " + op}
}

const incomparable = -2

func compare(a, b any) int {
	switch x := a.(type) {
	case *big.Int:
		y, ok := toBig(b)
		if !ok {
			return incomparable
		}
		return x.Cmp(y)
	case string:
		y, ok := b.(string)
		if !ok {
			return incomparable
		}
		return strings.Compare(x, y)
	case bool:
		y, ok := b.(bool)
		if !ok || x != y {
			return incomparable
		}
		return 0
	case float64:
		y, ok := argFloat(b)
		if !ok {
			return incomparable
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return incomparable
}

// toBig reads a filter value for a big-integer field: "0x…" or decimal
// strings, as the API writes them, or plain numbers.
func toBig(v any) (*big.Int, bool) {
	switch v := v.(type) {
	case *big.Int:
		return v, true
	case string:
		n, err := everos.ParseBigInt(v)
		return n, err == nil
	}
	if i, ok := argInt(v); ok {
		return big.NewInt(i), true
	}
	return nil, false
}

func accountGetter(st *stored) fieldGetter {
	return func(name string) (any, bool) {
		switch name {
		case "id":
			return st.Address, true
		case "acc_type":
			return float64(st.Type), true
		case "code_hash":
			return st.codeHash, true
		case "data_hash":
			return st.dataHash, true
		case "balance":
			if st.Balance == nil {
				return new(big.Int), true
			}
			return st.Balance, true
		case "last_trans_lt":
			return new(big.Int).SetUint64(st.LastTransLt), true
		case "last_paid":
			return float64(st.LastPaid), true
		}
		return nil, false
	}
}

func txGetter(t *Transaction) fieldGetter {
	return func(name string) (any, bool) {
		switch name {
		case "id":
			return t.ID, true
		case "in_msg":
			return t.InMsg, true
		case "account_addr":
			return t.Account, true
		case "aborted":
			return t.Aborted, true
		case "status":
			return float64(txFinalized), true
		case "now":
			return float64(t.Now), true
		case "end_status":
			return float64(t.EndStatus), true
		case "lt":
			return new(big.Int).SetUint64(t.Lt), true
		}
		return nil, false
	}
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

// wait evaluates find until it returns something or the timeout passes,
// re-evaluating after every change of the state.
func (s *Server) wait(ctx context.Context, timeout time.Duration, find func() ([]resolver, error)) ([]resolver, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		res, err := find()
		changed := s.changed
		s.mu.Unlock()
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

// record is one element of a collection: how to read its fields for
// filters and sorting, and how to answer a selection on it.
type record struct {
	get fieldGetter
	r   resolver
}

// selectRecords filters, sorts and limits a collection.
func selectRecords(c collectionArgs, typ string, all []record) ([]resolver, error) {
	var out []record
	for _, rec := range all {
		ok, err := matchFilter(c.filter, rec.get, typ)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rec)
		}
	}
	var sortErr error
	if len(c.order) > 0 {
		slices.SortStableFunc(out, func(a, b record) int {
			for _, k := range c.order {
				va, ok := a.get(k.path)
				vb, _ := b.get(k.path)
				if !ok {
					sortErr = errUnsupported{fmt.Sprintf("orderBy %s.%s", typ, k.path)}
					return 0
				}
				if d := compare(va, vb); d != 0 && d != incomparable {
					if k.desc {
						return -d
					}
					return d
				}
			}
			return 0
		})
	}
	if sortErr != nil {
		return nil, sortErr
	}
	res := make([]resolver, 0, min(len(out), c.limit))
	for _, rec := range out[:min(len(out), c.limit)] {
		res = append(res, rec.r)
	}
	return res, nil
}

// idsFiltered returns the ids a filter asks for when it filters by id only
// (eq or in), for the NonExist records of missing accounts.
func idsFiltered(filter map[string]any) []string {
	if len(filter) != 1 {
		return nil
	}
	cond, _ := filter["id"].(map[string]any)
	if len(cond) != 1 {
		return nil
	}
	if eq, ok := cond["eq"].(string); ok {
		return []string{eq}
	}
	var ids []string
	if in, ok := cond["in"].([]any); ok {
		for _, v := range in {
			if s, ok := v.(string); ok {
				ids = append(ids, s)
			}
		}
	}
	return ids
}

func (s *Server) queryAccounts(ctx context.Context, args map[string]any) (any, error) {
	c, err := s.collection(args)
	if err != nil {
		return nil, err
	}
	if _, err := selectRecords(c, "Account", []record{{get: accountGetter(&stored{}), r: nil}, {get: accountGetter(&stored{})}}); err != nil {
		return nil, err
	}
	return s.wait(ctx, c.timeout, func() ([]resolver, error) {
		keys := make([]string, 0, len(s.accounts))
		for k := range s.accounts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		all := make([]record, 0, len(keys))
		for _, k := range keys {
			st := s.accounts[k]
			all = append(all, record{get: accountGetter(st), r: accountResolver(st.Address, st, false)})
		}
		out, err := selectRecords(c, "Account", all)
		if err != nil || !s.cfg.missing {
			return out, err
		}
		added := map[string]bool{}
		for _, id := range idsFiltered(c.filter) {
			if _, ok := s.accounts[id]; !ok && !added[id] && len(out) < c.limit {
				added[id] = true
				out = append(out, accountResolver(id, nil, false))
			}
		}
		return out, nil
	})
}

func (s *Server) queryTransactions(ctx context.Context, args map[string]any) (any, error) {
	c, err := s.collection(args)
	if err != nil {
		return nil, err
	}
	if _, err := selectRecords(c, "Transaction", []record{{get: txGetter(&Transaction{})}, {get: txGetter(&Transaction{})}}); err != nil {
		return nil, err
	}
	return s.wait(ctx, c.timeout, func() ([]resolver, error) {
		all := make([]record, 0, len(s.txs))
		for _, t := range s.txs {
			all = append(all, record{get: txGetter(t), r: transactionResolver(t)})
		}
		return selectRecords(c, "Transaction", all)
	})
}

func (s *Server) infoResolver() resolver {
	now := s.Now()
	return func(f *ast.Field, args map[string]any) (any, error) {
		switch f.Name {
		case "version":
			return s.cfg.version, nil
		case "time":
			return float64(now.UnixMilli()), nil
		case "latency", "blocksLatency", "messagesLatency", "transactionsLatency":
			return 0.0, nil
		case "lastBlockTime":
			return float64(now.UnixMilli()), nil
		case "endpoints":
			return []string{}, nil
		case "rempEnabled":
			return false, nil
		}
		return nil, unsupportedField("Info", f)
	}
}

func (s *Server) queryRoot(e *execution) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		switch f.Name {
		case "info":
			return s.infoResolver(), nil
		case "accounts":
			return s.queryAccounts(e.ctx, args)
		case "transactions":
			return s.queryTransactions(e.ctx, args)
		case "blockchain":
			return s.blockchainResolver(), nil
		}
		return nil, unsupportedField("Query", f)
	}
}

func (s *Server) blockchainResolver() resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		if f.Name != "account" {
			return nil, unsupportedField("BlockchainQuery", f)
		}
		raw, _ := args["address"].(string)
		addr, err := everos.NormalizeAddress(raw)
		if err != nil {
			return nil, fmt.Errorf("invalid account address %q", raw)
		}
		return resolver(func(f *ast.Field, args map[string]any) (any, error) {
			if f.Name != "info" {
				return nil, unsupportedField("BlockchainAccountQuery", f)
			}
			if b, ok := args["byBlock"].(string); ok && b != "" {
				return nil, errUnsupported{"argument byBlock"}
			}
			s.mu.Lock()
			st := s.accounts[addr]
			s.mu.Unlock()
			return accountResolver(addr, st, true), nil
		}), nil
	}
}

func (s *Server) mutationRoot(e *execution) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		if f.Name != "postRequests" {
			return nil, unsupportedField("Mutation", f)
		}
		reqs, _ := args["requests"].([]any)
		var ids []any
		for i, r := range reqs {
			m, _ := r.(map[string]any)
			id, err := s.postRequest(m)
			if err != nil {
				return nil, fmt.Errorf("request %d: %w", i, err)
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
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
		s.cfg.logf("everostest: losing message %x as asked", m.Hash)
		return id, nil
	}
	// A message executed or still waiting is not executed again: the
	// network processes an external message once, however often it is
	// posted. One that was refused is forgotten (see Server.execute).
	s.mu.Lock()
	dup := s.seen[m.Hash]
	s.seen[m.Hash] = true
	s.mu.Unlock()
	if dup {
		return id, nil
	}
	select {
	case s.queue <- queued{msg: m, expireAt: expire, posted: true}:
	case <-s.done:
		s.mu.Lock()
		delete(s.seen, m.Hash)
		s.mu.Unlock()
		return "", errors.New("server is closing")
	}
	return id, nil
}
