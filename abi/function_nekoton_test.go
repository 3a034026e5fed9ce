package abi

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

type nekotonExternal struct {
	Hash       string  `json:"hash"`
	ExpireAt   uint32  `json:"expireAt"`
	BOC        string  `json:"boc"`
	DataToSign *string `json:"dataToSign"`
}

// randomCallABI makes an ABI of version v with one function of random
// inputs and a random header (subset and order of pubkey, time, expire).
func (g *typeGen) randomCallABI(t testing.TB) (*ABI, string) {
	headers := []string{"pubkey", "time", "expire"}
	g.r.Shuffle(len(headers), func(i, j int) { headers[i], headers[j] = headers[j], headers[i] })
	if g.r.IntN(3) == 0 {
		headers = headers[:g.r.IntN(3)]
	}
	inputs := g.params(1+g.r.IntN(6), 2)
	outputs := g.params(g.r.IntN(4), 2)
	evInputs := g.params(g.r.IntN(4), 2)
	doc := map[string]any{
		"version":   g.v.String(),
		"header":    headers,
		"functions": []any{map[string]any{"name": "call", "inputs": inputs, "outputs": outputs}},
		"events":    []any{map[string]any{"name": "happened", "inputs": evInputs}},
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return mustParseABI(t, string(raw)), string(raw)
}

// TestNekotonExternalCalls builds external call messages for random ABIs,
// headers, times and keys in Go and with nekoton-wasm's
// createExternalMessage, and expects equal bodies, data to sign,
// signatures and message hashes; nekoton's bodies decode in Go to the
// values given.
func TestNekotonExternalCalls(t *testing.T) {
	b := nekotontest.Start(t)
	total := 0
	for _, v := range []Version{V2_0, V2_1, V2_2, V2_3, V2_4} {
		g, seed := newTypeGen(t, v)
		n := 40
		if v == V2_2 || v == V2_3 {
			n = 250
		}
		for i := 0; i < n; i++ {
			a, abiJSON := g.randomCallABI(t)
			f := a.Functions[0]
			args := g.values(f.Inputs)
			tokens := paramsJSON(t, f.Inputs, args)
			seedKey := g.bytes(32)
			key := ed25519.NewKeyFromSeed(seedKey)
			dst := g.address()
			nowMs := uint64(1_600_000_000_000 + g.r.Int64N(200_000_000_000))
			expire := uint32(nowMs/1000) + 1 + uint32(g.r.IntN(100000))
			unsigned := g.r.IntN(4) == 0
			what := fmt.Sprintf("version %s seed %d case %d header %v inputs %s unsigned %v", v, seed, i, headerNames(a), typeList(f.Inputs), unsigned)

			params := map[string]any{
				"dst": dst.String(), "abi": abiJSON, "method": "call", "input": tokens,
				"nowMs": nowMs, "expireAt": expire,
			}
			if !unsigned {
				params["secretKey"] = hex.EncodeToString(seedKey)
			}
			raw, err := b.Call("externalMessage", params)
			if err != nil {
				t.Fatalf("%s: nekoton: %v", what, err)
			}
			var ne nekotonExternal
			if err := json.Unmarshal(raw, &ne); err != nil {
				t.Fatal(err)
			}
			nBody, _ := messageBody(t, ne.BOC)

			call := ExternalCall{Args: args, Time: nowMs, Expire: expire, Dst: dst}
			var body *cell.Cell
			if unsigned {
				call.Unsigned = true
				u, err := f.EncodeExternal(call)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if body, err = u.Unsigned(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			} else {
				call.PubKey = key[32:]
				u, err := f.EncodeExternal(call)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if ne.DataToSign == nil || base64.StdEncoding.EncodeToString(u.DataToSign(nil)) != *ne.DataToSign {
					t.Fatalf("%s: data to sign %x, nekoton %v", what, u.Hash, ne.DataToSign)
				}
				if body, err = f.SignExternal(ExternalCall{Args: args, Time: nowMs, Expire: expire, Dst: dst}, key, nil); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			msg, err := NewExternalInMessage(dst, nil, body).Cell()
			if err != nil {
				t.Fatalf("%s: message: %v", what, err)
			}
			if body.Hash() != nBody.Hash() {
				t.Fatalf("%s: bodies differ\n  go %v\nnekoton %v", what, body, nBody)
			}
			if msg.HashHex() != ne.Hash {
				t.Errorf("%s: message hash %s, nekoton %s", what, msg.HashHex(), ne.Hash)
			}

			d, err := a.DecodeExternalCall(nBody)
			if err != nil {
				t.Fatalf("%s: decoding nekoton's body: %v", what, err)
			}
			if got, want := canonParams(t, f.Inputs, paramsJSON(t, f.Inputs, d.Args)), canonParams(t, f.Inputs, tokens); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: decoded args\n%v\nwant\n%v", what, got, want)
			}
			if a.hasHeader(KindTime) && d.Time != nowMs || a.hasHeader(KindExpire) && d.Expire != expire {
				t.Fatalf("%s: decoded header time %d expire %d", what, d.Time, d.Expire)
			}
			if !unsigned {
				if a.hasHeader(KindPubKey) && !bytes.Equal(d.PubKey, key[32:]) {
					t.Fatalf("%s: decoded pubkey %x", what, d.PubKey)
				}
				h, err := d.SignedHash(dst)
				if err != nil || !ed25519.Verify(key.Public().(ed25519.PublicKey), h[:], d.Signature) {
					t.Fatalf("%s: nekoton's signature does not verify over the Go hash (%v)", what, err)
				}
			}
			total++
		}
	}
	t.Logf("%d random external calls agree with nekoton", total)
}

func headerNames(a *ABI) []string {
	var out []string
	for _, h := range a.Header {
		out = append(out, h.Name)
	}
	return out
}

// TestNekotonInternalCalls compares internal call bodies with nekoton's
// encodeInternalInput and decodes nekoton's bodies in Go.
func TestNekotonInternalCalls(t *testing.T) {
	b := nekotontest.Start(t)
	total := 0
	for _, v := range []Version{V2_0, V2_1, V2_2, V2_3, V2_4} {
		g, seed := newTypeGen(t, v)
		for i := 0; i < 40; i++ {
			a, abiJSON := g.randomCallABI(t)
			f := a.Functions[0]
			args := g.values(f.Inputs)
			tokens := paramsJSON(t, f.Inputs, args)
			what := fmt.Sprintf("version %s seed %d case %d inputs %s", v, seed, i, typeList(f.Inputs))
			raw, err := b.Call("encodeInternalInput", abiJSON, "call", tokens)
			if err != nil {
				t.Fatalf("%s: nekoton: %v", what, err)
			}
			var boc string
			if err := json.Unmarshal(raw, &boc); err != nil {
				t.Fatal(err)
			}
			body, err := f.EncodeInternal(args)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			raw, err = b.Call("getBocHash", boc)
			if err != nil {
				t.Fatal(err)
			}
			var hash string
			_ = json.Unmarshal(raw, &hash)
			if hash != body.HashHex() {
				t.Fatalf("%s: body hash %s, nekoton %s\n%v", what, body.HashHex(), hash, body)
			}
			// nekoton decodes the Go body to the same values.
			raw, err = b.Call("decodeInput", body.ToBase64(), abiJSON, "call", true)
			if err != nil {
				t.Fatalf("%s: nekoton cannot decode the Go body: %v", what, err)
			}
			var dec struct {
				Method string         `json:"method"`
				Input  map[string]any `json:"input"`
			}
			if err := json.Unmarshal(raw, &dec); err != nil {
				t.Fatal(err)
			}
			if got, want := canonParams(t, f.Inputs, dec.Input), canonParams(t, f.Inputs, tokens); dec.Method != "call" || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: nekoton decoded %s\n%v\nwant\n%v", what, dec.Method, got, want)
			}
			d, err := a.DecodeInternalCall(body)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got, want := canonParams(t, f.Inputs, paramsJSON(t, f.Inputs, d.Args)), canonParams(t, f.Inputs, tokens); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: decoded\n%v\nwant\n%v", what, got, want)
			}
			total++
		}
	}
	t.Logf("%d random internal calls agree with nekoton", total)
}

