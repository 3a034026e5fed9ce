package abi

import (
	"crypto/ed25519"
	"os"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// proofLikeABI is shaped like a proof contract: ABI 2.3, the usual header, a
// constructor with a short string argument.
const proofLikeABI = `{"version":"2.3","header":["pubkey","time","expire"],
	"functions":[{"name":"constructor","inputs":[{"name":"content","type":"string"}],"outputs":[]}],
	"data":[{"key":1,"name":"content","type":"string"}],"events":[]}`

const benchContent = "sha256:0b8bd1f0c3a5a8a6a7e8f2b8d4c1a9e7f6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1"

// BenchmarkDeployMessage builds and signs a whole deploy message: init
// data with the signer's key and content, StateInit and address, signed
// constructor body, message cell and BOC.
func BenchmarkDeployMessage(b *testing.B) {
	a, err := Parse([]byte(proofLikeABI))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/eversdk/EventsOld.tvc")
	if err != nil {
		b.Fatal(err)
	}
	tvc, err := cell.FromBOC(raw)
	if err != nil {
		b.Fatal(err)
	}
	code, tvcData := tvc.Ref(0), tvc.Ref(1)
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	f := mustFn(b, a, "constructor")
	args := map[string]any{"content": benchContent}
	b.ReportAllocs()
	for b.Loop() {
		data, err := a.UpdateInitData(tvcData, key[32:], args)
		if err != nil {
			b.Fatal(err)
		}
		si := &StateInit{Code: code, Data: data}
		dst, err := si.Address(0)
		if err != nil {
			b.Fatal(err)
		}
		body, err := f.SignExternal(ExternalCall{Args: args, Time: 1700000000000, Expire: 1700000040, Dst: dst}, key, nil)
		if err != nil {
			b.Fatal(err)
		}
		m, err := NewExternalInMessage(dst, si, body).Cell()
		if err != nil {
			b.Fatal(err)
		}
		_ = m.ToBOC()
	}
}

// BenchmarkSignExternal encodes and signs an external call body only.
func BenchmarkSignExternal(b *testing.B) {
	a, err := Parse([]byte(proofLikeABI))
	if err != nil {
		b.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	f := mustFn(b, a, "constructor")
	dst := cell.MustParseAddress(sdkDst)
	args := map[string]any{"content": benchContent}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.SignExternal(ExternalCall{Args: args, Time: 1700000000000, Expire: 1700000040, Dst: dst}, key, nil); err != nil {
			b.Fatal(err)
		}
	}
}

var benchParams = `{"version":"2.3","functions":[{"name":"f","inputs":[
	{"name":"dest","type":"address"},{"name":"value","type":"uint128"},{"name":"bounce","type":"bool"},
	{"name":"flags","type":"uint8"},{"name":"payload","type":"cell"},{"name":"owners","type":"uint256[]"},
	{"name":"limits","type":"map(uint64,uint128)"},{"name":"name","type":"string"}],"outputs":[]}]}`

func benchArgs() map[string]any {
	owners := make([]any, 8)
	for i := range owners {
		owners[i] = i * 12345
	}
	limits := Map{}
	for i := 0; i < 8; i++ {
		limits = append(limits, MapEntry{Key: i * 1000, Value: i})
	}
	return map[string]any{
		"dest": sdkDst, "value": 1000000000, "bounce": true, "flags": 3, "payload": cell.EmptyCell,
		"owners": owners, "limits": limits, "name": "a multisig wallet",
	}
}

// BenchmarkPack packs a multisig-like argument list into a cell chain.
func BenchmarkPack(b *testing.B) {
	a, err := Parse([]byte(benchParams))
	if err != nil {
		b.Fatal(err)
	}
	ps := a.Functions[0].Inputs
	args := benchArgs()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeParams(V2_3, ps, args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnpack decodes the same list.
func BenchmarkUnpack(b *testing.B) {
	a, err := Parse([]byte(benchParams))
	if err != nil {
		b.Fatal(err)
	}
	ps := a.Functions[0].Inputs
	c, err := EncodeParams(V2_3, ps, benchArgs())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeParams(V2_3, ps, c, false); err != nil {
			b.Fatal(err)
		}
	}
}
