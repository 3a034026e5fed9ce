package abi

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// §8.1 of the reference: function and event ids.
func TestFunctionIDs(t *testing.T) {
	tests := []struct {
		fn, inputs, outputs string
		sig                 string
		in, out             uint32
	}{
		{"func", `[{"name":"a","type":"int64"},{"name":"b","type":"bool"}]`, `[{"name":"c","type":"uint32"}]`, "func(int64,bool)(uint32)v2", 0x1354f2c8, 0x9354f2c8},
		{"constructor", `[]`, `[]`, "constructor()()v2", 0x68B55F3F, 0xE8B55F3F},
		{"createArbitraryLimit", `[{"name":"value","type":"uint128"},{"name":"period","type":"uint32"}]`, `[{"name":"value0","type":"uint64"}]`, "createArbitraryLimit(uint128,uint32)(uint64)v2", 0x2238B58A, 0xA238B58A},
		{"getLimit", `[{"name":"limitId","type":"uint64"}]`, `[{"components":[{"name":"value","type":"uint256"},{"name":"period","type":"uint32"},{"name":"ltype","type":"uint8"},{"name":"spent","type":"uint256"},{"name":"start","type":"uint32"}],"name":"value0","type":"tuple"}]`, "getLimit(uint64)((uint256,uint32,uint8,uint256,uint32))v2", 0x4B774C98, 0xCB774C98},
		{"getMessages", `[]`, `[{"components":[{"name":"hash","type":"uint256"},{"name":"expireAt","type":"uint64"}],"name":"messages","type":"tuple[]"}]`, "getMessages()((uint256,uint64)[])v2", 0x7744C7E2, 0xF744C7E2},
		{"sayHello", `[]`, `[{"name":"value0","type":"uint32"}]`, "sayHello()(uint32)v2", 0x50CBED17, 0xD0CBED17},
		{"returnValue", `[{"name":"id","type":"uint256"}]`, `[{"name":"value0","type":"uint256"}]`, "returnValue(uint256)(uint256)v2", 0x15BE2C12, 0x95BE2C12},
		{"sendTransaction", `[{"name":"dest","type":"address"},{"name":"value","type":"uint128"},{"name":"bounce","type":"bool"},{"name":"flags","type":"uint8"},{"name":"payload","type":"cell"}]`, `[]`, "sendTransaction(address,uint128,bool,uint8,cell)()v2", 0x4CEE646C, 0xCCEE646C},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			a := mustParseABI(t, fmt.Sprintf(`{"version":"2.2","functions":[{"name":%q,"inputs":%s,"outputs":%s}]}`, tc.fn, tc.inputs, tc.outputs))
			f := a.Functions[0]
			if got := f.Signature(); got != tc.sig {
				t.Errorf("signature %q, want %q", got, tc.sig)
			}
			if f.InputID != tc.in || f.OutputID != tc.out {
				t.Errorf("ids 0x%08X/0x%08X, want 0x%08X/0x%08X", f.InputID, f.OutputID, tc.in, tc.out)
			}
		})
	}
	t.Run("event", func(t *testing.T) {
		a := mustABI(t, "everabi/wallet.abi.json")
		e, err := a.Event("event")
		if err != nil {
			t.Fatal(err)
		}
		if e.Signature() != "event(uint8)v2" || e.ID != 0x0CAF24BE {
			t.Errorf("event %q 0x%08X", e.Signature(), e.ID)
		}
	})
	t.Run("explicit id", func(t *testing.T) {
		a := mustParseABI(t, `{"version":"2.3","functions":[{"name":"f","id":"0x00000007","inputs":[],"outputs":[]},{"name":"g","id":9,"inputs":[],"outputs":[]}],"events":[{"name":"e","id":"0x10","inputs":[]}]}`)
		if a.Functions[0].InputID != 7 || a.Functions[0].OutputID != 7 || a.Functions[1].InputID != 9 || a.Events[0].ID != 16 {
			t.Errorf("explicit ids not used: %+v %+v %+v", a.Functions[0], a.Functions[1], a.Events[0])
		}
	})
}

