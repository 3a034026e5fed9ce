package devnet

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestIndexedLookupsAgreeWithScans: a filter the indexes answer gives what
// the same filter gives by a scan (forced by an OR that matches nothing),
// in the same order.
func TestIndexedLookupsAgreeWithScans(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1000000000), activeAccount(t, 3, 1000000000), activeAccount(t, 0xabc, 1)))
	defer srv.Close()
	var ext []string
	for i := range 4 {
		b, h, _ := extMessage(testAddr(1+2*(i%2)), nil, cellOf16(t, uint64(i)))
		if err := srv.Deliver(b, time.Time{}); err != nil {
			t.Fatal(err)
		}
		ext = append(ext, hexID(h))
	}
	// Delivered again: two transactions with one inbound message.
	b, _, _ := extMessage(testAddr(1), nil, cellOf16(t, 0))
	if err := srv.Deliver(b, time.Time{}); err != nil {
		t.Fatal(err)
	}
	txs := srv.Transactions()
	list := func(ids ...string) string { return `["` + strings.Join(ids, `","`) + `"]` }
	tests := []struct {
		collection, filter, fields string
		want                       int
	}{
		{"accounts", `id:{in:` + list(testAddr(3), testAddr(1), testAddr(2)) + `},acc_type:{eq:1}`, "id", 2},
		// Filter values are compared as written; the index finds no more.
		{"accounts", `id:{eq:"` + strings.ToUpper(testAddr(0xabc)) + `"},acc_type:{eq:1}`, "id", 0},
		{"accounts", `id:{eq:"` + testAddr(0xabc) + `"},acc_type:{eq:1}`, "id", 1},
		{"transactions", `in_msg:{in:` + list(ext[2], ext[0]) + `}`, "id in_msg", 3},
		{"transactions", `id:{in:` + list(txs[3].ID, txs[1].ID, txs[1].ID) + `}`, "id", 2},
		{"transactions", `account_addr:{eq:"` + testAddr(3) + `"},aborted:{eq:false}`, "id", 2},
		{"messages", `id:{in:` + list(ext[3], ext[1]) + `}`, "id", 2},
	}
	for _, tt := range tests {
		t.Run(tt.collection+" "+tt.filter, func(t *testing.T) {
			q := func(filter string) string {
				_, r := post(t, srv.URL, fmt.Sprintf(`{%s(filter:{%s}){%s}}`, tt.collection, filter, tt.fields), nil)
				if r.Get("errors").Exists() {
					t.Fatalf("errors %s", r.Get("errors").Raw)
				}
				if n := int(r.Get("data." + tt.collection + ".#").Int()); n != tt.want {
					t.Errorf("%s: %d records, want %d", filter, n, tt.want)
				}
				return r.Get("data." + tt.collection).Raw
			}
			indexed := q(tt.filter)
			scanned := q(tt.filter + `,OR:{id:{eq:"none"}}`)
			if indexed != scanned {
				t.Errorf("indexed %s\nscanned %s", indexed, scanned)
			}
		})
	}
}
