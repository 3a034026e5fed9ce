package everos

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tidwall/gjson"
	"golang.org/x/sync/errgroup"
)

// What the client reads to check a proof without trusting the endpoint:
// the bytes the chain itself holds (transaction and block BOCs, validators'
// signatures) and the links between them. Nothing here is verified; the
// caller checks every hash and signature before it believes any of it.

// BlocksPerRequest is how many blocks one blocks query asks for: a
// masterchain block of the main network takes tens of kilobytes, and an
// answer must fit in the client's size limit.
const BlocksPerRequest = 16

// ChainTransaction is a transaction's BOC and where the endpoint says it
// is: the block that holds it and the masterchain block that committed it.
type ChainTransaction struct {
	ID          string // hex hash of the transaction
	Account     string // "wc:hex"
	BOC         []byte
	BlockID     string // hex root hash of the shard block
	MasterSeqNo uint32
	// Endpoint is the endpoint that gave this answer (without its query
	// string).
	Endpoint string
}

// Block is a block as the API serves it.
type Block struct {
	ID                string // hex root hash
	SeqNo             uint32
	Workchain         int32
	Shard             string // 16 hex digits, with the tag bit
	KeyBlock          bool
	PrevKeyBlockSeqNo uint32
	FileHash          []byte
	BOC               []byte
	// Signatures is nil when the endpoint served none.
	Signatures *BlockSignatures
}

// BlockSignatures are a block's validators' signatures as the API serves
// them, with the block's Merkle proof.
type BlockSignatures struct {
	Proof                  []byte
	CatchainSeqNo          uint32
	ValidatorListHashShort uint32
	SigWeight              uint64
	List                   []NodeSignature
}

// NodeSignature is one validator's Ed25519 signature.
type NodeSignature struct {
	NodeID [32]byte
	R, S   [32]byte
}

// firstActiveTransaction is one alias of queryFirstActive: the earliest
// transaction after which an account was active.
const firstActiveTransaction = `transactions(filter:{account_addr:{eq:$a%d},end_status:{eq:1}},orderBy:[{path:"lt",direction:ASC}],limit:1){id account_addr boc block_id master_seq_no}`

// queryFirstActive asks for the first active transaction of n accounts, one
// alias per account, so that no account's later transactions crowd out
// another's first.
func queryFirstActive(n int) string {
	var b strings.Builder
	b.WriteString("query firstActive(")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "$a%d:String", i)
	}
	b.WriteString("){")
	for i := range n {
		fmt.Fprintf(&b, "t%d:"+firstActiveTransaction+" ", i, i)
	}
	b.WriteString("}")
	return b.String()
}

// TransactionsPerRequest is how many accounts one query of
// FirstActiveTransactions asks about, one alias each: fifty small
// transactions fields. EverOS documents no bound on aliases, but a server
// or a gateway before it may bound a query's complexity or size; a query
// it refuses as such (see GraphQLError.TooComplex) is asked again in halves,
// down to one alias, and the smaller size is kept for the rest of the call.
const TransactionsPerRequest = 50