var walletPub = "11c0a428b6768562df09db05326595337dbb5f8dde0e128224d4df48df760f17"

// §8.2: ever-abi's full-stack vectors.
func TestEverABIBodies(t *testing.T) {
	w20 := mustABI(t, "everabi/wallet.abi.json")
	w23 := mustABI(t, "everabi/wallet_v23.abi.json")
	if w20.Version != V2_0 || w23.Version != V2_3 {
		t.Fatalf("versions %v %v", w20.Version, w23.Version)
	}
	pub := mustHex(t, walletPub)

	t.Run("constructor unsigned", func(t *testing.T) {
		u, err := mustFn(t, w20, "constructor").EncodeExternal(ExternalCall{Expire: 0xFFFFFFFF, Unsigned: true})
		if err != nil {
			t.Fatal(err)
		}
		body, err := u.Unsigned()
		if err != nil {
			t.Fatal(err)
		}
		assertCell(t, "body", body, seq().u(0, 1).u(0xFFFFFFFF, 32).u(0, 1).u(0x68B55F3F, 32).cell(t))
		d, err := w20.DecodeExternalCall(body)
		if err != nil || d.Function.Name != "constructor" || d.Signature != nil || d.Expire != 0xFFFFFFFF || d.PubKey != nil || len(d.Args) != 0 {
			t.Errorf("decoded %+v, %v", d, err)
		}
		// The answer id decodes to the function too.
		f, vals, err := w20.DecodeOutput(seq().u(0xE8B55F3F, 32).cell(t))
		if err != nil || f.Name != "constructor" || len(vals) != 0 {
			t.Errorf("output: %v %v %v", f, vals, err)
		}
	})

	t.Run("getLimit unsigned", func(t *testing.T) {
		want := seq().u(0, 1).u(123, 32).u(1, 1).raw(pub).u(0x4B774C98, 32).u(2, 64).cell(t)
		for _, a := range []*ABI{w20, w23} {
			u, err := mustFn(t, a, "getLimit").EncodeExternal(ExternalCall{PubKey: pub, Expire: 123, Unsigned: true, Args: map[string]any{"limitId": "0x2"}})
			if err != nil {
				t.Fatal(err)
			}
			body, err := u.Unsigned()
			if err != nil {
				t.Fatal(err)
			}
			assertCell(t, "getLimit "+a.Version.String(), body, want)
			d, err := a.DecodeExternalCall(body)
			if err != nil || !bytes.Equal(d.PubKey, pub) || d.Expire != 123 || d.Args["limitId"].(*big.Int).Int64() != 2 {
				t.Errorf("decoded %+v, %v", d, err)
			}
		}
	})

	t.Run("createArbitraryLimit signed", func(t *testing.T) {
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
		kpub := key.Public().(ed25519.PublicKey)
		args := map[string]any{"value": 12, "period": 30}
		dst := cell.MustParseAddress("0:5555555555555555555555555555555555555555555555555555555555555555")
		for _, a := range []*ABI{w20, w23} {
			body, err := mustFn(t, a, "createArbitraryLimit").SignExternal(ExternalCall{Expire: 0xFFFFFFFF, Args: args, Dst: dst}, key, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := body.BeginParse()
			if flag, _ := s.LoadBool(); !flag {
				t.Fatal("no signature flag")
			}
			sig, _ := s.LoadBytes(64)
			rest, _ := s.ToCell()
			var want, signed *cell.Cell
			if a.Version == V2_0 {
				want = seq().u(0xFFFFFFFF, 32).u(1, 1).raw(kpub).u(0x2238B58A, 32).u(12, 128).u(30, 32).cell(t)
				signed = rest
			} else {
				child := seq().u(12, 128).u(30, 32).cell(t)
				want = seq().u(0xFFFFFFFF, 32).u(1, 1).raw(kpub).u(0x2238B58A, 32).ref(child).cell(t)
				b := cell.BeginCell().StoreAddress(dst).StoreSlice(rest.BeginParse())
				signed, _ = b.EndCell()
			}
			assertCell(t, "body after signature "+a.Version.String(), rest, want)
			h := signed.Hash()
			if !ed25519.Verify(kpub, h[:], sig) {
				t.Errorf("%s: signature does not verify over the expected hash", a.Version)
			}
			d, err := a.DecodeExternalCall(body)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := d.SignedHash(dst); got != h || !bytes.Equal(d.Signature, sig) || d.Args["value"].(*big.Int).Int64() != 12 || d.Args["period"].(*big.Int).Int64() != 30 {
				t.Errorf("decoded %+v", d)
			}
			f, vals, err := a.DecodeOutput(seq().raw([]byte{0xA2, 0x38, 0xB5, 0x8A, 0, 0, 0, 0, 0, 0, 0, 0}).cell(t))
			if err != nil || f.Name != "createArbitraryLimit" || vals["value0"].(*big.Int).Sign() != 0 {
				t.Errorf("output: %v %v %v", f, vals, err)
			}
		}
	})

	t.Run("event", func(t *testing.T) {
		e, vals, err := w20.DecodeEvent(seq().raw([]byte{0x0C, 0xAF, 0x24, 0xBE, 0xFF}).cell(t))
		if err != nil || e.Name != "event" || vals["param"].(*big.Int).Int64() != 255 {
			t.Errorf("event: %v %v %v", e, vals, err)
		}
	})

	t.Run("one parameter 2.3", func(t *testing.T) {
		tests := []struct {
			typ, value, hex string
			bits            int
		}{
			{"varuint32", "0x" + strings31("ff"), "1869a0307ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc", 286},
			{"varint32", "0x7f" + strings30("ff"), "30d82fc87dfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc", 286},
			{"uint256", "0x" + strings31("ff") + "ff", "3a8707b37fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80", 289},
			{"int257", "0x" + strings31("ff") + "ff", "088fb044bfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc0", 290},
		}
		for _, tc := range tests {
			a := mustParseABI(t, fmt.Sprintf(`{"ABI version":2,"version":"2.3","functions":[{"name":"test","inputs":[{"name":"value","type":%q}],"outputs":[]}],"events":[],"data":[]}`, tc.typ))
			u, err := a.Functions[0].EncodeExternal(ExternalCall{Unsigned: true, Args: map[string]any{"value": tc.value}})
			if err != nil {
				t.Fatalf("%s: %v", tc.typ, err)
			}
			body, _ := u.Unsigned()
			if got := hex.EncodeToString(body.Data()); got != tc.hex || body.BitsSize() != tc.bits || body.RefsNum() != 0 {
				t.Errorf("%s: %s (%d bits), want %s (%d)", tc.typ, got, body.BitsSize(), tc.hex, tc.bits)
			}
			d, err := a.DecodeExternalCall(body)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := parseBigInt(tc.value)
			if d.Args["value"].(*big.Int).Cmp(want) != 0 {
				t.Errorf("%s decoded %v", tc.typ, d.Args["value"])
			}
		}
	})
}

func strings31(s string) string { return string(bytes.Repeat([]byte(s), 31)) }
func strings30(s string) string { return string(bytes.Repeat([]byte(s), 30)) }

// ever-sdk's encode_v2 vectors (§8.3), EventsOld ABI 2.0.
const (
	sdkPublic = "4c7c408ff1ddebb8d6405ee979c716a14fdd6cc08124107a61d3c25597099499"
	sdkSecret = "cc8929d635719612a9478b9cd17675a39cfad52d8959e8a177389b8c0b9122a7"
	sdkTime   = 1599458364291
	sdkExpire = 1599458404
	sdkDst    = "0:05beb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309"

	sdkRunUnsigned    = "te6ccgEBAgEAeAABpYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIFMfECP8d3ruNZAXul5xxahT91swIEkEHph08JVlwmUmQAAAXRnJcuDX1XMZBW+LBKAQBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	sdkRunSigned      = "te6ccgEBAwEAvAABRYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIMAQHhrd/b+MJ5Za+AygBc5qS/dVIPnqxCsM9PvqfVxutK+lnQEKzQoRTLYO6+jfM8TF4841bdNjLQwIDWL4UVFdxIhdMfECP8d3ruNZAXul5xxahT91swIEkEHph08JVlwmUmQAAAXRnJcuDX1XMZBW+LBKACAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
	sdkRunSignedID    = "te6ccgEBAwEAvAABRYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIMAQHh8FKpVgkx4f9RgIq/vpePh886ks7Y5uMhzjosAAMMe3w6RTvQO16zRKIykXdsl0rlTQnOMJplsWp5f7w1z6lYg1MfECP8d3ruNZAXul5xxahT91swIEkEHph08JVlwmUmQAAAXRnJcuDX1XMZBW+LBKACAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
	sdkRunWithoutSign = "te6ccgEBAQEAVQAApYgAC31qq9KF9Oifst6LU9U6FQSQQRlCSEMo+A3LN5MvphIAAAAC6M5Llwa+q5jIK3xYJAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"
	sdkMultisigBody   = "te6ccgEBAwEArAAB4by5SH0Glx7Jnb0imtClvhC4I0DPaT+/su49hM5DQH+xHrEtD9U2dQOJpD2J598bWtYTC4m1Ylxh6MSg9//WKgdEWH2fKWA3SuZNZZ7BBCeDpiGAfwIlOFF981WU06BclcAAAF7d/kbVGEk26dM7mRsgAQFlgBOzHFkFNmE1fX9Dpui0xVFiNtBGdDa6IIntwTxwGs9y4AAAAAAAAAAAAAAAB3NZQAA4AgAA"
)

func sdkKey(t testing.TB) ed25519.PrivateKey {
	key := ed25519.NewKeyFromSeed(mustHex(t, sdkSecret))
	if hex.EncodeToString(key[32:]) != sdkPublic {
		t.Fatal("key pair does not match")
	}
	return key
}

func TestEverSDKRunVectors(t *testing.T) {
	a := mustABI(t, "eversdk/EventsOld.abi.json")
	if a.Version != V2_0 {
		t.Fatalf("version %v", a.Version)
	}
	key := sdkKey(t)
	f := mustFn(t, a, "returnValue")
	dst := cell.MustParseAddress(sdkDst)
	call := ExternalCall{PubKey: key[32:], Time: sdkTime, Expire: sdkExpire, Dst: dst, Args: map[string]any{"id": "0"}}

	u, err := f.EncodeExternal(call)
	if err != nil {
		t.Fatal(err)
	}
	wantU, msgDst := messageBody(t, sdkRunUnsigned)
	if !msgDst.Equal(dst) {
		t.Fatalf("message dst %v", msgDst)
	}
	assertCell(t, "unsigned body", u.Body, wantU)
	if got := base64.StdEncoding.EncodeToString(u.DataToSign(nil)); got != "i4Hs3PB12QA9UBFbOIpkG3JerHHqjm4LgvF4MA7TDsY=" {
		t.Errorf("data to sign %s", got)
	}
	id := int32(123)
	if got := base64.StdEncoding.EncodeToString(u.DataToSign(&id)); got != "AAAAe4uB7NzwddkAPVARWziKZBtyXqxx6o5uC4LxeDAO0w7G" {
		t.Errorf("data to sign with id %s", got)
	}

	for _, tc := range []struct {
		name, msg, sig string
		id             *int32
	}{
		{"plain", sdkRunSigned, "5bbfb7f184f2cb5f019400b9cd497eeaa41f3d5885619e9f7d4fab8dd695f4b3a02159a1422996c1dd7d1be67898bc79c6adba6c65a18101ac5f0a2a2bb8910b", nil},
		{"signature id 123", sdkRunSignedID, "e0a552ac1263c3fea301157f7d2f1f0f9e75259db1cdc6439c7458000618f6f8748a77a076bd6689446522eed92e95ca9a139c6134cb62d4f2ff786b9f52b106", &id},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := u.Sign(key, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := messageBody(t, tc.msg)
			assertCell(t, "signed body", signed, want)
			attached, err := u.WithSignature(mustHex(t, tc.sig))
			if err != nil {
				t.Fatal(err)
			}
			assertCell(t, "attached", attached, want)
			// SignExternal fills in the signer's key for the pubkey header.
			c2 := call
			c2.PubKey = nil
			one, err := f.SignExternal(c2, key, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			assertCell(t, "SignExternal", one, want)
			d, err := a.DecodeExternalCall(want)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(d.Signature) != tc.sig || hex.EncodeToString(d.PubKey) != sdkPublic || d.Time != sdkTime || d.Expire != sdkExpire || d.Function != f || d.Args["id"].(*big.Int).Sign() != 0 {
				t.Errorf("decoded %+v", d)
			}
			h, _ := d.SignedHash(dst)
			if !ed25519.Verify(key.Public().(ed25519.PublicKey), DataToSign(h, tc.id), d.Signature) {
				t.Error("signature does not verify")
			}
		})
	}

	t.Run("without signature", func(t *testing.T) {
		c := call
		c.PubKey = nil
		c.Unsigned = true
		u, err := f.EncodeExternal(c)
		if err != nil {
			t.Fatal(err)
		}
		body, err := u.Unsigned()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := messageBody(t, sdkRunWithoutSign)
		assertCell(t, "unsigned body", body, want)
	})
}

// TestEverSDKDeployVectors checks the constructor bodies of ever-sdk's
// encode_v2 deploy messages, with and without a signature id.
func TestEverSDKDeployVectors(t *testing.T) {
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
	f := mustFn(t, a, "constructor")
	id := int32(123)
	for name, sigID := range map[string]*int32{"encode_v2": nil, "encode_v2_with_signature_id": &id} {
		t.Run(name, func(t *testing.T) {
			v := sets[name]
			u, err := f.EncodeExternal(ExternalCall{PubKey: key[32:], Time: sdkTime, Expire: sdkExpire})
			if err != nil {
				t.Fatal(err)
			}
			wantU, _ := messageBody(t, v["deploy_unsigned_message"])
			assertCell(t, "unsigned body", u.Body, wantU)
			if got := base64.StdEncoding.EncodeToString(u.DataToSign(sigID)); got != v["deploy_unsigned_data_to_sign"] {
				t.Errorf("data to sign %s, want %s", got, v["deploy_unsigned_data_to_sign"])
			}
			signed, err := u.Sign(key, sigID)
			if err != nil {
				t.Fatal(err)
			}
			wantSigned, _ := messageBody(t, v["deploy_signed_message"])
			assertCell(t, "signed body", signed, wantSigned)
			d, err := a.DecodeExternalCall(signed)
			if err != nil || hex.EncodeToString(d.Signature) != v["deploy_signature"] {
				t.Errorf("signature %x, want %s (%v)", d.Signature, v["deploy_signature"], err)
			}
			// Signer::None with the header's pubkey given: 1-bit
			// reservation (ABI 2.0).
			un, err := f.EncodeExternal(ExternalCall{PubKey: key[32:], Time: sdkTime, Expire: sdkExpire, Unsigned: true})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := un.Unsigned()
			wantNone, _ := messageBody(t, v["deploy_without_sign_message"])
			assertCell(t, "body without signature", body, wantNone)
			// The run vectors of the same set.
			wantRun, _ := messageBody(t, v["run_signed_message"])
			run, err := mustFn(t, a, "returnValue").SignExternal(ExternalCall{Time: sdkTime, Expire: sdkExpire, Args: map[string]any{"id": 0}}, key, sigID)
			if err != nil {
				t.Fatal(err)
			}
			assertCell(t, "run signed body", run, wantRun)
		})
	}
}

func TestMultisigBodyDecode(t *testing.T) {
	a := mustParseABI(t, `{"ABI version":2,"version":"2.3","header":["pubkey","time","expire"],"functions":[{"name":"sendTransaction","inputs":[{"name":"dest","type":"address"},{"name":"value","type":"uint128"},{"name":"bounce","type":"bool"},{"name":"flags","type":"uint8"},{"name":"payload","type":"cell"}],"outputs":[]}]}`)
	body, err := cell.FromBase64(sdkMultisigBody)
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.DecodeExternalCall(body)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(d.PubKey) != "1161f67ca580dd2b9935967b04109e0e988601fc0894e145f7cd56534e817257" || d.Time != 1629805419348 || d.Expire != 1629805479 || d.Function.InputID != 1290691692 {
		t.Errorf("header %x %d %d", d.PubKey, d.Time, d.Expire)
	}
	if d.Args["value"].(*big.Int).Int64() != 1000000000 || d.Args["bounce"] != false || d.Args["flags"].(*big.Int).Int64() != 3 {
		t.Errorf("args %v", d.Args)
	}
	if dest := d.Args["dest"].(*cell.Address).String(); dest[:10] != "0:9d98e2c8" {
		t.Errorf("dest %s", dest)
	}
	// Re-encoding the decoded values reproduces the body.
	u, err := d.Function.EncodeExternal(ExternalCall{PubKey: d.PubKey, Time: d.Time, Expire: d.Expire, Args: d.Args, Dst: cell.MustParseAddress(sdkDst)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := u.WithSignature(d.Signature)
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "re-encoded", again, body)
}

func TestExternalErrors(t *testing.T) {
	a := mustABI(t, "everabi/wallet_v23.abi.json")
	f := mustFn(t, a, "getLimit")
	if _, err := f.EncodeExternal(ExternalCall{Args: map[string]any{"limitId": 1}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("2.3 without dst: %v", err)
	}
	dst := cell.MustParseAddress(sdkDst)
	if _, err := f.EncodeExternal(ExternalCall{Dst: dst, Args: map[string]any{}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("missing arg: %v", err)
	}
	if _, err := f.EncodeExternal(ExternalCall{Dst: dst, Args: map[string]any{"limitId": -1}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("negative uint: %v", err)
	}
	if _, err := f.EncodeExternal(ExternalCall{Dst: dst, PubKey: []byte{1}, Args: map[string]any{"limitId": 1}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("short pubkey: %v", err)
	}
	u, err := f.EncodeExternal(ExternalCall{Dst: dst, Args: map[string]any{"limitId": 1}, Now: func() time.Time { return time.UnixMilli(1700000000123) }})
	if err != nil {
		t.Fatal(err)
	}
	if u.Expire != 1700000040 {
		t.Errorf("default expire %d", u.Expire)
	}
	noDst, err := f.EncodeExternal(ExternalCall{Unsigned: true, Args: map[string]any{"limitId": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noDst.Sign(sdkKey(t), nil); !errors.Is(err, ErrInvalidValue) || noDst.DataToSign(nil) != nil {
		t.Errorf("signing a 2.3 body without destination: %v", err)
	}
	if _, err := u.WithSignature([]byte{1, 2}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("short signature: %v", err)
	}
	if _, err := a.DecodeExternalCall(seq().u(0, 1).u(1, 32).u(0, 1).u(0xdeadbeef, 32).cell(t)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := a.DecodeExternalCall(seq().u(0, 1).cell(t)); !errors.Is(err, ErrDecode) {
		t.Errorf("truncated: %v", err)
	}
}
