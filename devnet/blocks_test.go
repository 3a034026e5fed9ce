package devnet

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/tidwall/gjson"
)

// cascadeExecutor takes every message; an external one whose body is 5
// also sends 100 to account 2, so that one message makes a cascade.
var cascadeExecutor = ExecutorFunc(func(env Env, in Inbound, st State) (*Result, error) {
	acc, _ := st.Account(in.Dst)
	code, _ := in.Body().LoadUInt(16)
	res := &Result{Accounts: []Account{acc}, Transactions: []Transaction{{Account: in.Dst, InMsg: hexID(in.Hash),
		OrigStatus: acc.Type, EndStatus: acc.Type, TotalFees: bigInt(7), BalanceDelta: bigInt(-7)}}}
	if in.Kind == ExternalIn && code == 5 {
		out, err := BuildInternalMessage(in.Dst, testAddr(2), bigInt(100), false, false, nil)
		if err != nil {
			return nil, err
		}
		res.OutMessages = [][]byte{out}
	}
	return res, nil
})

const blockFields = `id seq_no gen_utime workchain_id shard after_split key_block prev_ref{root_hash seq_no} boc file_hash
	in_msg_descr{msg_id transaction_id msg_type} account_blocks{account_addr transactions{lt transaction_id}}
	master{shard_hashes{workchain_id shard descr{seq_no root_hash file_hash}}} prev_key_block_seqno master_seq_no
	signatures{proof catchain_seqno validator_list_hash_short sig_weight signatures{node_id r s}}`

// queryBlocks asks for blocks and fails the test on an error.
func queryBlocks(t *testing.T, url, args string) []gjson.Result {
	t.Helper()
	_, r := post(t, url, `{blocks(`+args+`){`+blockFields+`}}`, nil)
	if r.Get("errors").Exists() {
		t.Fatalf("blocks(%s): %s", args, r.Get("errors"))
	}
	return r.Get("data.blocks").Array()
}

func hash32(t *testing.T, s string) (h [32]byte) {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("hash %q", s)
	}
	copy(h[:], b)
	return h
}

// proofOf is the BlockProof of a masterchain block as the API serves its
// parts: the id, file_hash and signatures{...} fields.
func proofOf(t *testing.T, b gjson.Result) *chainproof.BlockProof {
	t.Helper()
	root, err := cell.FromBase64(b.Get("signatures.proof").String())
	if err != nil {
		t.Fatalf("signatures.proof of block %s: %v", b.Get("id"), err)
	}
	p := &chainproof.BlockProof{Root: root, ID: chainproof.BlockID{Shard: chainproof.MasterchainShard,
		SeqNo: uint32(b.Get("seq_no").Int()), RootHash: hash32(t, b.Get("id").String()), FileHash: hash32(t, b.Get("file_hash").String())}}
	weight, _ := strconv.ParseUint(strings.TrimPrefix(b.Get("signatures.sig_weight").String(), "0x"), 16, 64)
	p.Signatures = &chainproof.Signatures{ValidatorListHashShort: uint32(b.Get("signatures.validator_list_hash_short").Uint()),
		CatchainSeqNo: uint32(b.Get("signatures.catchain_seqno").Uint()), Weight: weight}
	for _, s := range b.Get("signatures.signatures").Array() {
		var sig chainproof.Signature
		sig.NodeIDShort = hash32(t, s.Get("node_id").String())
		r, ss := hash32(t, s.Get("r").String()), hash32(t, s.Get("s").String())
		copy(sig.Sig[:32], r[:])
		copy(sig.Sig[32:], ss[:])
		p.Signatures.List = append(p.Signatures.List, sig)
	}
	p.Signatures.Count = uint32(len(p.Signatures.List))
	return p
}