// FirstActiveTransactions returns, for each address, the earliest
// transaction that left the account active (for a proof, the one that
// constructed it), or nil where the endpoint names none. Addresses are
// asked for TransactionsPerRequest at a time (fewer when the server finds
// that too complex), Config.ParallelRequests requests at once.
func (c *Client) FirstActiveTransactions(ctx context.Context, addrs []string) ([]*ChainTransaction, error) {
	norm := make([]string, len(addrs))
	for i, a := range addrs {
		n, err := NormalizeAddress(a)
		if err != nil {
			return nil, err
		}
		norm[i] = n
	}
	out := make([]*ChainTransaction, len(norm))
	var perRequest atomic.Int64
	perRequest.Store(TransactionsPerRequest)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.ParallelRequests)
	for start := 0; start < len(norm); start += TransactionsPerRequest {
		end := min(start+TransactionsPerRequest, len(norm))
		g.Go(func() error { return c.firstActive(gctx, norm[start:end], out[start:end], &perRequest) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// firstActive fills out with the first active transactions of addrs, at
// most perRequest aliases a query; a query refused as too complex halves
// perRequest and is asked again in parts.
func (c *Client) firstActive(ctx context.Context, addrs []string, out []*ChainTransaction, perRequest *atomic.Int64) error {
	for start := 0; start < len(addrs); {
		n := min(int(perRequest.Load()), len(addrs)-start)
		chunk := addrs[start : start+n]
		err := c.firstActiveQuery(ctx, chunk, out[start:start+n])
		if err != nil && n > 1 && tooComplex(err) {
			lowerTo(perRequest, int64(n/2))
			continue
		}
		if err != nil {
			return err
		}
		start += n
	}
	return nil
}

// lowerTo sets p to n unless another query has set it lower already.
func lowerTo(p *atomic.Int64, n int64) {
	for {
		cur := p.Load()
		if cur <= n || p.CompareAndSwap(cur, n) {
			return
		}
	}
}

// firstActiveQuery asks one query with an alias for each of chunk.
func (c *Client) firstActiveQuery(ctx context.Context, chunk []string, out []*ChainTransaction) error {
	vars := map[string]any{}
	for i, a := range chunk {
		vars["a"+strconv.Itoa(i)] = a
	}
	data, ep, err := c.queryAt(ctx, request{Query: queryFirstActive(len(chunk)), Variables: vars})
	if err != nil {
		return fmt.Errorf("querying the transactions of %d accounts: %w", len(chunk), err)
	}
	for i, a := range chunk {
		list := data.Get("t" + strconv.Itoa(i)).Array()
		if len(list) == 0 {
			continue
		}
		tx, err := parseChainTransaction(list[0])
		if err != nil {
			return err
		}
		if tx.Account != a {
			return &ResponseError{Endpoint: ep, Reason: fmt.Sprintf("it answered with a transaction of %s for another account", tx.Account)}
		}
		tx.Endpoint = ep
		out[i] = tx
	}
	return nil
}

func parseChainTransaction(v gjson.Result) (*ChainTransaction, error) {
	tx := &ChainTransaction{ID: strings.ToLower(v.Get("id").String()), BlockID: strings.ToLower(v.Get("block_id").String())}
	if err := checkHash("transaction id", tx.ID); err != nil {
		return nil, err
	}
	if err := checkHash("block_id of transaction "+tx.ID, tx.BlockID); err != nil {
		return nil, err
	}
	var err error
	if tx.Account, err = NormalizeAddress(v.Get("account_addr").String()); err != nil {
		return nil, fmt.Errorf("reading transaction %s: %w", tx.ID, err)
	}
	if tx.BOC, err = base64Field(v, "boc"); err != nil {
		return nil, fmt.Errorf("reading transaction %s: %w", tx.ID, err)
	}
	if tx.MasterSeqNo, err = uint32Field(v, "master_seq_no"); err != nil {
		return nil, fmt.Errorf("reading transaction %s: %w", tx.ID, err)
	}
	return tx, nil
}

// blockFields are the fields read for a block.
const blockFields = `id seq_no workchain_id shard key_block prev_key_block_seqno file_hash boc signatures{proof catchain_seqno validator_list_hash_short sig_weight(format:DEC) signatures{node_id r s}}`

// Block queries; a result is capped by its limit, so each asks for no more
// than BlocksPerRequest blocks.
const (
	queryBlocksByID = `query blocks($ids:[String],$n:Int){blocks(filter:{id:{in:$ids}},limit:$n){` + blockFields + `}}`

	queryMasterBlocks = `query masterBlocks($s:[Float],$n:Int){blocks(filter:{workchain_id:{eq:-1},seq_no:{in:$s}},limit:$n){` + blockFields + `}}`

	queryKeyBlocks = `query keyBlocks($from:Float,$to:Float,$n:Int){blocks(filter:{workchain_id:{eq:-1},key_block:{eq:true},seq_no:{ge:$from,le:$to}},orderBy:[{path:"seq_no",direction:ASC}],limit:$n){` + blockFields + `}}`
)

// BlocksByID reads blocks by their root hashes (hex). Blocks the endpoint
// does not name are missing from the result, which is in no set order.
func (c *Client) BlocksByID(ctx context.Context, ids []string) ([]*Block, error) {
	asks := make([]any, len(ids))
	for i, id := range ids {
		asks[i] = strings.ToLower(id)
	}
	return c.blocksIn(ctx, queryBlocksByID, "ids", asks)
}

// MasterBlocks reads masterchain blocks by their seq_no.
func (c *Client) MasterBlocks(ctx context.Context, seqNos []uint32) ([]*Block, error) {
	asks := make([]any, len(seqNos))
	for i, s := range seqNos {
		asks[i] = s
	}
	return c.blocksIn(ctx, queryMasterBlocks, "s", asks)
}

func (c *Client) blocksIn(ctx context.Context, query, name string, asks []any) ([]*Block, error) {
	var chunks [][]any
	for start := 0; start < len(asks); start += BlocksPerRequest {
		chunks = append(chunks, asks[start:min(start+BlocksPerRequest, len(asks))])
	}
	results := make([][]*Block, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.ParallelRequests)
	for i, chunk := range chunks {
		g.Go(func() error {
			data, err := c.query(gctx, request{Query: query, Variables: map[string]any{name: chunk, "n": len(chunk)}})
			if err != nil {
				return fmt.Errorf("querying %d blocks: %w", len(chunk), err)
			}
			results[i], err = parseBlocks(data.Get("blocks"), len(chunk))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []*Block
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

// KeyBlocks reads up to n masterchain key blocks with seq_no from from to
// to, in increasing seq_no order.
func (c *Client) KeyBlocks(ctx context.Context, from, to uint32, n int) ([]*Block, error) {
	n = min(max(n, 1), BlocksPerRequest)
	data, err := c.query(ctx, request{Query: queryKeyBlocks, Variables: map[string]any{"from": from, "to": to, "n": n}})
	if err != nil {
		return nil, fmt.Errorf("querying key blocks %d to %d: %w", from, to, err)
	}
	return parseBlocks(data.Get("blocks"), n)
}

// parseBlocks reads a blocks result of at most n records: an endpoint that
// sends more than it was asked for is not read further.
func parseBlocks(list gjson.Result, n int) ([]*Block, error) {
	if list.Type != gjson.Null && list.Exists() && !list.IsArray() {
		return nil, fmt.Errorf("reading blocks: not a list")
	}
	var out []*Block
	var err error
	list.ForEach(func(_, v gjson.Result) bool {
		if len(out) == n {
			err = fmt.Errorf("reading blocks: more than the %d asked for", n)
			return false
		}
		var b *Block
		if b, err = parseBlock(v); err == nil {
			out = append(out, b)
		}
		return err == nil
	})
	return out, err
}

func parseBlock(obj gjson.Result) (*Block, error) {
	if !obj.IsObject() {
		return nil, fmt.Errorf("reading block: not an object")
	}
	// One pass over the record, whose boc may be megabytes that every Get
	// would scan again; the first of repeated keys counts, as with Get.
	fields := map[string]gjson.Result{}
	obj.ForEach(func(k, val gjson.Result) bool {
		if _, ok := fields[k.Str]; !ok {
			fields[k.Str] = val
		}
		return true
	})
	v := record(fields)
	b := &Block{ID: strings.ToLower(v.Get("id").String()), Shard: strings.ToLower(v.Get("shard").String()), KeyBlock: v.Get("key_block").Bool()}
	if err := checkHash("block id", b.ID); err != nil {
		return nil, err
	}
	bad := func(err error) (*Block, error) { return nil, fmt.Errorf("reading block %s: %w", b.ID, err) }
	var err error
	if b.SeqNo, err = uint32Field(v, "seq_no"); err != nil {
		return bad(err)
	}
	if b.PrevKeyBlockSeqNo, err = uint32Field(v, "prev_key_block_seqno"); err != nil {
		return bad(err)
	}
	wc := v.Get("workchain_id")
	if wc.Type != gjson.Number || wc.Num != math.Trunc(wc.Num) || wc.Num < math.MinInt32 || wc.Num > math.MaxInt32 {
		return bad(fmt.Errorf("workchain_id %.40s is not a 32-bit integer", wc.Raw))
	}
	b.Workchain = int32(wc.Num)
	if b.FileHash, err = hex.DecodeString(v.Get("file_hash").String()); err != nil || len(b.FileHash) != 32 {
		return bad(fmt.Errorf("file_hash %.80q is not 32 bytes of hex", v.Get("file_hash").String()))
	}
	if b.BOC, err = base64Field(v, "boc"); err != nil {
		return bad(err)
	}
	if s := v.Get("signatures"); s.IsObject() {
		if b.Signatures, err = parseBlockSignatures(s); err != nil {
			return bad(err)
		}
	}
	return b, nil
}

func parseBlockSignatures(v gjson.Result) (*BlockSignatures, error) {
	s := &BlockSignatures{}
	var err error
	if p := v.Get("proof").String(); p != "" {
		if s.Proof, err = base64.StdEncoding.DecodeString(p); err != nil {
			return nil, fmt.Errorf("signatures proof: %w", err)
		}
	}
	if s.CatchainSeqNo, err = uint32Field(v, "catchain_seqno"); err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	if s.ValidatorListHashShort, err = uint32Field(v, "validator_list_hash_short"); err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	if w := v.Get("sig_weight"); w.Exists() && w.Type != gjson.Null {
		n, err := ParseBigInt(w.String())
		if err != nil || !n.IsUint64() {
			return nil, fmt.Errorf("signatures: sig_weight %.40q is not a 64-bit number", w.String())
		}
		s.SigWeight = n.Uint64()
	}
	list := v.Get("signatures")
	if list.Exists() && list.Type != gjson.Null && !list.IsArray() {
		return nil, fmt.Errorf("signatures: not a list")
	}
	list.ForEach(func(_, sv gjson.Result) bool {
		var ns NodeSignature
		for _, f := range []struct {
			name string
			dst  *[32]byte
		}{{"node_id", &ns.NodeID}, {"r", &ns.R}, {"s", &ns.S}} {
			var b []byte
			if b, err = hex.DecodeString(sv.Get(f.name).String()); err != nil || len(b) != 32 {
				err = fmt.Errorf("signature %s %.80q is not 32 bytes of hex", f.name, sv.Get(f.name).String())
				return false
			}
			copy(f.dst[:], b)
		}
		s.List = append(s.List, ns)
		return true
	})
	return s, err
}

// checkHash checks a 64-hex-digit hash an answer names.
func checkHash(what, h string) error {
	if len(h) != 64 {
		return fmt.Errorf("reading %s: %.80q is not a 64-digit hex hash", what, h)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return fmt.Errorf("reading %s: %.80q is not a 64-digit hex hash", what, h)
	}
	return nil
}

// record is a JSON object's fields, read once.
type record map[string]gjson.Result

// Get returns a field, or a result that does not exist.
func (r record) Get(name string) gjson.Result { return r[name] }

// getter is a JSON object: a gjson.Result or a record.
type getter interface {
	Get(name string) gjson.Result
}

// uint32Field reads a Float field that must hold a 32-bit unsigned integer.
func uint32Field(v getter, name string) (uint32, error) {
	f := v.Get(name)
	if f.Type != gjson.Number || f.Num != math.Trunc(f.Num) || f.Num < 0 || f.Num > math.MaxUint32 {
		return 0, fmt.Errorf("%s %.40s is not a 32-bit unsigned integer", name, f.Raw)
	}
	return uint32(f.Num), nil
}

// base64Field reads a base64 field that must be there.
func base64Field(v getter, name string) ([]byte, error) {
	s := v.Get(name).String()
	if s == "" {
		return nil, fmt.Errorf("no %s", name)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}
