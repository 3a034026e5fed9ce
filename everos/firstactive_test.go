package everos

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

// TestFirstActiveTooComplex: a server that refuses queries with more than
// limit aliases, in the shapes servers and gateways use, is asked again in
// smaller queries until it answers, and every account gets its answer; a
// refusal of another kind is not asked again, and one that refuses even a
// single alias ends the call with its error.
func TestFirstActiveTooComplex(t *testing.T) {
	const accounts = 2*TransactionsPerRequest + 23
	addrs := make([]string, accounts)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("0:%064x", i+1)
	}
	tests := []struct {
		name    string
		limit   int // aliases the server takes in one query
		status  int
		body    string
		wantErr string
	}{
		{name: "code", limit: 7, status: 200, body: `{"errors":[{"message":"Query rejected","extensions":{"code":"QUERY_TOO_COMPLEX"}}]}`},
		{name: "message", limit: 20, status: 400, body: `{"errors":[{"message":"Query is too complex: 51 aliases, at most 20"}]}`},
		{name: "gateway aliases", limit: 3, status: 400, body: `{"errors":[{"message":"Too many aliases: 6 > 3"}]}`},
		{name: "HTTP 413", limit: 10, status: 413, body: `<html>413 Request Entity Too Large</html>`},
		{name: "one alias a query", limit: 1, status: 200, body: `{"errors":[{"message":"query complexity 2 exceeds 1"}]}`},
		{name: "not one alias", limit: 0, status: 200, body: `{"errors":[{"message":"Query is too complex"}]}`, wantErr: "too complex"},
		{name: "another refusal", limit: 7, status: 400, body: `{"errors":[{"message":"Cannot query field \"t0\""}]}`, wantErr: "Cannot query field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refused atomic.Int64
			f := newFake(t, func(_ int, r fakeReq) (int, string) {
				vars := r.Vars.Map()
				if len(vars) != strings.Count(r.Query, "transactions(") {
					return 400, `{"errors":[{"message":"variables and aliases differ"}]}`
				}
				if len(vars) > tt.limit {
					refused.Add(1)
					return tt.status, tt.body
				}
				var b strings.Builder
				b.WriteString("{")
				for i := range len(vars) {
					if i > 0 {
						b.WriteString(",")
					}
					addr := vars[fmt.Sprintf("a%d", i)].String()
					fmt.Fprintf(&b, `"t%d":[{"id":"%s","account_addr":"%s","boc":"%s","block_id":"%s","master_seq_no":9}]`, i, hashB, addr, boc64, hashA)
				}
				b.WriteString("}")
				return ok(b.String())
			})
			c := testClient(t, Config{}, f.srv.URL+"/graphql")
			txs, err := c.FirstActiveTransactions(context.Background(), addrs)
			if failedAsWanted(t, err, tt.wantErr) {
				// A refusal that smaller queries cannot help is not
				// asked again.
				if n := f.count(); tt.limit > 0 && n > (accounts+TransactionsPerRequest-1)/TransactionsPerRequest {
					t.Fatalf("%d requests after a refusal of another kind", n)
				}
				return
			}
			for i, tx := range txs {
				if tx == nil || tx.Account != addrs[i] {
					t.Fatalf("account %d (%s): %+v", i, addrs[i], tx)
				}
			}
			// Each of the first queries halves its way down at most once;
			// later ones start from the size found.
			halvings := 0
			for n := TransactionsPerRequest; n > tt.limit; n /= 2 {
				halvings++
			}
			chunks := (accounts + TransactionsPerRequest - 1) / TransactionsPerRequest
			if r := int(refused.Load()); r == 0 || r > chunks*halvings {
				t.Fatalf("%d refused queries, want 1 to %d", r, chunks*halvings)
			}
		})
	}
}
