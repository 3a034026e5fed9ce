package trustless

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet/chain"
	"github.com/gosh-sh/sign-cli/everos"
)

// testChain is a signed chain made by the devnet's block producer, served
// by an in-process GraphQL endpoint whose answers a test can falsify.
type testChain struct {
	t    testing.TB
	prod *chain.Producer
	seed [32]byte
	key  *chain.Block
	lt   uint64
	now  uint32

	mu     sync.Mutex
	blocks []*chain.Block
	txs    map[string]*servedTx // by account "0:hex"
	// accounts are what the endpoint says of proof accounts, for the
	// plain check, which believes it.
	accounts map[string]map[string]any
	// lie, when set, rewrites a GraphQL answer's data before it is sent.
	lie func(query string, data map[string]any)
	// requests counts the GraphQL requests served.
	requests atomic.Int64
}

// servedTx is what the endpoint says of an account's constructing
// transaction.
type servedTx struct {
	ID, Account, BlockID string
	BOC                  []byte
	MasterSeqNo          uint32
}

func newTestChain(t testing.TB) *testChain {
	t.Helper()
	seed := sha256.Sum256([]byte(t.Name()))
	prod, kb, err := chain.NewProducer(seed[:], 1_700_000_000, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return &testChain{t: t, prod: prod, seed: seed, key: kb, blocks: []*chain.Block{kb}, txs: map[string]*servedTx{}, accounts: map[string]map[string]any{},
		lt: kb.Info.EndLT + 1_000, now: 1_700_000_010}
}

// network is the network whose one anchor is the chain's key block.
func (c *testChain) network() *chainproof.Network {
	c.t.Helper()
	n, err := chainproof.NewNetwork("test", []chainproof.Anchor{{SeqNo: c.key.ID.SeqNo, RootHash: c.key.ID.RootHash}})
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

// add puts transaction cells into one new shard block, committed by one
// new signed masterchain block, and serves each as its account's
// constructing transaction.
func (c *testChain) add(cells ...*cell.Cell) (shard, master *chain.Block) {
	c.t.Helper()
	var txs []chain.Tx
	end := c.lt
	for _, root := range cells {
		tx, err := chainproof.ReadTransaction(root)
		if err != nil {
			c.t.Fatal(err)
		}
		ct := chain.Tx{Account: tx.Account, Lt: tx.LT, Cell: root, Fees: new(big.Int), NewHash: root.Hash()}
		if tx.InMsg != nil {
			m, err := readMessageKind(tx.InMsg)
			if err != nil {
				c.t.Fatal(err)
			}
			ct.In = &chain.InMsg{Msg: tx.InMsg, External: m}
		}
		txs = append(txs, ct)
		end = max(end, tx.LT+1)
	}
	c.now++
	shard, master, err := c.prod.Produce(c.now, end, txs)
	if err != nil {
		c.t.Fatal(err)
	}
	c.lt = master.Info.EndLT + 1_000
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks = append(c.blocks, shard, master)
	for _, tx := range txs {
		addr := fmt.Sprintf("0:%x", tx.Account)
		c.txs[addr] = &servedTx{ID: hex.EncodeToString(hashOf(tx.Cell)), Account: addr, BOC: tx.Cell.ToBOC(),
			BlockID: hex.EncodeToString(shard.ID.RootHash[:]), MasterSeqNo: master.ID.SeqNo}
	}
	return shard, master
}

func hashOf(c *cell.Cell) []byte { h := c.Hash(); return h[:] }

// readMessageKind reports whether a message cell is inbound external.
func readMessageKind(m *cell.Cell) (bool, error) {
	tag, err := m.BeginParse().LoadUInt(2)
	return tag == 0b10, err
}

// client is a client of the chain's endpoint.
func (c *testChain) client() *everos.Client { return c.clientWith(everos.Config{}, nil) }

// clientWith is a client with cfg of the chain's endpoint, which answers
// a query with override's body where override says so.
func (c *testChain) clientWith(cfg everos.Config, override func(query string) (string, bool)) *everos.Client {
	c.t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if override != nil {
			body, _ := io.ReadAll(r.Body)
			if answer, ok := override(gjson.GetBytes(body, "query").String()); ok {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, answer)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		c.serve(w, r)
	}))
	c.t.Cleanup(srv.Close)
	cfg.Endpoints, cfg.MaxRetries = []string{srv.URL}, -1
	cl, err := everos.New(cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

func (c *testChain) serve(w http.ResponseWriter, r *http.Request) {
	c.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	req := gjson.ParseBytes(body)
	q, vars := req.Get("query").String(), req.Get("variables")
	data := map[string]any{}
	c.mu.Lock()
	switch {
	case strings.HasPrefix(q, "query firstActive("):
		vars.ForEach(func(k, v gjson.Result) bool {
			list := []any{}
			if tx, ok := c.txs[v.String()]; ok {
				list = append(list, map[string]any{"id": tx.ID, "account_addr": tx.Account, "boc": base64.StdEncoding.EncodeToString(tx.BOC),
					"block_id": tx.BlockID, "master_seq_no": tx.MasterSeqNo})
			}
			data["t"+strings.TrimPrefix(k.String(), "a")] = list
			return true
		})
	case strings.HasPrefix(q, "query blocks("):
		data["blocks"] = c.blocksWhere(func(b *chain.Block) bool {
			return slices.ContainsFunc(vars.Get("ids").Array(), func(id gjson.Result) bool { return id.String() == hex.EncodeToString(b.ID.RootHash[:]) })
		})
	case strings.HasPrefix(q, "query masterBlocks("):
		data["blocks"] = c.blocksWhere(func(b *chain.Block) bool {
			return b.ID.Shard == chainproof.MasterchainShard && slices.ContainsFunc(vars.Get("s").Array(), func(s gjson.Result) bool { return uint32(s.Uint()) == b.ID.SeqNo })
		})
	case strings.HasPrefix(q, "query accounts("):
		list := []any{}
		for _, id := range vars.Get("ids").Array() {
			if a, ok := c.accounts[id.String()]; ok {
				list = append(list, a)
			}
		}
		data["accounts"] = list
	case strings.HasPrefix(q, "query keyBlocks("):
		from, to, n := uint32(vars.Get("from").Uint()), uint32(vars.Get("to").Uint()), int(vars.Get("n").Int())
		list := c.blocksWhere(func(b *chain.Block) bool { return b.Info.KeyBlock && b.ID.SeqNo >= from && b.ID.SeqNo <= to })
		data["blocks"] = list[:min(len(list), n)]
	default:
		c.mu.Unlock()
		http.Error(w, `{"errors":[{"message":"unknown query"}]}`, http.StatusBadRequest)
		return
	}
	lie := c.lie
	c.mu.Unlock()
	if lie != nil {
		lie(q, data)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// blocksWhere are the served blocks that match, in seq_no order, as the
// API writes them.
func (c *testChain) blocksWhere(match func(*chain.Block) bool) []any {
	out := []any{}
	for _, b := range c.blocks {
		if match(b) {
			out = append(out, blockAnswer(b))
		}
	}
	return out
}

func blockAnswer(b *chain.Block) map[string]any {
	a := map[string]any{
		"id": hex.EncodeToString(b.ID.RootHash[:]), "seq_no": b.ID.SeqNo, "workchain_id": b.ID.Shard.Workchain,
		"shard": fmt.Sprintf("%016x", b.ID.Shard.Prefix), "key_block": b.Info.KeyBlock,
		"prev_key_block_seqno": b.Info.PrevKeyBlockSeqNo, "file_hash": hex.EncodeToString(b.ID.FileHash[:]),
		"boc": base64.StdEncoding.EncodeToString(b.BOC), "signatures": nil,
	}
	if s := b.Signatures; s != nil {
		var list []any
		for _, sg := range s.List {
			list = append(list, map[string]any{"node_id": hex.EncodeToString(sg.NodeIDShort[:]),
				"r": hex.EncodeToString(sg.Sig[:32]), "s": hex.EncodeToString(sg.Sig[32:])})
		}
		a["signatures"] = map[string]any{"catchain_seqno": s.CatchainSeqNo, "validator_list_hash_short": s.ValidatorListHashShort,
			"sig_weight": fmt.Sprint(s.Weight), "signatures": list}
	}
	return a
}

// checker is a trustless checker of the chain, trusting its key block.
func (c *testChain) checker() *Checker {
	return &Checker{Client: c.client(), Network: c.network()}
}

// claimAccount makes the endpoint say that the proof of s is an active
// account holding s's constructed data: true for a proof in the chain, a
// lie for any other.
func (c *testChain) claimAccount(s txSpec) {
	c.t.Helper()
	p, err := contract.NewProof(s.key.Public().Ed25519(), s.content)
	if err != nil {
		c.t.Fatal(err)
	}
	data := must(cell.BeginCell().StoreBytes(s.key.Public().Ed25519()).StoreUInt(uint64(s.signedTime().UnixMilli()), 64).
		StoreBool(true).StoreUInt(uint64(s.now), 32).StoreRef(p.InitialData().Ref(0)).EndCell())
	code := contract.ProofCode()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accounts[p.Address().String()] = map[string]any{
		"id": p.Address().String(), "acc_type": 1, "balance": "100000000",
		"code_hash": hex.EncodeToString(hashOf(code)), "data_hash": hex.EncodeToString(hashOf(data)),
		"code": base64.StdEncoding.EncodeToString(code.ToBOC()), "data": base64.StdEncoding.EncodeToString(data.ToBOC()),
		"last_paid": s.now, "last_trans_lt": fmt.Sprint(s.lt),
	}
}

// addKeyBlocks serves n more key blocks, each naming the one before as its
// previous key block and signed under it.
func (c *testChain) addKeyBlocks(n int) []*chain.Block {
	c.t.Helper()
	var out []*chain.Block
	for range n {
		c.now++
		kb, err := c.prod.KeyBlock(c.now, c.lt)
		if err != nil {
			c.t.Fatal(err)
		}
		c.lt = kb.Info.EndLT + 1_000
		out = append(out, kb)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks = append(c.blocks, out...)
	return out
}
