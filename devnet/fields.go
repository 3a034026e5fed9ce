package devnet

import (
	"encoding/base64"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// objectType is a GraphQL object type the emulator answers: a table of
// its fields over the Go value T that holds an object of the type. A
// field of the schema missing from the table is answered with an error
// naming it.
type objectType[T any] struct {
	name   string
	fields map[string]field[T]
}

// field is one field of an object type. Fields that only read the object
// set get; fields that take arguments or do work set resolve.
type field[T any] struct {
	// get returns the field's value as one of the types wire converts.
	get func(v T) any
	// resolve answers a field with arguments; its value goes out as it is.
	resolve func(v T, args map[string]any) (any, error)
	// filter is set for the fields filters and orderBy may name.
	filter bool
	// nested reads an object-valued field for filters on its fields
	// (prev_ref: {root_hash: {eq: …}}).
	nested func(v T) fieldGetter
}

// Values that get returns and that the response carries in another form.
type (
	// address is an account address, "wc:hex"; the field takes the format
	// argument, of which only RAW is supported.
	address string
	// optional is a string that is null in the response when empty.
	optional string
	// boc is a bag of cells, base64 in the response, null when empty.
	boc []byte
)

// wire converts a field's value to the response's form: big integers by
// the format argument, statuses as numbers, bags of cells in base64.
func wire(v any, args map[string]any) (any, error) {
	switch v := v.(type) {
	case address:
		if err := checkAddressFormat(args); err != nil {
			return nil, err
		}
		return string(v), nil
	case optional:
		if v == "" {
			return nil, nil
		}
		return string(v), nil
	case boc:
		if len(v) == 0 {
			return nil, nil
		}
		return base64.StdEncoding.EncodeToString(v), nil
	case *big.Int:
		return formatBig(args, v), nil
	case account.Status:
		return int(v), nil
	}
	return v, nil
}

// filterValue converts a field's value to the form filters compare:
// strings, float64, bool and *big.Int.
func filterValue(v any) any {
	switch v := v.(type) {
	case address:
		return string(v)
	case optional:
		return string(v)
	case account.Status:
		return float64(v)
	case int:
		return float64(v)
	case *big.Int:
		if v == nil {
			return new(big.Int)
		}
	}
	return v
}

// resolver answers the fields of v.
func (o *objectType[T]) resolver(v T) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		fd, ok := o.fields[f.Name]
		if !ok {
			return nil, unsupportedField(o.name, f)
		}
		return fd.value(v, args)
	}
}

// only answers the named fields of v, and null for every other: the
// records of accounts that do not exist have no other field.
func (o *objectType[T]) only(v T, names ...string) resolver {
	return func(f *ast.Field, args map[string]any) (any, error) {
		fd, ok := o.fields[f.Name]
		if !ok || !slices.Contains(names, f.Name) {
			return nil, nil
		}
		return fd.value(v, args)
	}
}

func (fd field[T]) value(v T, args map[string]any) (any, error) {
	if fd.resolve != nil {
		return fd.resolve(v, args)
	}
	return wire(fd.get(v), args)
}

// getter reads v's fields for filters and sorting.
func (o *objectType[T]) getter(v T) fieldGetter {
	return func(name string) (any, bool) {
		fd, ok := o.fields[name]
		if ok && fd.nested != nil {
			return fd.nested(v), true
		}
		if !ok || !fd.filter || fd.get == nil {
			return nil, false
		}
		return filterValue(fd.get(v)), true
	}
}

// with is a copy of o named name, with fields added or replaced.
func (o *objectType[T]) with(name string, fields map[string]field[T]) *objectType[T] {
	c := &objectType[T]{name: name, fields: maps.Clone(o.fields)}
	maps.Copy(c.fields, fields)
	return c
}

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

func checkAddressFormat(args map[string]any) error {
	if f, ok := args["format"].(string); ok && f != "RAW" {
		return errUnsupported{"address format " + f}
	}
	return nil
}

// workchain is the workchain of a "wc:hex" address (0 when unreadable).
func workchain(addr string) int {
	wc, _, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(wc)
	return n
}

// statusName is the API's name of a status, null for no status.
func statusName(s account.Status) any { return optional(s.Name()) }

