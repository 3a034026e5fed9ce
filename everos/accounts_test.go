package everos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

func addr(i int) string { return fmt.Sprintf("0:%064x", i) }

// accountJSON is an account as the API writes it.
func accountJSON(a string, typ int, balance string) string {
	return fmt.Sprintf(`{"id":%q,"acc_type":%d,"balance":%q,"code_hash":"%064x","data_hash":null,"boc":"te6c","code":"AQID","data":"BAUG","last_paid":1700000000,"last_trans_lt":"0x1f"}`, a, typ, balance, 7)
}

func TestAccount(t *testing.T) {
	tests := []struct {
		name    string
		resp    string
		want    *Account
		wantErr string
	}{
		{name: "active hex balance", resp: `[` + accountJSON(addr(1), 1, "0x3b9aca00") + `]`,
			want: &Account{Type: Active, Balance: mustBig("1000000000"), Code: []byte{1, 2, 3}, Data: []byte{4, 5, 6}, BOC: []byte{0xb5, 0xee, 0x9c}, LastTransLt: 31, LastPaid: 1700000000}},
		{name: "decimal balance", resp: `[` + accountJSON(addr(1), 0, "123456789012345678901234567890") + `]`,
			want: &Account{Type: Uninit, Balance: mustBig("123456789012345678901234567890"), Code: []byte{1, 2, 3}, Data: []byte{4, 5, 6}, BOC: []byte{0xb5, 0xee, 0x9c}, LastTransLt: 31, LastPaid: 1700000000}},
		{name: "frozen", resp: `[` + accountJSON(addr(1), 2, "0") + `]`,
			want: &Account{Type: Frozen, Balance: mustBig("0"), Code: []byte{1, 2, 3}, Data: []byte{4, 5, 6}, BOC: []byte{0xb5, 0xee, 0x9c}, LastTransLt: 31, LastPaid: 1700000000}},
		{name: "absent", resp: `[]`, want: &Account{Type: NonExist, Balance: mustBig("0")}},
		{name: "synthetic NonExist", resp: `[{"id":"` + addr(1) + `","acc_type":3,"balance":null,"boc":null}]`, want: &Account{Type: NonExist, Balance: mustBig("0")}},
		{name: "other address ignored", resp: `[` + accountJSON(addr(2), 1, "0x1") + `]`, want: &Account{Type: NonExist, Balance: mustBig("0")}},
		{name: "bad balance", resp: `[` + accountJSON(addr(1), 1, "0xnope") + `]`, wantErr: "reading balance"},
		{name: "bad acc_type", resp: `[{"id":"` + addr(1) + `","acc_type":9}]`, wantErr: "unknown acc_type 9"},
		{name: "missing acc_type", resp: `[{"id":"` + addr(1) + `"}]`, wantErr: "acc_type"},
		{name: "bad id", resp: `[{"id":"zz","acc_type":1}]`, wantErr: "parsing address"},
		{name: "bad base64", resp: `[{"id":"` + addr(1) + `","acc_type":1,"boc":"!!"}]`, wantErr: "reading boc"},
		{name: "bad hash", resp: `[{"id":"` + addr(1) + `","acc_type":1,"code_hash":"xyz"}]`, wantErr: "reading code_hash"},
		{name: "huge lt", resp: `[{"id":"` + addr(1) + `","acc_type":1,"last_trans_lt":"0x10000000000000000"}]`, wantErr: "last_trans_lt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(int, fakeReq) (int, string) { return ok(`{"accounts":` + tt.resp + `}`) })
			c := testClient(t, Config{}, f.srv.URL)
			got, err := c.Account(t.Context(), addr(1))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Address = addr(1)
			tt.want.Endpoint = f.srv.URL + "/graphql" // the endpoint that answered
			if tt.want.Type != NonExist {
				tt.want.CodeHash = bytes.Repeat([]byte{0}, 32)
				tt.want.CodeHash[31] = 7
			}
			if g, w := dump(got), dump(tt.want); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
			if got.Exists() != (tt.want.Type != NonExist) {
				t.Error("Exists wrong")
			}
			r := f.requests()[0]
			if r.Query != queryAccount || r.Vars.Get("a").String() != addr(1) {
				t.Errorf("request %s %s", r.Query, r.Vars.Raw)
			}
		})
	}
}

func mustBig(s string) *big.Int {
	n, err := ParseBigInt(s)
	if err != nil {
		panic(err)
	}
	return n
}

func dump(a *Account) string {
	b, _ := json.Marshal(a)
	return string(b)
}