// TestNekotonOutputsAndEvents encodes random function answers and events in
// Go and decodes them with nekoton's decodeOutput and decodeEvent.
func TestNekotonOutputsAndEvents(t *testing.T) {
	b := nekotontest.Start(t)
	total := 0
	for _, v := range []Version{V2_0, V2_1, V2_2, V2_3, V2_4} {
		g, seed := newTypeGen(t, v)
		for i := 0; i < 30; i++ {
			a, abiJSON := g.randomCallABI(t)
			f, e := a.Functions[0], a.Events[0]
			what := fmt.Sprintf("version %s seed %d case %d outputs %s event %s", v, seed, i, typeList(f.Outputs), typeList(e.Inputs))
			outs := g.values(f.Outputs)
			body, err := f.EncodeOutput(outs)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			raw, err := b.Call("decodeOutput", body.ToBase64(), abiJSON, "call")
			if err != nil {
				t.Fatalf("%s: nekoton decodeOutput: %v", what, err)
			}
			var out struct {
				Method string         `json:"method"`
				Output map[string]any `json:"output"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			if got, want := canonParams(t, f.Outputs, out.Output), canonParams(t, f.Outputs, paramsJSON(t, f.Outputs, outs)); out.Method != "call" || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: nekoton decoded output %q\n%v\nwant\n%v", what, out.Method, got, want)
			}
			evVals := g.values(e.Inputs)
			ebody, err := e.Encode(evVals)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			raw, err = b.Call("decodeEvent", ebody.ToBase64(), abiJSON, "happened")
			if err != nil {
				t.Fatalf("%s: nekoton decodeEvent: %v", what, err)
			}
			var ev struct {
				Event string         `json:"event"`
				Data  map[string]any `json:"data"`
			}
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			if got, want := canonParams(t, e.Inputs, ev.Data), canonParams(t, e.Inputs, paramsJSON(t, e.Inputs, evVals)); ev.Event != "happened" || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: nekoton decoded event %q\n%v\nwant\n%v", what, ev.Event, got, want)
			}
			total++
		}
	}
	t.Logf("%d random outputs and events agree with nekoton", total)
}