// accountType is Account.
var accountType = &objectType[*stored]{name: "Account", fields: withNulls(map[string]field[*stored]{
	"id":            {get: func(a *stored) any { return address(a.Address) }, filter: true},
	"workchain_id":  {get: func(a *stored) any { return workchain(a.Address) }},
	"acc_type":      {get: func(a *stored) any { return a.Type }, filter: true},
	"acc_type_name": {get: func(a *stored) any { return statusName(a.Type) }},
	"balance":       {get: func(a *stored) any { return a.Balance }, filter: true},
	"boc":           {get: func(a *stored) any { return boc(a.BOC) }},
	"code":          {get: func(a *stored) any { return boc(a.Code) }},
	"data":          {get: func(a *stored) any { return boc(a.Data) }},
	"code_hash":     {get: func(a *stored) any { return optional(a.codeHash) }, filter: true},
	"data_hash":     {get: func(a *stored) any { return optional(a.dataHash) }, filter: true},
	"last_paid":     {get: func(a *stored) any { return float64(a.LastPaid) }, filter: true},
	"last_trans_lt": {get: func(a *stored) any { return new(big.Int).SetUint64(a.LastTransLt) }, filter: true},
},
	// The emulator's accounts never have these.
	"library", "library_hash", "split_depth", "tick", "tock", "due_payment", "balance_other")}

// blockchainAccountType is BlockchainAccount: Account with ids of the form
// "account/wc:hex", and the plain address in address.
var blockchainAccountType = accountType.with("BlockchainAccount", map[string]field[*stored]{
	"id":      {get: func(a *stored) any { return address("account/" + a.Address) }},
	"address": {get: func(a *stored) any { return address(a.Address) }},
})

// missingAccountFields are what the API answers for an account that does
// not exist: the NonExist record of an id asked for.
var missingAccountFields = []string{"id", "address", "workchain_id", "acc_type", "acc_type_name"}

// accountResolver answers an Account (or a BlockchainAccount) stored as
// st, or the NonExist record of addr when st is nil.
func accountResolver(typ *objectType[*stored], addr string, st *stored) resolver {
	if st == nil {
		return typ.only(&stored{Account: Account{Address: addr, Type: account.NonExist}}, missingAccountFields...)
	}
	return typ.resolver(st)
}

func none[T any](T) any { return nil }

// withNulls adds to fields the named ones, answered with null.
func withNulls[T any](fields map[string]field[T], never ...string) map[string]field[T] {
	for _, n := range never {
		fields[n] = field[T]{get: none[T]}
	}
	return fields
}

var (
	skipReasonNames = []string{"NoState", "BadState", "NoGas"}
	txStatusNames   = []string{"Unknown", "Preliminary", "Proposed", "Finalized", "Refused"}
)

const txFinalized = 3

// transactionType is Transaction.
var transactionType = &objectType[*Transaction]{name: "Transaction", fields: map[string]field[*Transaction]{
	"id":           {get: func(t *Transaction) any { return t.ID }, filter: true},
	"account_addr": {get: func(t *Transaction) any { return address(t.Account) }, filter: true},
	"workchain_id": {get: func(t *Transaction) any { return workchain(t.Account) }},
	"aborted":      {get: func(t *Transaction) any { return t.Aborted }, filter: true},
	"in_msg":       {get: func(t *Transaction) any { return t.InMsg }, filter: true},
	"out_msgs":     {get: func(t *Transaction) any { return append([]string{}, t.OutMsgs...) }},
	"in_message": {get: func(t *Transaction) any {
		if t.inMessage == nil {
			return nil
		}
		return messageType.resolver(t.inMessage)
	}},
	"out_messages":     {get: func(t *Transaction) any { return messageResolvers(t.outMessages) }},
	"outmsg_cnt":       {get: func(t *Transaction) any { return len(t.OutMsgs) }},
	"lt":               {get: func(t *Transaction) any { return new(big.Int).SetUint64(t.Lt) }, filter: true},
	"now":              {get: func(t *Transaction) any { return float64(t.Now) }, filter: true},
	"now_string":       {get: func(t *Transaction) any { return time.Unix(int64(t.Now), 0).UTC().Format("2006-01-02 15:04:05.000") }},
	"status":           {get: func(*Transaction) any { return txFinalized }, filter: true},
	"status_name":      {get: func(*Transaction) any { return txStatusNames[txFinalized] }},
	"tr_type":          {get: func(*Transaction) any { return 0 }},
	"tr_type_name":     {get: func(*Transaction) any { return "Ordinary" }},
	"orig_status":      {get: func(t *Transaction) any { return t.OrigStatus }},
	"orig_status_name": {get: func(t *Transaction) any { return statusName(t.OrigStatus) }},
	"end_status":       {get: func(t *Transaction) any { return t.EndStatus }, filter: true},
	"end_status_name":  {get: func(t *Transaction) any { return statusName(t.EndStatus) }},
	"total_fees":       {get: func(t *Transaction) any { return t.TotalFees }},
	"balance_delta":    {get: func(t *Transaction) any { return t.BalanceDelta }},
	"boc":              {get: func(t *Transaction) any { return boc(t.BOC) }},
	"block_id":         {get: func(t *Transaction) any { return optional(t.BlockID) }, filter: true},
	"master_seq_no":    {get: func(t *Transaction) any { return masterSeqNo(t.MasterSeqNo) }, filter: true},
	"destroyed":        {get: func(*Transaction) any { return false }},
	"compute":          {get: func(t *Transaction) any { return computeType.resolver(t) }},
	"action": {get: func(t *Transaction) any {
		if t.ComputeSkipped || !t.ComputeSuccess() {
			return nil // no action phase after a failed compute phase
		}
		return actionType.resolver(t)
	}},
}}

