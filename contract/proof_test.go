package contract

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// TestCompiledCodeIsCurrent recompiles the FunC sources with the pinned
// compiler and fails if a committed code BOC differs: the build is
// reproducible and the embedded code is what the sources say.
func TestCompiledCodeIsCurrent(t *testing.T) {
	nk := nekotontest.Start(t)
	sources := map[string]string{}
	files, err := filepath.Glob("*.fc")
	if err != nil || len(files) == 0 {
		t.Fatalf("no FunC sources: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = string(b)
	}
	for _, name := range []string{"proof", "giver"} {
		t.Run(name, func(t *testing.T) {
			got, err := nk.CompileFunc(sources, name+".fc")
			if err != nil {
				t.Fatal(err)
			}
			committed, err := os.ReadFile(name + ".code.boc")
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(committed)) != got.CodeBOC {
				t.Fatalf("%s.code.boc differs from what %s.fc compiles to; run `make contract`", name, name)
			}
		})
	}
}

func TestContentLimits(t *testing.T) {
	pub := pubOf(testKey(1))
	tests := []struct {
		name    string
		content string
		wantErr error
	}{
		{"digest", "sha256:" + strings.Repeat("ab", 32), nil},
		{"one byte", "x", nil},
		{"at the limit", strings.Repeat("é", MaxContentLen/2), nil},
		{"empty", "", ErrContentEmpty},
		{"one over the limit", strings.Repeat("a", MaxContentLen+1), ErrContentTooLong},
		{"not UTF-8", "sha256:\xff", ErrContentNotUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewProof(pub, tt.content)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewProof error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && p.Content() != tt.content {
				t.Fatal("content changed")
			}
		})
	}
	if _, err := NewProof(pub[:31], "x"); err == nil {
		t.Fatal("a 31-byte key was accepted")
	}
}

var proofFields = func() []json.RawMessage {
	var abi struct {
		Fields []json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal([]byte(ProofABI), &abi); err != nil {
		panic(err)
	}
	return abi.Fields
}()

// TestProofLayoutMatchesNekoton checks the initial data, StateInit and
// address against nekoton packing our ABI's fields and merging them with
// the code, for contents around the 127-byte cell boundaries.
func TestProofLayoutMatchesNekoton(t *testing.T) {
	nk := nekotontest.Start(t)
	r := rand.New(rand.NewPCG(7, 7))
	lengths := []int{1, 71, 126, 127, 128, 253, 254, 255, 381, 500, MaxContentLen - 1, MaxContentLen}
	for i, n := range lengths {
		key := testKey(uint64(100 + i))
		content := randomContent(r, n)
		p, err := NewProof(pubOf(key), content)
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]any{
			"_pubkey":          "0x" + hexString(pubOf(key)),
			"_timestamp":       "0",
			"_constructorFlag": false,
			"content":          content,
			"deployedAt":       0,
		}
		var packed struct{ Hash, BOC string }
		if err := nk.CallInto(&packed, "packIntoCell", proofFields, values, "2.4"); err != nil {
			t.Fatal(err)
		}
		if packed.Hash != p.InitialData().HashHex() {
			t.Fatalf("len %d: data hash %s, nekoton %s", n, p.InitialData().HashHex(), packed.Hash)
		}
		var merged struct{ Hash, BOC string }
		if err := nk.CallInto(&merged, "mergeTvc", ProofCode().ToBase64(), p.InitialData().ToBase64()); err != nil {
			t.Fatal(err)
		}
		if "0:"+merged.Hash != p.Address().String() {
			t.Fatalf("len %d: address %s, nekoton %s", n, p.Address(), merged.Hash)
		}
		if merged.BOC != p.StateInit().ToBase64() {
			t.Fatalf("len %d: StateInit BOC differs from nekoton's", n)
		}
		st, err := ParseProofData(p.InitialData())
		if err != nil {
			t.Fatal(err)
		}
		if st.Content != content || !st.PublicKey.Equal(pubOf(key)) || st.Constructed || st.Timestamp != 0 || st.DeployedAt != 0 {
			t.Fatalf("len %d: initial data decodes to %+v", n, st)
		}
	}
}

// TestDeployMessageMatchesNekoton builds the same deploy message in Go and
// with nekoton's createExternalMessage from proof.abi.json: same key, time
// and expiry give byte-identical messages (Ed25519 is deterministic).
func TestDeployMessageMatchesNekoton(t *testing.T) {
	nk := nekotontest.Start(t)
	r := rand.New(rand.NewPCG(8, 8))
	for i := range 12 {
		key := testKey(uint64(200 + i))
		p, err := NewProof(pubOf(key), randomContent(r, 1+r.IntN(MaxContentLen)))
		if err != nil {
			t.Fatal(err)
		}
		nowMs := int64(chainTime)*1000 + int64(r.IntN(1000))
		expire := uint32(chainTime + 1 + r.IntN(3600))
		msg, err := p.DeployMessage(key, time.UnixMilli(nowMs), expire)
		if err != nil {
			t.Fatal(err)
		}
		want, err := nk.ExternalMessage(nekoton.ExternalMessageParams{
			Dst: p.Address().String(), ABI: ProofABI, Method: "constructor",
			StateInit: p.StateInit().ToBase64(), SecretKey: seedHex(key),
			NowMs: nowMs, ExpireAt: expire,
		})
		if err != nil {
			t.Fatal(err)
		}
		if msg.ToBase64() != want.BOC {
			t.Fatalf("deploy message differs from nekoton's:\n go  %s\n nek %s", msg.ToBase64(), want.BOC)
		}
		if msg.HashHex() != want.Hash {
			t.Fatalf("message hash %s, nekoton %s", msg.HashHex(), want.Hash)
		}
	}
}

func TestDeployMessageRefusesOtherKey(t *testing.T) {
	p, err := NewProof(pubOf(testKey(1)), "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DeployMessage(testKey(2), time.Unix(chainTime, 0), chainTime+60); err == nil {
		t.Fatal("a deploy message signed by another key was built")
	}
}

func TestParseProofDataRejects(t *testing.T) {
	str := mustCell(cell.BeginCell().StoreBytes([]byte("abc")))
	tests := []struct {
		name string
		b    *cell.Builder
	}{
		{"empty", cell.BeginCell()},
		{"no content ref", cell.BeginCell().StoreZeros(proofDataBits)},
		{"extra bit", cell.BeginCell().StoreZeros(proofDataBits + 1).StoreRef(str)},
		{"content not bytes", cell.BeginCell().StoreZeros(proofDataBits).StoreRef(mustCell(cell.BeginCell().StoreZeros(7)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseProofData(mustCell(tt.b)); !errors.Is(err, ErrNotProof) {
				t.Fatalf("err = %v, want ErrNotProof", err)
			}
		})
	}
	if _, err := DecodeProofData([]byte("not a boc")); err == nil {
		t.Fatal("garbage decoded")
	}
}

func mustCell(b *cell.Builder) *cell.Cell {
	c, err := b.EndCell()
	if err != nil {
		panic(err)
	}
	return c
}
