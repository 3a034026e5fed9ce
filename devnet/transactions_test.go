package devnet

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/account"
)

func TestTransactionFieldsAndFilters(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	exec := ExecutorFunc(func(env Env, in Inbound, st State) (*Result, error) {
		code, _ := in.Body().LoadUInt(16)
		acc, _ := st.Account(in.Dst)
		tx := Transaction{Account: in.Dst, InMsg: hexID(in.Hash), OrigStatus: acc.Type, EndStatus: acc.Type, ExitCode: int(code),
			Aborted: code > 1, TotalFees: bigInt(1000), BalanceDelta: bigInt(-1000)}
		if code == 9 {
			tx.ComputeSkipped, tx.SkippedReason = true, 2
		}
		if code == 7 {
			return nil, fmt.Errorf("%w: seven", ErrRejected)
		}
		return &Result{Accounts: []Account{acc}, Transactions: []Transaction{tx}}, nil
	})
	srv := NewServer(WithExecutor(exec), WithVersion("9.9.9"), WithLogf(func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}))
	defer srv.Close()
	if err := srv.SetAccount(activeAccount(t, 1, 50)); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetAccount(Account{Address: "nonsense", Type: account.Active}); err == nil {
		t.Error("SetAccount accepted a bad address")
	}
	hashes := map[uint64]string{}
	for _, code := range []uint64{0, 100, 9, 7} {
		b, h, _ := extMessage(testAddr(1), nil, cellOf16(t, code))
		if err := srv.Deliver(b, time.Time{}); err != nil {
			t.Fatal(err)
		}
		hashes[code] = hexID(h)
	}
	mu.Lock()
	if len(logs) != 1 || !strings.Contains(logs[0], "seven") {
		t.Errorf("logs %q", logs)
	}
	mu.Unlock()
	const fields = `in_msg aborted account_addr workchain_id status status_name tr_type tr_type_name orig_status_name end_status end_status_name total_fees balance_delta(format:DEC) outmsg_cnt out_msgs destroyed compute{compute_type compute_type_name skipped_reason skipped_reason_name success exit_code} action{success valid result_code no_funds msgs_created}`
	tests := []struct {
		name   string
		filter string
		want   []string // expected raw JSON of each transaction
	}{
		{"success", `{in_msg:{eq:"` + hashes[0] + `"}}`, []string{`{"in_msg":"` + hashes[0] + `","aborted":false,"account_addr":"` + testAddr(1) + `","workchain_id":0,"status":3,"status_name":"Finalized","tr_type":0,"tr_type_name":"Ordinary","orig_status_name":"Active","end_status":1,"end_status_name":"Active","total_fees":"0x3e8","balance_delta":"-1000","outmsg_cnt":0,"out_msgs":[],"destroyed":false,"compute":{"compute_type":1,"compute_type_name":"Vm","skipped_reason":null,"skipped_reason_name":null,"success":true,"exit_code":0},"action":{"success":true,"valid":true,"result_code":0,"no_funds":false,"msgs_created":0}}`}},
		{"aborted", `{in_msg:{eq:"` + hashes[100] + `"}}`, []string{`{"in_msg":"` + hashes[100] + `","aborted":true,"account_addr":"` + testAddr(1) + `","workchain_id":0,"status":3,"status_name":"Finalized","tr_type":0,"tr_type_name":"Ordinary","orig_status_name":"Active","end_status":1,"end_status_name":"Active","total_fees":"0x3e8","balance_delta":"-1000","outmsg_cnt":0,"out_msgs":[],"destroyed":false,"compute":{"compute_type":1,"compute_type_name":"Vm","skipped_reason":null,"skipped_reason_name":null,"success":false,"exit_code":100},"action":null}`}},
		{"skipped", `{in_msg:{eq:"` + hashes[9] + `"}}`, []string{`{"in_msg":"` + hashes[9] + `","aborted":true,"account_addr":"` + testAddr(1) + `","workchain_id":0,"status":3,"status_name":"Finalized","tr_type":0,"tr_type_name":"Ordinary","orig_status_name":"Active","end_status":1,"end_status_name":"Active","total_fees":"0x3e8","balance_delta":"-1000","outmsg_cnt":0,"out_msgs":[],"destroyed":false,"compute":{"compute_type":0,"compute_type_name":"Skipped","skipped_reason":2,"skipped_reason_name":"NoGas","success":null,"exit_code":null},"action":null}`}},
		{"rejected has none", `{in_msg:{eq:"` + hashes[7] + `"}}`, nil},
		{"aborted eq", `{aborted:{eq:true}}`, []string{hashes[100], hashes[9]}},
		{"ne", `{in_msg:{ne:"` + hashes[0] + `"}}`, []string{hashes[100], hashes[9]}},
		{"in", `{in_msg:{in:["` + hashes[0] + `","` + hashes[9] + `"]}}`, []string{hashes[0], hashes[9]}},
		{"notIn", `{in_msg:{notIn:["` + hashes[0] + `","` + hashes[9] + `"]}}`, []string{hashes[100]}},
		{"account and status", `{account_addr:{eq:"` + testAddr(1) + `"},status:{eq:3},end_status:{ge:1}}`, []string{hashes[0], hashes[100], hashes[9]}},
		{"now window", `{now:{gt:0,le:4102444800}}`, []string{hashes[0], hashes[100], hashes[9]}},
		{"id lt", `{id:{lt:""}}`, nil},
		{"lt range", `{lt:{ge:"0x3",le:"5"}}`, []string{hashes[100], hashes[9]}},
		{"OR", `{in_msg:{eq:"` + hashes[0] + `"},OR:{in_msg:{eq:"` + hashes[9] + `"}}}`, []string{hashes[0], hashes[9]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := post(t, srv.URL, `{transactions(filter:`+tt.filter+`){`+fields+`}}`, nil)
			if r.Get("errors").Exists() {
				t.Fatalf("errors %s", r.Get("errors").Raw)
			}
			list := r.Get("data.transactions").Array()
			if len(list) != len(tt.want) {
				t.Fatalf("%d transactions, want %d: %s", len(list), len(tt.want), r.Raw)
			}
			for i, w := range tt.want {
				if strings.HasPrefix(w, "{") {
					if list[i].Raw != w {
						t.Errorf("got  %s\nwant %s", list[i].Raw, w)
					}
				} else if list[i].Get("in_msg").String() != w {
					t.Errorf("transaction %d is %s, want %s", i, list[i].Get("in_msg"), w)
				}
			}
		})
	}
	_, r := post(t, srv.URL, `{transactions(orderBy:[{path:"lt",direction:DESC}],limit:2){in_msg}}`, nil)
	if got := r.Get("data.transactions.#.in_msg").Raw; got != `["`+hashes[9]+`","`+hashes[100]+`"]` {
		t.Errorf("newest two: %s", r.Raw)
	}
	_, r = post(t, srv.URL, `{info{version}}`, nil)
	if r.Get("data.info.version").String() != "9.9.9" {
		t.Errorf("version %s", r.Raw)
	}
	_, r = post(t, srv.URL, `{transactions(filter:{in_msg:{eq:"`+hashes[0]+`"}}){id lt now now_string}}`, nil)
	tx := srv.Transactions()[0]
	if r.Get("data.transactions.0.id").String() != tx.ID || r.Get("data.transactions.0.lt").String() != fmt.Sprintf("0x%x", tx.Lt) ||
		r.Get("data.transactions.0.now").Int() != int64(tx.Now) {
		t.Errorf("got %s for %+v", r.Raw, tx)
	}
	// Deleting an account.
	srv.SetAccount(Account{Address: testAddr(1), Type: account.NonExist})
	if _, ok := srv.Account(testAddr(1)); ok {
		t.Error("account still there after deletion")
	}
}

func cellOf16(t *testing.T, n uint64) *cellT {
	c, err := cellBuilder().StoreUInt(n, 16).EndCell()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
