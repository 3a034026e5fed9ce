package abi

import (
	"crypto/ed25519"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// benchProofABI has the shape of a proof contract: ABI 2.4 (signed by the
// 2.3 rules, bound to the destination), a pubkey/time/expire header, a
// constructor without arguments and init fields for the key and content.
const benchProofABI = `{
	"ABI version": 2,
	"version": "2.4",
	"header": ["pubkey", "time", "expire"],
	"functions": [{"name": "constructor", "inputs": [], "outputs": []}],
	"events": [],
	"fields": [
		{"name": "_pubkey", "type": "uint256", "init": true},
		{"name": "_timestamp", "type": "uint64", "init": false},
		{"name": "_constructorFlag", "type": "bool", "init": false},
		{"name": "content", "type": "string", "init": true},
		{"name": "deployedAt", "type": "uint32", "init": false}
	]
}`

func benchDeployBOC(b *testing.B) []byte {
	b.Helper()
	boc, err := base64.StdEncoding.DecodeString(loadSDKMessageVectors(b).EncodeV2["deploy_signed_message"])
	if err != nil {
		b.Fatal(err)
	}
	return boc
}

// BenchmarkBOCDecode reads ever-sdk's signed deploy message (1.2 kB, 24
// cells): parsing, hashing every cell, building the tree.
func BenchmarkBOCDecode(b *testing.B) {
	boc := benchDeployBOC(b)
	b.SetBytes(int64(len(boc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cell.FromBOC(boc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBOCEncode writes the same message back.
func BenchmarkBOCEncode(b *testing.B) {
	boc := benchDeployBOC(b)
	root, err := cell.FromBOC(boc)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(boc)))
	b.ReportAllocs()
	for b.Loop() {
		root.ToBOC()
	}
}

// BenchmarkParseMessage is what a server does with a message it receives:
// BOC decode, then header, StateInit and body.
func BenchmarkParseMessage(b *testing.B) {
	boc := benchDeployBOC(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseMessageBOC(boc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCellHash makes a full cell (1023 bits, 4 references); a cell's
// hash and depth are computed when it is made.
func BenchmarkCellHash(b *testing.B) {
	data := make([]byte, 128)
	for i := range data {
		data[i] = byte(i * 37)
	}
	refs := []*cell.Cell{cell.EmptyCell, cell.EmptyCell, cell.EmptyCell, cell.EmptyCell}
	b.ReportAllocs()
	for b.Loop() {
		bl := cell.BeginCell().StoreBits(data, 1023)
		for _, r := range refs {
			bl.StoreRef(r)
		}
		if _, err := bl.EndCell(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCellTreeHash rebuilds, and so rehashes, every cell of the deploy
// message from its leaves up.
func BenchmarkCellTreeHash(b *testing.B) {
	root, err := cell.FromBOC(benchDeployBOC(b))
	if err != nil {
		b.Fatal(err)
	}
	var rebuild func(c *cell.Cell) *cell.Cell
	rebuild = func(c *cell.Cell) *cell.Cell {
		bl := cell.BeginCell().StoreBits(c.Data(), c.BitsSize())
		for _, r := range c.Refs() {
			bl.StoreRef(rebuild(r))
		}
		n, err := bl.EndCell()
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	b.ReportAllocs()
	for b.Loop() {
		if rebuild(root).Hash() != root.Hash() {
			b.Fatal("hash changed")
		}
	}
}

// BenchmarkDeployMessageV24 is the whole client-side cost of one proof with
// an ABI 2.4 contract: storage fields from the key and content, StateInit
// and address, the constructor call body signed by the 2.3 rules (bound to
// the address), the message, its BOC and its id.
func BenchmarkDeployMessageV24(b *testing.B) {
	a, err := Parse([]byte(benchProofABI))
	if err != nil {
		b.Fatal(err)
	}
	f, err := a.Function("constructor")
	if err != nil {
		b.Fatal(err)
	}
	tvc, _, err := StateInitFromTVC(readTestdata(b, "EventsOld.tvc"))
	if err != nil {
		b.Fatal(err)
	}
	code := tvc.Code
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := []byte(key.Public().(ed25519.PublicKey))
	pubInt := new(big.Int).SetBytes(pub)
	content := "sha256:" + strings.Repeat("ab", 32)
	b.ReportAllocs()
	for b.Loop() {
		data, err := a.EncodeStorage(map[string]any{"_pubkey": pubInt, "content": content})
		if err != nil {
			b.Fatal(err)
		}
		si := &StateInit{Code: code, Data: data}
		dst, err := si.Address(0)
		if err != nil {
			b.Fatal(err)
		}
		body, err := f.SignExternal(ExternalCall{PubKey: pub, Time: 1700000000000, Expire: 1700000040, Dst: dst}, key, nil)
		if err != nil {
			b.Fatal(err)
		}
		c, err := NewExternalInMessage(dst, si, body).Cell()
		if err != nil {
			b.Fatal(err)
		}
		_ = c.ToBOC()
		_ = MessageIDOf(c).Base64()
	}
}

// BenchmarkEd25519Sign is the floor of the deploy benchmarks: the
// signature alone.
func BenchmarkEd25519Sign(b *testing.B) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := make([]byte, 32)
	b.ReportAllocs()
	for b.Loop() {
		ed25519.Sign(key, msg)
	}
}

// BenchmarkExternalMessage is this file's own share of a deploy: StateInit
// cell and address, then the message cell around a ready signed body.
func BenchmarkExternalMessage(b *testing.B) {
	m, _, err := ParseMessageBOC(benchDeployBOC(b))
	if err != nil {
		b.Fatal(err)
	}
	code, data, body := m.Init.Code, m.Init.Data, m.Body
	b.ReportAllocs()
	for b.Loop() {
		si := &StateInit{Code: code, Data: data}
		dst, err := si.Address(0)
		if err != nil {
			b.Fatal(err)
		}
		c, err := NewExternalInMessage(dst, si, body).Cell()
		if err != nil {
			b.Fatal(err)
		}
		_ = MessageIDOf(c)
	}
}