// verifyTransaction checks a transaction as a trustless client does, from
// the API alone and the anchor: the key blocks from the anchor, the
// masterchain block that names the transaction's block, signed, that
// block in its shard_hashes, and the transaction in the block.
func verifyTransaction(t *testing.T, url, anchor, txID string) error {
	t.Helper()
	seq, root, _ := strings.Cut(anchor, ":")
	n, _ := strconv.Atoi(seq)
	net, err := chainproof.NewNetwork("devnet", []chainproof.Anchor{{SeqNo: uint32(n), RootHash: hash32(t, root)}})
	if err != nil {
		t.Fatal(err)
	}
	v := chainproof.NewVerifier(net)
	for _, kb := range queryBlocks(t, url, `filter:{workchain_id:{eq:-1}, key_block:{eq:true}}, orderBy:{path:"seq_no"}`) {
		if _, err := v.AddKeyBlock(proofOf(t, kb)); err != nil {
			return err
		}
	}
	_, r := post(t, url, `query($id:String){transactions(filter:{id:{eq:$id}}){account_addr lt boc block_id master_seq_no}}`, map[string]any{"id": txID})
	tx := r.Get("data.transactions.0")
	shards := queryBlocks(t, url, `filter:{id:{eq:"`+tx.Get("block_id").String()+`"}}`)
	masters := queryBlocks(t, url, `filter:{workchain_id:{eq:-1}, seq_no:{eq:`+tx.Get("master_seq_no").String()+`}}`)
	if len(shards) != 1 || len(masters) != 1 {
		t.Fatalf("transaction %s: %d shard blocks, %d masterchain blocks", txID, len(shards), len(masters))
	}
	if _, _, err := v.VerifyBlock(proofOf(t, masters[0])); err != nil {
		return err
	}
	mcBOC, _ := base64.StdEncoding.DecodeString(masters[0].Get("boc").String())
	mc, err := chainproof.BlockFromBOC(mcBOC, hash32(t, masters[0].Get("id").String()))
	if err != nil {
		return err
	}
	sh := shards[0]
	shardID := chainproof.BlockID{Shard: chainproof.ShardID{Workchain: 0, Prefix: 1 << 63}, SeqNo: uint32(sh.Get("seq_no").Int()),
		RootHash: hash32(t, sh.Get("id").String()), FileHash: hash32(t, sh.Get("file_hash").String())}
	if err := mc.CheckShardTop(shardID); err != nil {
		return err
	}
	shBOC, _ := base64.StdEncoding.DecodeString(sh.Get("boc").String())
	sb, err := chainproof.BlockFromBOC(shBOC, shardID.RootHash)
	if err != nil {
		return err
	}
	txCell, err := cell.FromBase64(tx.Get("boc").String())
	if err != nil {
		t.Fatal(err)
	}
	if txCell.HashHex() != txID {
		t.Fatalf("transaction boc hashes to %s, not its id %s", txCell.HashHex(), txID)
	}
	addr, _ := cell.ParseAddress(tx.Get("account_addr").String())
	acc, _ := addr.Account()
	lt, _ := strconv.ParseUint(strings.TrimPrefix(tx.Get("lt").String(), "0x"), 16, 64)
	return sb.CheckTransaction(0, acc, lt, txCell.Hash())
}

