package abi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// ever-abi test_encode_storage_fields (§8.2).
func TestEncodeStorageV24(t *testing.T) {
	a := mustABI(t, "everabi/fields_v24.abi.json")
	pub := "0x" + walletPub
	c, err := a.EncodeStorage(map[string]any{"__pubkey": pub, "ok": true})
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "storage", c, seq().raw(mustHex(t, walletPub)).u(0, 64).u(1, 1).u(0, 2).cell(t))

	vals, err := a.DecodeStorage(c, false)
	if err != nil {
		t.Fatal(err)
	}
	if vals["__pubkey"].(*big.Int).Text(16) != walletPub || vals["__timestamp"].(*big.Int).Sign() != 0 || vals["ok"] != true || vals["value"].(*cell.Address).Type != cell.AddrNone {
		t.Errorf("decoded %v", vals)
	}

	for name, init := range map[string]map[string]any{
		"init field missing": {"ok": true},
		"non-init given":     {"__pubkey": pub, "__timestamp": 123, "ok": true},
		"unknown field":      {"__pubkey": pub, "ok": true, "nope": 1},
	} {
		if _, err := a.EncodeStorage(init); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	old := mustABI(t, "everabi/fields_v21.abi.json")
	if _, err := old.EncodeStorage(nil); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("2.1 EncodeStorage: %v", err)
	}
}

// ever-abi test_decode_storage_fields.
func TestDecodeStorageV21(t *testing.T) {
	a := mustABI(t, "everabi/fields_v21.abi.json")
	data := seq().raw(bytes.Repeat([]byte{0x55}, 32)).u(123, 64).u(1, 1).u(456, 32).cell(t)
	vals, err := a.DecodeStorage(data, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"__pubkey":    "38597363079105398474523661669562635951089994888546854679819194669304376546645",
		"__timestamp": "123", "ok": true, "value": "456",
	}
	got, err := ParamsToJSON(a.Fields, vals)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// Extra data is refused unless partial decoding is allowed.
	longer := seq().raw(bytes.Repeat([]byte{0x55}, 32)).u(123, 64).u(1, 1).u(456, 32).u(1, 8).cell(t)
	if _, err := a.DecodeStorage(longer, false); !errors.Is(err, ErrDecode) {
		t.Errorf("extra data: %v", err)
	}
	if _, err := a.DecodeStorage(longer, true); err != nil {
		t.Errorf("extra data, partial: %v", err)
	}
}

func tvcParts(t *testing.T, name string) (code, data *cell.Cell) {
	raw, err := os.ReadFile("testdata/eversdk/" + name)
	if err != nil {
		t.Fatal(err)
	}
	si, err := cell.FromBOC(raw)
	if err != nil {
		t.Fatal(err)
	}
	return si.Ref(0), si.Ref(1)
}

// ever-sdk test_init_data (t24_initdata, ABI 2.1).
func TestInitDataEverSDK(t *testing.T) {
	a := mustABI(t, "eversdk/t24_initdata.abi.json")
	_, tvcData := tvcParts(t, "t24_initdata.tvc")
	const encoded = "te6ccgEBBwEARwABAcABAgPPoAQCAQFIAwAWc29tZSBzdHJpbmcCASAGBQADHuAAQQiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIoA=="
	want, err := cell.FromBase64(encoded)
	if err != nil {
		t.Fatal(err)
	}

	pub, vals, err := a.DecodeInitData(tvcData)
	if err != nil || !bytes.Equal(pub, make([]byte, 32)) || len(vals) != 0 {
		t.Errorf("TVC data: %x %v %v", pub, vals, err)
	}
	empty, err := a.EncodeInitData(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "empty init data", empty, tvcData)

	values := map[string]any{"a": 123, "s": "some string"}
	key := bytes.Repeat([]byte{0x22}, 32)
	got, err := a.EncodeInitData(key, values)
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "encoded init data", got, want)
	if got.ToBase64() != encoded {
		t.Errorf("BOC %s", got.ToBase64())
	}
	upd, err := a.UpdateInitData(tvcData, key, values)
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "updated init data", upd, want)

	pub, vals, err = a.DecodeInitData(want)
	if err != nil || !bytes.Equal(pub, key) || vals["a"].(*big.Int).Int64() != 123 || vals["s"] != "some string" {
		t.Errorf("decoded %x %v %v", pub, vals, err)
	}
	if _, err := a.EncodeInitData(nil, map[string]any{"zzz": 1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
	// encode with no key equals update of the TVC data with no key.
	e1, _ := a.EncodeInitData(nil, values)
	e2, _ := a.UpdateInitData(tvcData, nil, values)
	assertCell(t, "encode vs update", e1, e2)
}

// ever-abi test_update_decode_contract_data and the EventsOld address of
// §8.5: replacing key 0 moves the contract to the published address.
func TestInitDataPubKey(t *testing.T) {
	code, data := tvcParts(t, "EventsOld.tvc")
	addr := func(data *cell.Cell) string {
		si := seq().u(0b00110, 5).ref(code).ref(data).cell(t)
		h := si.Hash()
		return "0:" + hex.EncodeToString(h[:])
	}
	if got := addr(data); got != "0:84a9510b0278047154b1b84b6dd445c1349d8d42d75a2eece07b72ad6e4ea136" {
		t.Fatalf("TVC address %s", got)
	}
	key := mustHex(t, sdkPublic)
	nd, err := SetInitDataPubKey(data, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := addr(nd); got != sdkDst {
		t.Errorf("address with key %s, want %s", got, sdkDst)
	}
	if k, err := InitDataPubKey(nd); err != nil || !bytes.Equal(k, key) {
		t.Errorf("read back %x %v", k, err)
	}
	a := mustABI(t, "eversdk/EventsOld.abi.json")
	nd2, err := a.UpdateInitData(data, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertCell(t, "UpdateInitData", nd2, nd)

	w := mustABI(t, "everabi/wallet.abi.json")
	owner := "15438945231642159389809464667825054380435997955418741871927677867721750618658"
	sub := "0:1111111111111111111111111111111111111111111111111111111111111111"
	wd, err := w.EncodeInitData(nil, map[string]any{"subscription": sub, "owner": owner})
	if err != nil {
		t.Fatal(err)
	}
	items, err := cell.ParseDict(wd.Ref(0), 64)
	if err != nil || len(items) != 3 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	if b, _ := items[1].Value.LoadBytes(32); !bytes.Equal(b, bytes.Repeat([]byte{0x22}, 32)) {
		t.Errorf("owner at key 100: %x", b)
	}
	pub, vals, err := w.DecodeInitData(wd)
	if err != nil || !bytes.Equal(pub, make([]byte, 32)) || vals["owner"].(*big.Int).String() != owner || vals["subscription"].(*cell.Address).String() != sub {
		t.Errorf("decoded %x %v %v", pub, vals, err)
	}
	if _, err := SetInitDataPubKey(data, []byte{1}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("short key: %v", err)
	}
}
