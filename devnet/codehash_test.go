package devnet

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/tidwall/gjson"
)

// An account may run code the emulator does not have: it reports the code
// hash it is given, everywhere the API shows one, and keeps it across
// restarts and transactions.
func TestAccountCodeHash(t *testing.T) {
	published := strings.Repeat("ab", 32)
	plain := activeAccount(t, 1, 1e9)
	standIn := activeAccount(t, 2, 1e9)
	standIn.CodeHash = strings.ToUpper(published) // normalized to lower case
	code1, _ := cell.FromBOC(plain.Code)
	dir := t.TempDir()
	for _, run := range []string{"fresh", "restarted"} {
		t.Run(run, func(t *testing.T) {
			srv := NewServer(WithStateDir(dir), WithAccounts(plain, standIn))
			defer srv.Close()
			tests := []struct {
				name string
				addr string
				want string
			}{
				{"own code", plain.Address, code1.HashHex()},
				{"given hash", standIn.Address, published},
			}
			for _, tt := range tests {
				_, r := post(t, srv.URL, `query($a:String!){accounts(filter:{id:{eq:$a}}){code_hash}}`, map[string]any{"a": tt.addr})
				if got := r.Get("data.accounts.0.code_hash").String(); got != tt.want {
					t.Errorf("%s: accounts code_hash %q, want %q (%s)", tt.name, got, tt.want, r.Raw)
				}
				_, r = post(t, srv.URL, `query($a:String!){blockchain{account(address:$a){info{code_hash}}}}`, map[string]any{"a": tt.addr})
				if got := r.Get("data.blockchain.account.info.code_hash").String(); got != tt.want {
					t.Errorf("%s: blockchain code_hash %q, want %q (%s)", tt.name, got, tt.want, r.Raw)
				}
				_, r = post(t, srv.URL, `query($h:String!){accounts(filter:{code_hash:{eq:$h}}){id}}`, map[string]any{"h": tt.want})
				if got := r.Get("data.accounts.#.id").String(); got != `["`+tt.addr+`"]` {
					t.Errorf("%s: filter by code_hash found %s", tt.name, got)
				}
				c := client(t, srv.URL)
				a, err := c.Account(context.Background(), tt.addr)
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(a.CodeHash) != tt.want {
					t.Errorf("%s: everos.Client reads code hash %x, want %s", tt.name, a.CodeHash, tt.want)
				}
			}
			if a, _ := srv.Account(standIn.Address); a.CodeHash != published {
				t.Errorf("Server.Account: code hash %q, want %q", a.CodeHash, published)
			}
		})
	}
}

// A transaction that leaves the code alone leaves the given hash; new code
// reports its own.
func TestAccountCodeHashAfterTransactions(t *testing.T) {
	published := strings.Repeat("cd", 32)
	a := activeAccount(t, 1, 1e9)
	a.CodeHash = published
	init, deployAddr := deployable(t, 9)
	srv := NewServer(WithAccounts(a, Account{Address: deployAddr, Type: account.Uninit, Balance: bigInt(10), CodeHash: published}))
	defer srv.Close()
	ext, _, _ := extMessage(a.Address, nil, nil)
	in, _ := BuildInternalMessage(testAddr(7), a.Address, bigInt(5), false, false, nil)
	deploy, _, _ := extMessage(deployAddr, init, nil)
	for _, m := range [][]byte{ext, in, deploy} {
		if err := srv.Deliver(m, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Transactions()); n != 3 {
		t.Fatalf("%d transactions, want 3", n)
	}
	if got, _ := srv.Account(a.Address); got.CodeHash != published {
		t.Errorf("after transactions that keep the code: code hash %q", got.CodeHash)
	}
	got, _ := srv.Account(deployAddr)
	if got.Type != account.Active || got.CodeHash != "" {
		t.Errorf("deployed account: %v, code hash %q, want its own code's", got.Type, got.CodeHash)
	}
	_, r := post(t, srv.URL, `query($a:String!){accounts(filter:{id:{eq:$a}}){code_hash}}`, map[string]any{"a": deployAddr})
	if want := init.Code.HashHex(); r.Get("data.accounts.0.code_hash").String() != want {
		t.Errorf("deployed account reports code hash %s, want %s", r.Get("data.accounts.0.code_hash"), want)
	}
}

func TestAccountCodeHashInvalid(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	for _, h := range []string{"zz", strings.Repeat("ab", 31), strings.Repeat("ab", 33), strings.Repeat("g0", 32)} {
		a := activeAccount(t, 1, 1)
		a.CodeHash = h
		if err := srv.SetAccount(a); err == nil {
			t.Errorf("code hash %q accepted", h)
		}
	}
}

func client(t *testing.T, url string) *everos.Client {
	t.Helper()
	c, err := everos.New(everos.Config{Endpoints: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Without code there is no code hash to report, whatever is given.
func TestAccountCodeHashWithoutCode(t *testing.T) {
	srv := NewServer(WithAccounts(Account{Address: testAddr(1), Type: account.Uninit, Balance: bigInt(1), CodeHash: strings.Repeat("ab", 32)}))
	defer srv.Close()
	_, r := post(t, srv.URL, `query($a:String!){accounts(filter:{id:{eq:$a}}){code_hash}}`, map[string]any{"a": testAddr(1)})
	if h := r.Get("data.accounts.0.code_hash"); h.Type != gjson.Null {
		t.Errorf("uninit account reports code hash %s", h.Raw)
	}
}
