package everos

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// Responses come from the network: reading them must never panic.
func FuzzParseResponse(f *testing.F) {
	f.Add(200, []byte(`{"data":{"accounts":[{"id":"0:0000000000000000000000000000000000000000000000000000000000000001","acc_type":1,"balance":"0x10","boc":"te6c","last_trans_lt":"5"}]}}`))
	f.Add(400, []byte(`{"errors":[{"message":"x","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`))
	f.Add(200, []byte(`{"data":{"transactions":[{"id":"ab","lt":"0x1","compute":{"exit_code":7}}]}}`))
	f.Add(200, []byte(`{"data":{"blocks":[{"id":"`+strings.Repeat("a", 64)+`","seq_no":7,"workchain_id":-1,"file_hash":"`+strings.Repeat("b", 64)+`","boc":"te6c","signatures":{"catchain_seqno":1,"validator_list_hash_short":2,"sig_weight":"3","signatures":[{"node_id":"`+strings.Repeat("c", 64)+`","r":"`+strings.Repeat("d", 64)+`","s":"`+strings.Repeat("e", 64)+`"}]}}]}}`))
	f.Add(500, []byte(`<html>`))
	f.Add(200, []byte(strings.Repeat("[", 100<<10)))
	f.Add(200, []byte(`{"data":{"accounts":[`+strings.Repeat(`{"a":["\"[",`, 70)))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		data, err := parseResponse("http://x/graphql", status, body)
		if err != nil {
			return
		}
		for _, v := range data.Get("accounts").Array() {
			parseAccount(v)
		}
		for _, v := range data.Get("transactions").Array() {
			parseTransaction(v)
			parseChainTransaction(v)
		}
		parseBlocks(data.Get("blocks"), 1<<10)
		parseInfo(data.Get("info"))
		parseTransaction(gjson.ParseBytes(body))
	})
}

// FuzzCheckDepth compares the bracket count with encoding/json's reading of
// the same text: on valid JSON both must agree on whether it nests deeper
// than the limit, and what passes must be safe for gjson.
func FuzzCheckDepth(f *testing.F) {
	for _, s := range []string{`[]`, `{"a":[1,{"b":"]]"}]}`, `["\\"]`, `"\"["`, strings.Repeat("[", 9) + strings.Repeat("]", 9), `]]][[[`} {
		f.Add([]byte(s))
	}
	const limit = 8
	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkDepth(b, limit)
		if err != nil && !errors.Is(err, ErrResponseLimit) {
			t.Fatalf("checkDepth: %v, want ErrResponseLimit", err)
		}
		if err == nil {
			gjson.ValidBytes(b)
			gjson.ParseBytes(b).Get("a.b")
		}
		if !json.Valid(b) {
			return
		}
		deep, err2 := jsonDepth(b)
		if err2 != nil {
			t.Fatalf("valid JSON %q did not tokenize: %v", b, err2)
		}
		if (deep > limit) != (err != nil) {
			t.Fatalf("%q nests %d deep, checkDepth says %v", b, deep, err)
		}
	})
}

// jsonDepth is the deepest nesting of valid JSON text, by encoding/json.
func jsonDepth(b []byte) (int, error) {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber() // a valid number such as 1e1000 overflows a float64
	depth, deepest := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return deepest, nil
		}
		if err != nil {
			return 0, err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			deepest = max(deepest, depth)
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
}
