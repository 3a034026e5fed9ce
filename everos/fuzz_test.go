package everos

import (
	"testing"

	"github.com/tidwall/gjson"
)

// Responses come from the network: reading them must never panic.
func FuzzParseResponse(f *testing.F) {
	f.Add(200, []byte(`{"data":{"accounts":[{"id":"0:0000000000000000000000000000000000000000000000000000000000000001","acc_type":1,"balance":"0x10","boc":"te6c","last_trans_lt":"5"}]}}`))
	f.Add(400, []byte(`{"errors":[{"message":"x","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`))
	f.Add(200, []byte(`{"data":{"transactions":[{"id":"ab","lt":"0x1","compute":{"exit_code":7}}]}}`))
	f.Add(500, []byte(`<html>`))
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
		}
		parseInfo(data.Get("info"))
		parseTransaction(gjson.ParseBytes(body))
	})
}
