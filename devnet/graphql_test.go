package devnet

import (
	"bytes"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/tidwall/gjson"
)

func post(t *testing.T, u, query string, vars map[string]any) (int, gjson.Result) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(u, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !gjson.ValidBytes(b) {
		t.Fatalf("response is not JSON: %s", b)
	}
	return resp.StatusCode, gjson.ParseBytes(b)
}

func activeAccount(t *testing.T, i int, balance int64) Account {
	t.Helper()
	code, _ := cell.BeginCell().StoreUInt(uint64(i), 32).EndCell()
	data, _ := cell.BeginCell().StoreUInt(uint64(i)*2, 32).EndCell()
	return Account{Address: testAddr(i), Type: account.Active, Balance: big.NewInt(balance), Code: code.ToBOC(), Data: data.ToBOC(), LastPaid: 1700000000}
}

func TestGraphQLResponses(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1000000000), Account{Address: testAddr(2), Type: account.Uninit, Balance: big.NewInt(5)}))
	defer srv.Close()
	code1, _ := cell.FromBOC(activeAccount(t, 1, 0).Code)
	codeHash := code1.HashHex()
	tests := []struct {
		name   string
		query  string
		vars   map[string]any
		status int
		check  map[string]string // gjson path -> expected raw JSON
	}{
		{name: "validation error", query: `query{accounts{bogus}}`, status: 400, check: map[string]string{
			"errors.0.locations.0":     `{"line":1,"column":16}`,
			"errors.0.extensions.code": `"GRAPHQL_VALIDATION_FAILED"`,
			"data":                     ``,
		}},
		{name: "parse error", query: `query{accounts{`, status: 400, check: map[string]string{
			"errors.0.extensions.code":  `"GRAPHQL_PARSE_FAILED"`,
			"errors.0.locations.0.line": `1`,
		}},
		{name: "empty query", query: ``, status: 400, check: map[string]string{"errors.#": `1`}},
		{name: "bad variable", query: `query($a:String!){accounts(filter:{id:{eq:$a}}){id}}`, vars: map[string]any{"a": 5}, status: 400, check: map[string]string{
			"errors.0.extensions.code": `"BAD_USER_INPUT"`,
		}},
		{name: "missing variable", query: `query($a:String!){accounts(filter:{id:{eq:$a}}){id}}`, status: 400, check: map[string]string{
			"errors.0.extensions.code": `"BAD_USER_INPUT"`,
		}},
		{name: "two operations", query: `query a{info{version}} query b{info{time}}`, status: 400, check: map[string]string{"errors.#": `1`}},
		{name: "subscription over http", query: `subscription{transactions{id}}`, status: 400, check: map[string]string{"errors.#": `1`}},
		{name: "info", query: `{info{version rempEnabled endpoints}}`, status: 200, check: map[string]string{
			"data.info": `{"version":"0.67.0","rempEnabled":false,"endpoints":[]}`,
		}},
		{name: "account hex", query: `query($a:String!){accounts(filter:{id:{eq:$a}},limit:1){id acc_type acc_type_name balance last_trans_lt last_paid code_hash workchain_id}}`,
			vars: map[string]any{"a": testAddr(1)}, status: 200, check: map[string]string{
				"data.accounts.0": `{"id":"` + testAddr(1) + `","acc_type":1,"acc_type_name":"Active","balance":"0x3b9aca00","last_trans_lt":"0x0","last_paid":1700000000,"code_hash":"` + codeHash + `","workchain_id":0}`,
			}},
		{name: "account decimal, alias, typename, fragment", query: `query{accounts(filter:{id:{eq:"` + testAddr(1) + `"}}){b:balance(format:DEC) __typename ...F ... on Account{acc_type}} } fragment F on Account{id}`,
			status: 200, check: map[string]string{
				"data.accounts.0": `{"b":"1000000000","__typename":"Account","id":"` + testAddr(1) + `","acc_type":1}`,
			}},
		{name: "skip and include", query: `query($y:Boolean!){accounts(filter:{id:{eq:"` + testAddr(1) + `"}}){id @skip(if:$y) acc_type @include(if:$y)}}`,
			vars: map[string]any{"y": true}, status: 200, check: map[string]string{"data.accounts.0": `{"acc_type":1}`}},
		{name: "missing accounts get NonExist records", query: `query($ids:[String]){accounts(filter:{id:{in:$ids}}){id acc_type acc_type_name balance}}`,
			vars: map[string]any{"ids": []string{testAddr(9), testAddr(2)}}, status: 200, check: map[string]string{
				"data.accounts": `[{"id":"` + testAddr(2) + `","acc_type":0,"acc_type_name":"Uninit","balance":"0x5"},{"id":"` + testAddr(9) + `","acc_type":3,"acc_type_name":"NonExist","balance":null}]`,
			}},
		{name: "limit", query: `{accounts(limit:1){id}}`, status: 200, check: map[string]string{"data.accounts.#": `1`}},
		{name: "filter by acc_type", query: `{accounts(filter:{acc_type:{eq:0}}){id}}`, status: 200, check: map[string]string{"data.accounts": `[{"id":"` + testAddr(2) + `"}]`}},
		{name: "OR filter", query: `{accounts(filter:{acc_type:{eq:0},OR:{id:{eq:"` + testAddr(1) + `"}}}){id}}`, status: 200, check: map[string]string{"data.accounts.#": `2`}},
		{name: "blockchain account", query: `query($a:String!){blockchain{account(address:$a){info{id address acc_type balance(format:DEC)}}}}`,
			vars: map[string]any{"a": testAddr(1)}, status: 200, check: map[string]string{
				"data.blockchain.account.info": `{"id":"account/` + testAddr(1) + `","address":"` + testAddr(1) + `","acc_type":1,"balance":"1000000000"}`,
			}},
		{name: "unsupported field", query: `{accounts(filter:{id:{eq:"` + testAddr(1) + `"}}){id proof}}`, status: 200, check: map[string]string{
			"data.accounts.0":          `{"id":"` + testAddr(1) + `","proof":null}`,
			"errors.0.path":            `["accounts",0,"proof"]`,
			"errors.0.extensions.code": `"INTERNAL_SERVER_ERROR"`,
			"errors.0.message":         `"field Account.proof is not supported by the devnet emulator"`,
		}},
		{name: "unsupported filter", query: `{transactions(filter:{proof:{gt:"0"}}){id}}`, status: 200, check: map[string]string{
			"data.transactions": `null`,
			"errors.0.message":  `"filter by Transaction.proof is not supported by the devnet emulator"`,
		}},
		{name: "unsupported orderBy", query: `{transactions(orderBy:{path:"proof"}){id}}`, status: 200, check: map[string]string{
			"errors.0.message": `"orderBy Transaction.proof is not supported by the devnet emulator"`}},
		{name: "accounts by balance", query: `{accounts(orderBy:[{path:"balance",direction:DESC}]){id}}`, status: 200, check: map[string]string{
			"data.accounts": `[{"id":"` + testAddr(1) + `"},{"id":"` + testAddr(2) + `"}]`}},
		{name: "accounts by balance ascending", query: `{accounts(orderBy:[{path:"balance"}],limit:1){id}}`, status: 200, check: map[string]string{
			"data.accounts": `[{"id":"` + testAddr(2) + `"}]`}},
		{name: "balance filter", query: `{accounts(filter:{balance:{gt:"0x5"}}){id}}`, status: 200, check: map[string]string{
			"data.accounts": `[{"id":"` + testAddr(1) + `"}]`}},
		{name: "duplicate missing ids", query: `{accounts(filter:{id:{in:["` + testAddr(9) + `","` + testAddr(9) + `"]}}){id}}`, status: 200, check: map[string]string{
			"data.accounts.#": `1`}},
		{name: "unsupported collection", query: `{zerostates{id}}`, status: 200, check: map[string]string{"data.zerostates": `null`, "errors.0.path": `["zerostates"]`}},
		{name: "postRequests bad body", query: `mutation{postRequests(requests:[{id:"x",body:"!!"}])}`, status: 200, check: map[string]string{"errors.#": `1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, r := post(t, srv.URL, tt.query, tt.vars)
			if status != tt.status {
				t.Errorf("status %d, want %d: %s", status, tt.status, r.Raw)
			}
			if tt.name == "validation error" && !strings.HasPrefix(r.Get("errors.0.message").String(), `Cannot query field "bogus" on type "Account".`) {
				t.Errorf("message %s", r.Get("errors.0.message"))
			}
			for path, want := range tt.check {
				if got := r.Get(path).Raw; got != want {
					t.Errorf("%s = %s, want %s\nresponse %s", path, got, want, r.Raw)
				}
			}
		})
	}
}

func TestHTTPShapes(t *testing.T) {
	srv := NewServer(WithSecret("s3cret"))
	defer srv.Close()
	get := func(path string, auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(srv.URL, "/graphql")+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	q := "/graphql?query=" + url.QueryEscape("{info{version}}")
	tests := []struct {
		path, auth string
		status     int
		contains   string
	}{
		{q, everos.AuthHeader("s3cret"), 200, `"version":"0.67.0"`},
		{"/project-id" + q, everos.AuthHeader("s3cret"), 200, `"version"`},
		{q, "", 401, "Unauthorized"},
		{q, everos.AuthHeader("wrong"), 401, "Unauthorized"},
		{"/other", everos.AuthHeader("s3cret"), 404, ""},
		{"/graphql?query=" + url.QueryEscape(`mutation{postRequests(requests:[])}`), everos.AuthHeader("s3cret"), 405, "GET supports only query"},
	}
	for _, tt := range tests {
		status, body := get(tt.path, tt.auth)
		if status != tt.status || !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s (auth %q): %d %s", tt.path, tt.auth, status, body)
		}
	}
}

func TestWaitingQuery(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 10)), WithMaxTimeout(2*time.Second))
	defer srv.Close()
	boc, hash, _ := extMessage(testAddr(1), nil, nil)
	q := `query($h:String!){transactions(filter:{in_msg:{eq:$h}},timeout:5000){id in_msg}}`
	go func() {
		time.Sleep(100 * time.Millisecond)
		srv.Deliver(boc, time.Time{})
	}()
	start := time.Now()
	_, r := post(t, srv.URL, q, map[string]any{"h": hexID(hash)})
	if r.Get("data.transactions.0.in_msg").String() != hexID(hash) {
		t.Errorf("waiting query got %s", r.Raw)
	}
	if time.Since(start) > 1500*time.Millisecond {
		t.Error("waiting query did not return when the transaction appeared")
	}
	// Nothing matches: the wait ends at the capped timeout with [].
	_, r = post(t, srv.URL, q, map[string]any{"h": strings.Repeat("00", 32)})
	if r.Get("data.transactions").Raw != `[]` {
		t.Errorf("got %s", r.Raw)
	}
}

// writeJSON writes strings, booleans and ints as encoding/json does.
func TestWriteJSONAsEncodingJSON(t *testing.T) {
	for _, v := range []any{"", "plain base64+/=", `quote " and \ backslash`, "<html>&", "tab\tnew\nline", "ünïcode", "\u2028", true, false, 0, -17, 1.5, 1e21, nil} {
		var b bytes.Buffer
		if err := writeJSON(&b, v); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if b.String() != string(want) {
			t.Errorf("%#v: %s, encoding/json gives %s", v, b.String(), want)
		}
	}
}
