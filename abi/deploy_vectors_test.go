package abi

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// TestEverSDKWholeMessages rebuilds ever-sdk's encode_v2 messages end to
// end: the StateInit of EventsOld.tvc with the signer's key written into
// its init data, the address derived from it, the constructor and
// returnValue bodies, and the messages, byte for byte.
func TestEverSDKWholeMessages(t *testing.T) {
	raw, err := os.ReadFile("testdata/eversdk/encode_v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var sets map[string]map[string]string
	if err := json.Unmarshal(raw, &sets); err != nil {
		t.Fatal(err)
	}
	a := mustABI(t, "eversdk/EventsOld.abi.json")
	key := sdkKey(t)
	code, tvcData := tvcParts(t, "EventsOld.tvc")
	id := int32(123)
	for name, sigID := range map[string]*int32{"encode_v2": nil, "encode_v2_with_signature_id": &id} {
		t.Run(name, func(t *testing.T) {
			v := sets[name]
			data, err := a.UpdateInitData(tvcData, key[32:], nil)
			if err != nil {
				t.Fatal(err)
			}
			si := &StateInit{Code: code, Data: data}
			dst, err := si.Address(0)
			if err != nil {
				t.Fatal(err)
			}
			if dst.String() != sdkDst {
				t.Fatalf("address %s, want %s", dst, sdkDst)
			}
			call := ExternalCall{Time: sdkTime, Expire: sdkExpire, Dst: dst}
			body, err := mustFn(t, a, "constructor").SignExternal(call, key, sigID)
			if err != nil {
				t.Fatal(err)
			}
			checkMessage(t, "deploy signed", NewExternalInMessage(dst, si, body), v["deploy_signed_message"])

			// Without a signer the TVC's zero key stays, so the address differs.
			zsi := &StateInit{Code: code, Data: tvcData}
			zdst, err := zsi.Address(0)
			if err != nil {
				t.Fatal(err)
			}
			c := ExternalCall{PubKey: key[32:], Time: sdkTime, Expire: sdkExpire, Unsigned: true}
			u, err := mustFn(t, a, "constructor").EncodeExternal(c)
			if err != nil {
				t.Fatal(err)
			}
			ub, _ := u.Unsigned()
			checkMessage(t, "deploy without signature", NewExternalInMessage(zdst, zsi, ub), v["deploy_without_sign_message"])

			run := ExternalCall{Time: sdkTime, Expire: sdkExpire, Dst: dst, Args: map[string]any{"id": "0"}}
			rb, err := mustFn(t, a, "returnValue").SignExternal(run, key, sigID)
			if err != nil {
				t.Fatal(err)
			}
			checkMessage(t, "run signed", NewExternalInMessage(dst, nil, rb), v["run_signed_message"])
			run.Unsigned = true
			ru, err := mustFn(t, a, "returnValue").EncodeExternal(run)
			if err != nil {
				t.Fatal(err)
			}
			rub, _ := ru.Unsigned()
			checkMessage(t, "run without signature", NewExternalInMessage(dst, nil, rub), v["run_without_sign_message"])
		})
	}
}

func checkMessage(t *testing.T, what string, m *Message, want string) {
	t.Helper()
	c, err := m.Cell()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := c.ToBase64(); got != want {
		w, _ := cell.FromBase64(want)
		t.Errorf("%s:\n got %s\nwant %s\n got %v\nwant %v", what, got, want, c, w)
	}
}
