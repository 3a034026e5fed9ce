package devnet

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// TestMessages: the messages collection holds every message a transaction
// took or sent, with the fields of its BOC, and transactions join theirs.
func TestMessages(t *testing.T) {
	srv := NewServer(WithAccounts(activeAccount(t, 1, 1000000000)))
	defer srv.Close()
	body := must(cell.BeginCell().StoreUInt(0xabcd, 16).EndCell())
	ext, extID, _ := extMessage(testAddr(1), nil, body)
	if err := srv.Deliver(ext, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// A bounceable transfer to an address that does not exist comes back.
	in := must(BuildInternalMessage(testAddr(2), testAddr(9), bigInt(5000), true, false, nil))
	if err := srv.Deliver(in, time.Time{}); err != nil {
		t.Fatal(err)
	}
	txs := srv.Transactions()
	if len(txs) != 3 || len(txs[1].OutMsgs) != 1 {
		t.Fatalf("transactions %+v", txs)
	}
	bounced := txs[1]
	inID := hexID(must(ParseMessage(in)).Hash)
	tests := []struct {
		name, query string
		want        map[string]string
	}{
		{"by id", fmt.Sprintf(`{messages(filter:{id:{eq:%q}}){id boc msg_type msg_type_name status status_name src dst dst_workchain_id src_workchain_id created_lt value body body_hash}}`, hexID(extID)),
			map[string]string{"#": "1", "0.id": hexID(extID), "0.boc": base64.StdEncoding.EncodeToString(ext), "0.msg_type": "1", "0.msg_type_name": "ExtIn",
				"0.status": "5", "0.status_name": "Finalized", "0.src": "", "0.dst": testAddr(1), "0.dst_workchain_id": "0", "0.src_workchain_id": "",
				"0.created_lt": "", "0.value": "", "0.body": base64.StdEncoding.EncodeToString(body.ToBOC()), "0.body_hash": body.HashHex()}},
		{"by destination", fmt.Sprintf(`{messages(filter:{dst:{eq:%q}}){id bounce bounced value(format:DEC) created_lt(format:DEC) created_at}}`, testAddr(2)),
			map[string]string{"#": "1", "0.id": bounced.OutMsgs[0], "0.bounce": "false", "0.bounced": "true", "0.value": "5000",
				"0.created_lt": fmt.Sprint(bounced.Lt + 1), "0.created_at": fmt.Sprint(bounced.Now)}},
		{"internal, by lt", `{messages(filter:{msg_type:{eq:0}},orderBy:[{path:"created_lt",direction:DESC}]){id}}`,
			map[string]string{"#": "2", "0.id": bounced.OutMsgs[0], "1.id": inID}},
		{"by source and value", fmt.Sprintf(`{messages(filter:{src:{eq:%q},value:{gt:"100"}}){id}}`, testAddr(2)),
			map[string]string{"#": "1", "0.id": inID}},
		{"joined", fmt.Sprintf(`{transactions(filter:{id:{eq:%q}}){in_message{id src dst bounce value(format:DEC)} out_messages{id src dst bounced}}}`, bounced.ID),
			map[string]string{"#": "1", "0.in_message.id": inID, "0.in_message.src": testAddr(2), "0.in_message.dst": testAddr(9),
				"0.in_message.bounce": "true", "0.in_message.value": "5000",
				"0.out_messages.#": "1", "0.out_messages.0.id": bounced.OutMsgs[0], "0.out_messages.0.dst": testAddr(2), "0.out_messages.0.bounced": "true"}},
		{"joined external", fmt.Sprintf(`{transactions(filter:{in_msg:{eq:%q}}){in_message{msg_type_name} out_messages{id}}}`, hexID(extID)),
			map[string]string{"#": "1", "0.in_message.msg_type_name": "ExtIn", "0.out_messages.#": "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := post(t, srv.URL, tt.query, nil)
			if r.Get("errors").Exists() {
				t.Fatalf("errors %s", r.Get("errors").Raw)
			}
			list := r.Get("data.messages")
			if !list.Exists() {
				list = r.Get("data.transactions")
			}
			for path, want := range tt.want {
				if got := list.Get(path).String(); got != want {
					t.Errorf("%s = %q, want %q\n%s", path, got, want, r.Raw)
				}
			}
		})
	}
	// Messages and their joins survive a restart from the state directory.
	dir := t.TempDir()
	a := NewServer(WithStateDir(dir), WithAccounts(activeAccount(t, 1, 1000000000)))
	if err := a.Deliver(ext, time.Time{}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b := NewServer(WithStateDir(dir))
	defer b.Close()
	_, r := post(t, b.URL, `{transactions{in_message{id}} messages{id}}`, nil)
	if got := r.Get("data.transactions.0.in_message.id").String(); got != hexID(extID) || r.Get("data.messages.#").Int() != 1 {
		t.Errorf("after a restart: %s", r.Raw)
	}
}
