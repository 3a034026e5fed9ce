package everos

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

var (
	hashA = strings.Repeat("a", 64)
	hashB = strings.Repeat("b", 64)
	boc64 = base64.StdEncoding.EncodeToString([]byte{1, 2, 3})
)

func blockJSON(extra string) string {
	return `{"id":"` + hashA + `","seq_no":7,"workchain_id":-1,"shard":"8000000000000000","key_block":false,` +
		`"prev_key_block_seqno":1,"file_hash":"` + hashB + `","boc":"` + boc64 + `"` + extra + `}`
}

func TestBlocksReadsAndRefuses(t *testing.T) {
	sig := `,"signatures":{"proof":"` + boc64 + `","catchain_seqno":3,"validator_list_hash_short":4,"sig_weight":"17","signatures":[{"node_id":"` + hashA + `","r":"` + hashB + `","s":"` + hashA + `"}]}`
	for _, tc := range []struct {
		name, answer, wantErr string
		check                 func(t *testing.T, b []*Block)
	}{
		{name: "signed", answer: `[` + blockJSON(sig) + `]`, check: func(t *testing.T, b []*Block) {
			s := b[0].Signatures
			if len(b) != 1 || b[0].SeqNo != 7 || b[0].Workchain != -1 || s == nil || s.CatchainSeqNo != 3 || s.ValidatorListHashShort != 4 || s.SigWeight != 17 || len(s.List) != 1 || s.List[0].R[0] != 0xbb {
				t.Fatalf("read %+v", b[0])
			}
		}},
		{name: "unsigned", answer: `[` + blockJSON(`,"signatures":null`) + `]`, check: func(t *testing.T, b []*Block) {
			if b[0].Signatures != nil {
				t.Fatal("signatures from null")
			}
		}},
		{name: "none", answer: `[]`, check: func(t *testing.T, b []*Block) {
			if len(b) != 0 {
				t.Fatal(b)
			}
		}},
		{name: "more than asked", answer: `[` + blockJSON("") + `,` + blockJSON("") + `]`, wantErr: "more than the 1 asked for"},
		{name: "not a list", answer: `{"a":1}`, wantErr: "not a list"},
		{name: "short id", answer: `[` + strings.Replace(blockJSON(""), hashA, "ab", 1) + `]`, wantErr: "not a 64-digit hex hash"},
		{name: "fractional seq_no", answer: `[` + strings.Replace(blockJSON(""), `"seq_no":7`, `"seq_no":7.5`, 1) + `]`, wantErr: "seq_no 7.5 is not a 32-bit"},
		{name: "huge seq_no", answer: `[` + strings.Replace(blockJSON(""), `"seq_no":7`, `"seq_no":1e300`, 1) + `]`, wantErr: "not a 32-bit"},
		{name: "string workchain", answer: `[` + strings.Replace(blockJSON(""), `"workchain_id":-1`, `"workchain_id":"-1"`, 1) + `]`, wantErr: "workchain_id"},
		{name: "short file hash", answer: `[` + strings.Replace(blockJSON(""), hashB, "bb", 1) + `]`, wantErr: "file_hash"},
		{name: "no boc", answer: `[` + strings.Replace(blockJSON(""), boc64, "", 1) + `]`, wantErr: "no boc"},
		{name: "bad signature", answer: `[` + blockJSON(strings.Replace(sig, `"r":"`+hashB, `"r":"zz`, 1)) + `]`, wantErr: "signature r"},
		{name: "huge weight", answer: `[` + blockJSON(strings.Replace(sig, `"17"`, `"1`+strings.Repeat("0", 30)+`"`, 1)) + `]`, wantErr: "sig_weight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(int, fakeReq) (int, string) { return ok(`{"blocks":` + tc.answer + `}`) })
			c := testClient(t, Config{}, f.srv.URL+"/graphql")
			b, err := c.BlocksByID(context.Background(), []string{hashA})
			if failedAsWanted(t, err, tc.wantErr) {
				return
			}
			tc.check(t, b)
		})
	}
}

// Blocks are asked for BlocksPerRequest at a time, so that no answer has
// to hold more than that many.
func TestBlocksAskedInChunks(t *testing.T) {
	f := newFake(t, func(_ int, r fakeReq) (int, string) {
		if n := len(r.Vars.Get("s").Array()); n > BlocksPerRequest || r.Vars.Get("n").Int() != int64(n) {
			return 400, `{"errors":[{"message":"chunk of ` + itoa(int64(n)) + `"}]}`
		}
		return ok(`{"blocks":[]}`)
	})
	c := testClient(t, Config{}, f.srv.URL+"/graphql")
	seqs := make([]uint32, 2*BlocksPerRequest+1)
	if _, err := c.MasterBlocks(context.Background(), seqs); err != nil {
		t.Fatal(err)
	}
	if f.count() != 3 {
		t.Fatalf("%d requests for %d blocks, want 3", f.count(), len(seqs))
	}
}

func TestFirstActiveTransactions(t *testing.T) {
	addr0, addr1 := "0:"+hashA, "0:"+hashB
	txOf := func(addr string) string {
		return `[{"id":"` + hashB + `","account_addr":"` + addr + `","boc":"` + boc64 + `","block_id":"` + hashA + `","master_seq_no":9}]`
	}
	for _, tc := range []struct {
		name, t0, t1, wantErr string
	}{
		{name: "one missing", t0: txOf(addr0), t1: `[]`},
		{name: "another account's", t0: txOf(addr1), t1: `[]`, wantErr: "a transaction of " + addr1 + " for another account"},
		{name: "bad block id", t0: strings.Replace(txOf(addr0), `"block_id":"`+hashA, `"block_id":"x`, 1), t1: `[]`, wantErr: "block_id of transaction"},
		{name: "no master seq_no", t0: strings.Replace(txOf(addr0), `,"master_seq_no":9`, ``, 1), t1: `[]`, wantErr: "master_seq_no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(_ int, r fakeReq) (int, string) {
				if r.Vars.Get("a0").String() != addr0 || r.Vars.Get("a1").String() != addr1 {
					return 400, `{"errors":[{"message":"variables"}]}`
				}
				return ok(`{"t0":` + tc.t0 + `,"t1":` + tc.t1 + `}`)
			})
			c := testClient(t, Config{}, f.srv.URL+"/graphql")
			txs, err := c.FirstActiveTransactions(context.Background(), []string{addr0, addr1})
			if failedAsWanted(t, err, tc.wantErr) {
				return
			}
			if txs[0] == nil || txs[0].MasterSeqNo != 9 || txs[0].BlockID != hashA || txs[1] != nil {
				t.Fatalf("read %+v %+v", txs[0], txs[1])
			}
		})
	}
}

// failedAsWanted fails t unless err is as wanted (nil when want is empty,
// else containing want), and reports whether there was an error.
func failedAsWanted(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatal(err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error %v, want %q", err, want)
	}
	return err != nil
}
