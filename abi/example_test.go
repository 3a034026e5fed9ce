package abi_test

import (
	"crypto/ed25519"
	"fmt"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// A signed external call: the ABI's header values, the function id and the
// arguments, signed for the destination (ABI 2.3 binds the signature to it).
func ExampleFunction_SignExternal() {
	a, err := abi.Parse([]byte(`{
		"version": "2.3",
		"header": ["pubkey", "time", "expire"],
		"functions": [{"name": "store", "inputs": [{"name": "content", "type": "string"}], "outputs": []}]
	}`))
	if err != nil {
		panic(err)
	}
	f, _ := a.Function("store")
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	dst := cell.MustParseAddress("0:05beb555e942fa744fd96f45a9ea9d0a8248208ca12421947c06e59bc997d309")
	body, err := f.SignExternal(abi.ExternalCall{
		Args:   map[string]any{"content": "sha256:0b8b"},
		Time:   1700000000000, // ms
		Expire: 1700000040,    // s
		Dst:    dst,
	}, key, nil)
	if err != nil {
		panic(err)
	}
	d, err := a.DecodeExternalCall(body)
	if err != nil {
		panic(err)
	}
	h, _ := d.SignedHash(dst)
	fmt.Printf("%s 0x%08x %v %d %d\n", d.Function.Name, f.InputID, d.Args["content"], d.Time, d.Expire)
	fmt.Println("signature verifies:", ed25519.Verify(key.Public().(ed25519.PublicKey), h[:], d.Signature))
	// Output:
	// store 0x40089987 sha256:0b8b 1700000000000 1700000040
	// signature verifies: true
}

// Values go in as Go values or nekoton's token JSON, and come out as Go
// values that ToJSON turns back into token JSON.
func ExampleEncodeParams() {
	params := []abi.Param{
		{Name: "owner", Type: "address"},
		{Name: "limits", Type: "map(uint32,uint128)"},
	}
	c, err := abi.EncodeParams(abi.V2_2, params, map[string]any{
		"owner":  "0:1111111111111111111111111111111111111111111111111111111111111111",
		"limits": []any{[]any{"7", "1000000000"}, []any{1, 5}},
	})
	if err != nil {
		panic(err)
	}
	vals, err := abi.DecodeParams(abi.V2_2, params, c, false)
	if err != nil {
		panic(err)
	}
	j, _ := abi.ParamsToJSON(params, vals)
	fmt.Println(j["limits"])
	// Output:
	// [[1 5] [7 1000000000]]
}
