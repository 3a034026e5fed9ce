package everos

import (
	"fmt"
	"strings"
	"testing"
)

// accountsAnswer is an accounts answer of 50 proof-sized accounts (one
// request of a batched check).
func accountsAnswer() []byte {
	var recs []string
	for i := range 50 {
		recs = append(recs, fmt.Sprintf(`{"id":"0:%064x","acc_type":1,"balance":"99000000","code_hash":"%064x","data_hash":"%064x","boc":"%s","code":"%s","data":"%s","last_paid":1700000000,"last_trans_lt":"%d"}`,
			i, i, i, strings.Repeat("te6ccgEBAQEAAgAAAA", 20), strings.Repeat("te6ccgEBAQEAAgAAAA", 10), strings.Repeat("te6ccgEBAQEAAgAAAA", 4), i))
	}
	return []byte(`{"data":{"accounts":[` + strings.Join(recs, ",") + `]}}`)
}

// BenchmarkCheckDepth is the nesting check alone, on the answer that
// BenchmarkParseAccounts reads (which includes it).
func BenchmarkCheckDepth(b *testing.B) {
	body := accountsAnswer()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := checkDepth(body, MaxResponseDepth); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAccounts reads an accounts answer of 50 proof-sized
// accounts (one request of a batched check).
func BenchmarkParseAccounts(b *testing.B) {
	body := accountsAnswer()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		data, err := parseResponse("http://x/graphql", 200, body)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range data.Get("accounts").Array() {
			if _, err := parseAccount(v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseTransaction reads the transaction of a message.
func BenchmarkParseTransaction(b *testing.B) {
	body := []byte(`{"data":{"transactions":[{"id":"` + strings.Repeat("ab", 32) + `","in_msg":"` + strings.Repeat("cd", 32) +
		`","aborted":false,"status":3,"now":1700000000,"lt":"123456","end_status":1,"compute":{"compute_type":1,"skipped_reason":null,"success":true,"exit_code":0},"action":{"success":true,"result_code":0}}]}}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		data, err := parseResponse("http://x/graphql", 200, body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := parseTransaction(data.Get("transactions.0")); err != nil {
			b.Fatal(err)
		}
	}
}
