package devnet

import (
	"context"
	"testing"
	"time"
)

// Messages are posted by anyone who can reach the server.
func FuzzParseMessage(f *testing.F) {
	b, _, _ := extMessage(testAddr(1), nil, nil)
	f.Add(b)
	in, _ := BuildInternalMessage(testAddr(1), testAddr(2), bigInt(5), true, false, nil)
	f.Add(in)
	f.Fuzz(func(t *testing.T, boc []byte) {
		m, err := ParseMessage(boc)
		if err != nil {
			return
		}
		m.Body().BitsLeft()
		m.CheckInit()
	})
}

// Any document, valid or not, gets an answer and never a panic.
func FuzzServerQuery(f *testing.F) {
	srv := NewServer(WithMaxTimeout(time.Millisecond))
	defer srv.Close()
	for _, q := range []string{
		`{info{version time}}`,
		`query($a:String!){accounts(filter:{id:{eq:$a}}){id acc_type balance(format:DEC)}}`,
		`{transactions(filter:{in_msg:{in:["a"]},OR:{aborted:{eq:true}}},limit:1){id compute{exit_code}}}`,
		`mutation{postRequests(requests:[{id:"x",body:"te6c"}])}`,
		`{blockchain{account(address:"0:00"){info{boc}}}}`,
		`query{accounts{...F}} fragment F on Account{id}`,
	} {
		f.Add(q, `{"a":"0:0000000000000000000000000000000000000000000000000000000000000001"}`)
	}
	f.Fuzz(func(t *testing.T, query, vars string) {
		var v map[string]any
		_ = jsonUnmarshal([]byte(vars), &v)
		status, body := srv.run(context.Background(), gqlRequest{Query: query, Variables: v}, false)
		if status == 0 || len(body) == 0 {
			t.Fatalf("no answer to %q", query)
		}
	})
}