// ran returns get's value when the compute phase ran, null when skipped.
func ran(get func(t *Transaction) any) func(t *Transaction) any {
	return func(t *Transaction) any {
		if t.ComputeSkipped {
			return nil
		}
		return get(t)
	}
}

// skipped returns get's value when the compute phase was skipped, null
// when it ran.
func skipped(get func(t *Transaction) any) func(t *Transaction) any {
	return func(t *Transaction) any {
		if !t.ComputeSkipped {
			return nil
		}
		return get(t)
	}
}

// computeType is TransactionCompute, the compute phase.
var computeType = &objectType[*Transaction]{name: "TransactionCompute", fields: map[string]field[*Transaction]{
	"compute_type": {get: func(t *Transaction) any {
		if t.ComputeSkipped {
			return 0
		}
		return 1
	}},
	"compute_type_name": {get: func(t *Transaction) any {
		if t.ComputeSkipped {
			return "Skipped"
		}
		return "Vm"
	}},
	"skipped_reason": {get: skipped(func(t *Transaction) any { return t.SkippedReason })},
	"skipped_reason_name": {get: skipped(func(t *Transaction) any {
		if t.SkippedReason < 0 || t.SkippedReason >= len(skipReasonNames) {
			return nil
		}
		return skipReasonNames[t.SkippedReason]
	})},
	"success":   {get: ran(func(t *Transaction) any { return t.ComputeSuccess() })},
	"exit_code": {get: ran(func(t *Transaction) any { return t.ExitCode })},
}}

// actionType is TransactionAction, the action phase.
var actionType = &objectType[*Transaction]{name: "TransactionAction", fields: map[string]field[*Transaction]{
	"success":      {get: func(t *Transaction) any { return t.ResultCode == 0 }},
	"valid":        {get: func(t *Transaction) any { return t.ResultCode == 0 }},
	"result_code":  {get: func(t *Transaction) any { return t.ResultCode }},
	"no_funds":     {get: func(*Transaction) any { return false }},
	"msgs_created": {get: func(t *Transaction) any { return len(t.OutMsgs) }},
	"tot_actions":  {get: func(t *Transaction) any { return len(t.OutMsgs) }},
}}

// info is what the Info type reports: the server's version and the time
// of the query.
type info struct {
	version string
	now     time.Time
}

func infoMillis(i info) any { return float64(i.now.UnixMilli()) }
func zero(info) any         { return 0.0 }

// infoType is Info.
var infoType = &objectType[info]{name: "Info", fields: map[string]field[info]{
	"version":             {get: func(i info) any { return i.version }},
	"time":                {get: infoMillis},
	"lastBlockTime":       {get: infoMillis},
	"latency":             {get: zero},
	"blocksLatency":       {get: zero},
	"messagesLatency":     {get: zero},
	"transactionsLatency": {get: zero},
	"endpoints":           {get: func(info) any { return []string{} }},
	"rempEnabled":         {get: func(info) any { return false }},
}}

var msgTypeNames = map[MessageKind]string{Internal: "Internal", ExternalIn: "ExtIn", ExternalOut: "ExtOut"}

// msgFinalized is the status of every message the ledger holds: the
// transaction that sent or took it is final.
const msgFinalized = 5