func TestBlocksServedVerify(t *testing.T) {
	tests := []struct {
		name  string
		codes []uint64 // one external message each
		txs   int
	}{
		{"one message", []uint64{1}, 1},
		{"a cascade", []uint64{5}, 2},
		{"three messages", []uint64{1, 5, 2}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(WithExecutor(cascadeExecutor), WithAccounts(activeAccount(t, 1, 1e9), activeAccount(t, 2, 1e9)))
			defer srv.Close()
			for _, code := range tc.codes {
				b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, code))
				if err := srv.Deliver(b, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			txs := srv.Transactions()
			if len(txs) != tc.txs {
				t.Fatalf("%d transactions, want %d", len(txs), tc.txs)
			}
			for _, tx := range txs {
				if err := verifyTransaction(t, srv.URL, srv.Anchor(), tx.ID); err != nil {
					t.Errorf("transaction %s: %v", tx.ID, err)
				}
			}
			// One shard block and one masterchain block per message, after
			// the key block.
			if n := len(srv.Blocks()); n != 1+2*len(tc.codes) {
				t.Errorf("%d blocks, want %d", n, 1+2*len(tc.codes))
			}
			// The shard block lists what it holds.
			last := txs[len(txs)-1]
			sb := queryBlocks(t, srv.URL, `filter:{id:{eq:"`+last.BlockID+`"}}`)[0]
			if !strings.Contains(sb.Get("in_msg_descr").Raw, last.ID) || !strings.Contains(sb.Get("account_blocks").Raw, last.ID) {
				t.Errorf("block %s does not list transaction %s: %s %s", last.BlockID, last.ID, sb.Get("in_msg_descr"), sb.Get("account_blocks"))
			}
		})
	}
}

// TestBlocksVerifyRefusesOtherAnchor checks the test's own verification
// can fail: another devnet's anchor does not vouch for this one.
func TestBlocksVerifyRefusesOtherAnchor(t *testing.T) {
	srv := NewServer(WithExecutor(cascadeExecutor), WithAccounts(activeAccount(t, 1, 1e9)))
	defer srv.Close()
	other := NewServer()
	defer other.Close()
	b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, 1))
	if err := srv.Deliver(b, time.Time{}); err != nil {
		t.Fatal(err)
	}
	err := verifyTransaction(t, srv.URL, other.Anchor(), srv.Transactions()[0].ID)
	if !errors.Is(err, chainproof.ErrUntrusted) {
		t.Fatalf("verified against another devnet's anchor: %v", err)
	}
}