func TestAccountBadAddress(t *testing.T) {
	c := testClient(t, Config{}, "a.dev")
	if _, err := c.Account(t.Context(), "nonsense"); err == nil {
		t.Error("no error for a bad address")
	}
	if _, err := c.Accounts(t.Context(), []string{addr(1), "0:12"}); err == nil {
		t.Error("no error for a bad address in a batch")
	}
}

// TestAccountErrorLeavesTheAddressToItsCaller: the caller, which chose the
// address, names it; the error says what failed.
func TestAccountErrorLeavesTheAddressToItsCaller(t *testing.T) {
	f := newFake(t, func(int, fakeReq) (int, string) {
		return 200, `{"data":{"accounts":null},"errors":[{"message":"shard is down"}]}`
	})
	c := testClient(t, Config{}, f.srv.URL)
	_, err := c.Account(t.Context(), addr(3))
	if err == nil || !strings.Contains(err.Error(), "shard is down") {
		t.Fatalf("error %v, want the server's", err)
	}
	if strings.Contains(err.Error(), addr(3)) {
		t.Errorf("error %q names the address its caller gave", err)
	}
}

func TestAccountsBatched(t *testing.T) {
	// The server knows the even accounts, returns synthetic records for
	// some missing ones and omits the others, in its own order.
	f := newFake(t, func(_ int, r fakeReq) (int, string) {
		var out []string
		ids := r.Vars.Get("ids").Array()
		for i := len(ids) - 1; i >= 0; i-- {
			id := ids[i].String()
			var n int
			fmt.Sscanf(id[2:], "%x", &n)
			switch {
			case n%2 == 0:
				out = append(out, accountJSON(id, 1, fmt.Sprintf("0x%x", n*1000)))
			case n%3 == 0:
				out = append(out, `{"id":"`+id+`","acc_type":3,"acc_type_name":"NonExist"}`)
			}
		}
		if int(r.Vars.Get("n").Int()) != len(ids) {
			return 200, `{"errors":[{"message":"limit does not match"}]}`
		}
		return ok(`{"accounts":[` + strings.Join(out, ",") + `]}`)
	})
	tests := []struct {
		name      string
		chunk     int
		addrs     []string
		wantCalls int
	}{
		{"empty", 2, nil, 0},
		{"one", 2, []string{addr(2)}, 1},
		// A chunk where the server named some addresses and left out
		// others is asked again for the others: [1 2] twice, [3 4], [5].
		{"chunks of 2", 2, []string{addr(1), addr(2), addr(3), addr(4), addr(5)}, 4},
		{"duplicates asked once", 2, []string{addr(4), addr(4), addr(9), addr(4)}, 1},
		{"default chunk", 0, func() []string {
			var a []string
			for i := 1; i <= 120; i++ {
				a = append(a, addr(i))
			}
			return a
		}(), 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.count()
			c := testClient(t, Config{AccountsPerRequest: tt.chunk}, f.srv.URL)
			got, err := c.Accounts(t.Context(), tt.addrs)
			if err != nil {
				t.Fatal(err)
			}
			if calls := f.count() - before; calls != tt.wantCalls {
				t.Errorf("%d requests, want %d", calls, tt.wantCalls)
			}
			if len(got) != len(tt.addrs) {
				t.Fatalf("%d results for %d addresses", len(got), len(tt.addrs))
			}
			for i, a := range tt.addrs {
				var n int
				fmt.Sscanf(a[2:], "%x", &n)
				g := got[i]
				if g.Address != a {
					t.Errorf("result %d is %s, want %s", i, g.Address, a)
				}
				if n%2 == 0 {
					if g.Type != Active || g.Balance.Int64() != int64(n*1000) {
						t.Errorf("%s: %v %v", a, g.Type, g.Balance)
					}
				} else if g.Type != NonExist || g.Balance.Sign() != 0 {
					t.Errorf("%s: %v, want non-existent", a, g.Type)
				}
			}
		})
	}
}

func TestAccountsChunkError(t *testing.T) {
	f := newFake(t, func(_ int, r fakeReq) (int, string) {
		for _, id := range r.Vars.Get("ids").Array() {
			if id.String() == addr(5) {
				return 200, `{"data":{"accounts":null},"errors":[{"message":"too many requests for this shard"}]}`
			}
		}
		return ok(`{"accounts":[]}`)
	})
	var addrs []string
	for i := 1; i <= 12; i++ {
		addrs = append(addrs, addr(i))
	}
	c := testClient(t, Config{AccountsPerRequest: 2, ParallelRequests: 3}, f.srv.URL)
	_, err := c.Accounts(t.Context(), addrs)
	var ge *GraphQLError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "too many requests for this shard") {
		t.Errorf("error %v", err)
	}
}