// messageType is Message.
var messageType = &objectType[*Message]{name: "Message", fields: withNulls(map[string]field[*Message]{
	"id":                {get: func(m *Message) any { return hexID(m.Hash) }, filter: true},
	"boc":               {get: func(m *Message) any { return boc(m.BOC) }},
	"msg_type":          {get: func(m *Message) any { return int(m.Kind) }, filter: true},
	"msg_type_name":     {get: func(m *Message) any { return msgTypeNames[m.Kind] }},
	"status":            {get: func(*Message) any { return msgFinalized }, filter: true},
	"status_name":       {get: func(*Message) any { return "Finalized" }},
	"src":               {get: func(m *Message) any { return address(m.Src) }, filter: true},
	"dst":               {get: func(m *Message) any { return address(m.Dst) }, filter: true},
	"src_workchain_id":  {get: func(m *Message) any { return workchainOf(m.Src) }},
	"dst_workchain_id":  {get: func(m *Message) any { return workchainOf(m.Dst) }},
	"created_lt":        {get: internalOnly(func(m *Message) any { return new(big.Int).SetUint64(m.CreatedLt) }), filter: true},
	"created_at":        {get: internalOnly(func(m *Message) any { return float64(m.CreatedAt) }), filter: true},
	"created_at_string": {get: internalOnly(func(m *Message) any { return time.Unix(int64(m.CreatedAt), 0).UTC().Format("2006-01-02 15:04:05.000") })},
	"value":             {get: internalOnly(func(m *Message) any { return m.Value }), filter: true},
	"bounce":            {get: internalOnly(func(m *Message) any { return m.Bounce }), filter: true},
	"bounced":           {get: internalOnly(func(m *Message) any { return m.Bounced }), filter: true},
	"ihr_disabled":      {get: internalOnly(func(m *Message) any { return m.full().Msg.IHRDisabled })},
	"ihr_fee":           {get: internalOnly(func(m *Message) any { return coins(m.full().Msg.IHRFee) })},
	"fwd_fee":           {get: internalOnly(func(m *Message) any { return coins(m.full().Msg.FwdFee) })},
	"import_fee": {get: func(m *Message) any {
		if m.Kind != ExternalIn {
			return nil
		}
		return coins(m.full().Msg.ImportFee)
	}},
	"block_id":      {get: func(m *Message) any { return optional(m.blockID) }, filter: true},
	"master_seq_no": {get: func(m *Message) any { return masterSeqNo(m.masterSeqNo) }, filter: true},
	"body":          {get: func(m *Message) any { return boc(bocOf(m.full().Msg.Body)) }},
	"body_hash":     {get: func(m *Message) any { return cellHash(m.full().Msg.Body) }},
	"code":          {get: func(m *Message) any { return boc(bocOf(initPart(m, codeOf))) }},
	"code_hash":     {get: func(m *Message) any { return cellHash(initPart(m, codeOf)) }, filter: true},
	"data":          {get: func(m *Message) any { return boc(bocOf(initPart(m, dataOf))) }},
	"data_hash":     {get: func(m *Message) any { return cellHash(initPart(m, dataOf)) }},
},
	// The emulator's messages never carry these.
	"library", "library_hash", "split_depth", "tick", "tock", "value_other")}

// masterSeqNo is a master_seq_no field: null until a block holds the
// object (masterchain blocks start at 1).
func masterSeqNo(n uint32) any {
	if n == 0 {
		return nil
	}
	return float64(n)
}

// emptyMessage is a message with no field set, for checking filters.
func emptyMessage() *Message { return &Message{Msg: &abi.Message{}, Value: new(big.Int)} }

// internalOnly returns get's value for an internal message, null for an
// external one, which has no such field.
func internalOnly(get func(m *Message) any) func(m *Message) any {
	return func(m *Message) any {
		if m.Kind != Internal {
			return nil
		}
		return get(m)
	}
}

// workchainOf is the workchain of an address, null for none (the source
// of an inbound external message, the destination of an outbound one).
func workchainOf(addr string) any {
	if addr == "" {
		return nil
	}
	return workchain(addr)
}

func coins(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

func codeOf(si *abi.StateInit) *cell.Cell { return si.Code }
func dataOf(si *abi.StateInit) *cell.Cell { return si.Data }

// initPart is a part of the StateInit a message carries, nil without one.
func initPart(m *Message, part func(*abi.StateInit) *cell.Cell) *cell.Cell {
	if f := m.full(); f.Init != nil {
		return part(f.Init)
	}
	return nil
}

func cellHash(c *cell.Cell) any {
	if c == nil {
		return nil
	}
	return c.HashHex()
}

// messageResolvers answers a list of messages.
func messageResolvers(ms []*Message) []resolver {
	out := make([]resolver, len(ms))
	for i, m := range ms {
		out[i] = messageType.resolver(m)
	}
	return out
}