func TestBlocksQueries(t *testing.T) {
	srv := NewServer(WithExecutor(cascadeExecutor), WithAccounts(activeAccount(t, 1, 1e9), activeAccount(t, 2, 1e9)))
	defer srv.Close()
	for _, code := range []uint64{1, 5} {
		b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, code))
		if err := srv.Deliver(b, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	blocks := srv.Blocks() // key block 1; shard 1, master 2; shard 2, master 3
	kb, s1, m2, s2, m3 := blocks[0], blocks[1], blocks[2], blocks[3], blocks[4]
	ids := func(rs []gjson.Result) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Get("id").String())
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name, args string
		want       []*Block
	}{
		{"by id", `filter:{id:{eq:"` + s2.ID + `"}}`, []*Block{s2}},
		{"by ids", `filter:{id:{in:["` + m3.ID + `","` + kb.ID + `"]}}`, []*Block{kb, m3}},
		{"key blocks", `filter:{workchain_id:{eq:-1}, key_block:{eq:true}}`, []*Block{kb}},
		{"latest masterchain block", `filter:{workchain_id:{eq:-1}}, orderBy:{path:"seq_no", direction:DESC}, limit:1`, []*Block{m3}},
		{"masterchain by seq_no", `filter:{workchain_id:{eq:-1}, seq_no:{eq:2}}`, []*Block{m2}},
		{"shard by seq_no", `filter:{workchain_id:{eq:0}, shard:{eq:"8000000000000000"}, seq_no:{eq:2}}`, []*Block{s2}},
		{"no such seq_no", `filter:{workchain_id:{eq:-1}, seq_no:{eq:9}}`, nil},
		{"next after", `filter:{prev_ref:{root_hash:{eq:"` + s1.ID + `"}}, OR:{prev_alt_ref:{root_hash:{eq:"` + s1.ID + `"}}}}`, []*Block{s2}},
		{"next after the key block", `filter:{prev_ref:{root_hash:{eq:"` + kb.ID + `"}}}`, []*Block{m2}},
		{"gen_utime and order", `filter:{gen_utime:{ge:0}, workchain_id:{eq:0}}, orderBy:{path:"seq_no", direction:DESC}`, []*Block{s2, s1}},
		{"whole chain, limited", `orderBy:{path:"seq_no"}, limit:2`, []*Block{kb, s1}},
		{"workchain 5", `filter:{workchain_id:{eq:5}}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, b := range tc.want {
				want = append(want, b.ID)
			}
			if got := ids(queryBlocks(t, srv.URL, tc.args)); got != strings.Join(want, ",") {
				t.Fatalf("got %s, want %s", got, strings.Join(want, ","))
			}
		})
	}
	errs := []struct{ name, query, want string }{
		{"unsupported filter", `{blocks(filter:{rand_seed:{eq:"x"}}){id}}`, "rand_seed"},
		{"unsupported nested filter", `{blocks(filter:{prev_ref:{end_lt:{gt:"1"}, root_hash:{eq:"x"}, seq_no:{eq:1}, file_hash:{eq:"y"}}, master:{min_shard_gen_utime:{eq:1}}}){id}}`, "master"},
		{"not in the schema", `{blocks{no_such_field}}`, "no_such_field"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, r := post(t, srv.URL, tc.query, nil)
			if !strings.Contains(r.Get("errors").String(), tc.want) {
				t.Fatalf("answer %s, want an error naming %s", r, tc.want)
			}
		})
	}
	_, r := post(t, srv.URL, `{blocks_signatures(filter:{seq_no:{eq:3}}){id seq_no workchain_id sig_weight(format:DEC) block{id seq_no}}}`, nil)
	if got := r.Get("data.blocks_signatures.0"); got.Get("id").String() != m3.ID || got.Get("sig_weight").String() != "1" || got.Get("block.id").String() != m3.ID {
		t.Errorf("blocks_signatures: %s", r)
	}
	_, r = post(t, srv.URL, `{transactions(filter:{master_seq_no:{eq:3}}){id block_id} messages(filter:{block_id:{eq:"`+s1.ID+`"}}){id master_seq_no}}`, nil)
	if n := len(r.Get("data.transactions").Array()); n != 2 || r.Get("data.transactions.0.block_id").String() != s2.ID ||
		r.Get("data.messages.0.master_seq_no").Int() != 2 {
		t.Errorf("transactions and messages by block: %s", r)
	}
}

// TestBlocksWait checks the server-side wait and the subscription: a
// client that walks the shard waits for the block after the last one.
func TestBlocksWait(t *testing.T) {
	srv := NewServer(WithExecutor(cascadeExecutor), WithAccounts(activeAccount(t, 1, 1e9)))
	defer srv.Close()
	c := dialWS(t, srv, "graphql-ws")
	c.WriteJSON(wsMessage{Type: "connection_init"})
	next(t, c)
	c.WriteJSON(start("b", `subscription{blocks(filter:{workchain_id:{eq:0}}){id seq_no}}`, nil))
	c.WriteJSON(start("s", `subscription{blocks_signatures{id seq_no}}`, nil))
	time.Sleep(50 * time.Millisecond)
	kb := srv.Blocks()[0]
	done := make(chan []gjson.Result)
	go func() {
		_, r := post(t, srv.URL, `{blocks(filter:{prev_ref:{root_hash:{eq:"`+kb.ID+`"}}}, timeout:5000){id seq_no workchain_id}}`, nil)
		done <- r.Get("data.blocks").Array()
	}()
	time.Sleep(100 * time.Millisecond)
	b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, 1))
	if err := srv.Deliver(b, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got := <-done
	if len(got) != 1 || got[0].Get("seq_no").Int() != 2 || got[0].Get("workchain_id").Int() != -1 {
		t.Fatalf("waited for %v", got)
	}
	seen := map[string]string{}
	for range 2 {
		m := next(t, c)
		seen[m.ID] = gjson.GetBytes(m.Payload, "data").String()
	}
	if !strings.Contains(seen["b"], `"seq_no":1`) || !strings.Contains(seen["s"], `"seq_no":2`) {
		t.Fatalf("subscriptions got %v", seen)
	}
	// Nothing new: the wait ends empty at its timeout.
	start := time.Now()
	_, r := post(t, srv.URL, `{blocks(filter:{prev_ref:{root_hash:{eq:"`+got[0].Get("id").String()+`"}}}, timeout:200){id}}`, nil)
	if len(r.Get("data.blocks").Array()) != 0 || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("answer %s after %v", r, time.Since(start))
	}
}

// TestBlocksSurviveRestart restarts a devnet on its state directory: the
// same validator key, the same anchor, and the chain goes on from its
// last blocks, every transaction still verifiable.
func TestBlocksSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	deliver := func(srv *Server, code uint64) {
		b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, code))
		if err := srv.Deliver(b, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	srv := NewServer(WithExecutor(cascadeExecutor), WithStateDir(dir), WithAccounts(activeAccount(t, 1, 1e9), activeAccount(t, 2, 1e9)))
	deliver(srv, 5)
	anchor, n := srv.Anchor(), len(srv.Blocks())
	srv.Close()
	srv = NewServer(WithExecutor(cascadeExecutor), WithStateDir(dir))
	defer srv.Close()
	if srv.Anchor() != anchor || len(srv.Blocks()) != n {
		t.Fatalf("restarted with anchor %s and %d blocks, had %s and %d", srv.Anchor(), len(srv.Blocks()), anchor, n)
	}
	deliver(srv, 1)
	for _, tx := range srv.Transactions() {
		if err := verifyTransaction(t, srv.URL, anchor, tx.ID); err != nil {
			t.Errorf("transaction %s after the restart: %v", tx.ID, err)
		}
	}
	if got := queryBlocks(t, srv.URL, `filter:{workchain_id:{eq:0}}, orderBy:{path:"seq_no", direction:DESC}, limit:1`); len(got) != 1 || got[0].Get("seq_no").Int() != 2 {
		t.Fatalf("latest shard block %v", got)
	}
}

// TestBlockInterval: with an interval, the messages posted in it are
// applied together, in one shard block and one masterchain block, and
// appear only with them.
func TestBlockInterval(t *testing.T) {
	srv := NewServer(WithExecutor(cascadeExecutor), WithBlockInterval(300*time.Millisecond),
		WithAccounts(activeAccount(t, 1, 1e9), activeAccount(t, 2, 1e9)))
	defer srv.Close()
	var ids []string
	for _, code := range []uint64{1, 5, 2} {
		b, h, _ := extMessage(testAddr(1), nil, cellOf16(t, code))
		_, r := post(t, srv.URL, `mutation($id:String,$body:String){postRequests(requests:[{id:$id, body:$body}])}`,
			map[string]any{"id": base64.StdEncoding.EncodeToString(h[:]), "body": base64.StdEncoding.EncodeToString(b)})
		if r.Get("errors").Exists() {
			t.Fatal(r.Get("errors"))
		}
		ids = append(ids, hexID(h))
	}
	if n := len(srv.Transactions()); n != 0 {
		t.Fatalf("%d transactions visible before the block", n)
	}
	_, r := post(t, srv.URL, `query($id:String){transactions(filter:{in_msg:{eq:$id}}, timeout:5000){id block_id}}`, map[string]any{"id": ids[2]})
	block := r.Get("data.transactions.0.block_id").String()
	if block == "" {
		t.Fatalf("no transaction: %s", r)
	}
	blocks := srv.Blocks()
	if len(blocks) != 3 || blocks[1].ID != block || len(blocks[1].txs) != 4 {
		t.Fatalf("%d blocks, the shard block %s holding %d transactions; want 3 blocks, %s holding all 4", len(blocks), blocks[1].ID, len(blocks[1].txs), block)
	}
	for _, tx := range srv.Transactions() {
		if err := verifyTransaction(t, srv.URL, srv.Anchor(), tx.ID); err != nil {
			t.Errorf("transaction %s: %v", tx.ID, err)
		}
	}
}
