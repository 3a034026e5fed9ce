package abi

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// These tests check cells, StateInits and messages built in Go against
// nekoton-wasm, Everscale's own Rust implementation: random inputs, a new
// seed every run (printed, and fixed with ABI_DIFF_SEED to reproduce).

func diffRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ABI_DIFF_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ABI_DIFF_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (set ABI_DIFF_SEED to repeat)", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// treeGen makes random cell trees. Subtrees made earlier are reused now and
// then, so that trees share cells as real contracts do and BOC encoding has
// duplicates to remove.
type treeGen struct {
	r    *rand.Rand
	pool []*cell.Cell
}

// bits is a random bit length, most often an odd one, sometimes an edge.
func (g *treeGen) bits(max int) int {
	switch g.r.IntN(8) {
	case 0:
		return 0
	case 1:
		return max
	case 2:
		return g.r.IntN(max/8+1) * 8
	}
	return g.r.IntN(max + 1)
}

func (g *treeGen) cell(t testing.TB, bits int, refs []*cell.Cell) *cell.Cell {
	t.Helper()
	b := cell.BeginCell()
	for bits > 0 {
		n := min(bits, 64)
		b.StoreUInt(g.r.Uint64()>>(64-n), n)
		bits -= n
	}
	for _, r := range refs {
		b.StoreRef(r)
	}
	c, err := b.EndCell()
	if err != nil {
		t.Fatal(err)
	}
	if c.Depth() < 64 {
		// Deep chains stay out of the pool: reusing them could pass the
		// depth limit.
		g.pool = append(g.pool, c)
	}
	return c
}

// random is a tree whose fan-out shrinks with depth.
func (g *treeGen) random(t testing.TB, depth int) *cell.Cell {
	var refs []*cell.Cell
	if depth > 0 {
		for range g.r.IntN(5) {
			if len(g.pool) > 0 && g.r.IntN(6) == 0 {
				refs = append(refs, g.pool[g.r.IntN(len(g.pool))])
			} else {
				refs = append(refs, g.random(t, depth-1-g.r.IntN(2)))
			}
		}
	}
	return g.cell(t, g.bits(cell.MaxBits), refs)
}

// deep is a chain of n cells, each with a random extra leaf now and then.
func (g *treeGen) deep(t testing.TB, n int) *cell.Cell {
	c := g.cell(t, g.bits(cell.MaxBits), nil)
	for range n - 1 {
		refs := []*cell.Cell{c}
		if g.r.IntN(4) == 0 {
			refs = append(refs, g.cell(t, g.bits(40), nil))
		}
		if g.r.IntN(2) == 0 {
			refs[0], refs[len(refs)-1] = refs[len(refs)-1], refs[0]
		}
		c = g.cell(t, g.bits(cell.MaxBits), refs)
	}
	return c
}

// wide is a full 4-ary tree of the given depth.
func (g *treeGen) wide(t testing.TB, depth int) *cell.Cell {
	var refs []*cell.Cell
	if depth > 0 {
		for range 4 {
			refs = append(refs, g.wide(t, depth-1))
		}
	}
	return g.cell(t, g.bits(64), refs)
}

func (g *treeGen) any(t testing.TB) *cell.Cell {
	switch g.r.IntN(10) {
	case 0:
		return g.deep(t, 1+g.r.IntN(300))
	case 1:
		return g.wide(t, 1+g.r.IntN(4))
	case 2:
		return g.cell(t, g.bits(cell.MaxBits), nil)
	}
	return g.random(t, 1+g.r.IntN(6))
}

func nekotonString(t *testing.T, b *nekoton.Bridge, method string, params ...any) string {
	t.Helper()
	var s string
	if err := b.CallInto(&s, method, params...); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return s
}

// TestNekotonCellHashes: random trees, hashed by both.
func TestNekotonCellHashes(t *testing.T) {
	b := nekotontest.Start(t)
	g := &treeGen{r: diffRand(t)}
	trees := []*cell.Cell{g.deep(t, cell.MaxDepth), cell.EmptyCell}
	for range 400 {
		trees = append(trees, g.any(t))
	}
	for i, c := range trees {
		got := nekotonString(t, b, "getBocHash", c.ToBase64())
		if got != c.HashHex() {
			t.Fatalf("tree %d (depth %d): nekoton hash %s, Go %s\n%v", i, c.Depth(), got, c.HashHex(), c)
		}
	}
	t.Logf("%d trees agree", len(trees))
}

// TestNekotonStateInit: nekoton's mergeTvc builds the StateInit of random
// code and data; its BOC bytes and hash (the account id) must equal Go's,
// and splitTvc must take Go's StateInit apart into the same code and data.
func TestNekotonStateInit(t *testing.T) {
	b := nekotontest.Start(t)
	g := &treeGen{r: diffRand(t)}
	const n = 200
	for i := range n {
		si := &StateInit{Code: g.any(t), Data: g.any(t)}
		c, err := si.Cell()
		if err != nil {
			t.Fatal(err)
		}
		var merged struct{ Hash, BOC string }
		if err := b.CallInto(&merged, "mergeTvc", si.Code.ToBase64(), si.Data.ToBase64()); err != nil {
			t.Fatal(err)
		}
		addr, err := si.Address(0)
		if err != nil {
			t.Fatal(err)
		}
		if "0:"+merged.Hash != addr.String() {
			t.Fatalf("case %d: nekoton address 0:%s, Go %s", i, merged.Hash, addr)
		}
		if merged.BOC != c.ToBase64() {
			t.Fatalf("case %d: StateInit BOC differs\nnekoton %s\n     Go %s", i, merged.BOC, c.ToBase64())
		}
		var split struct{ Code, Data string }
		if err := b.CallInto(&split, "splitTvc", c.ToBase64()); err != nil {
			t.Fatal(err)
		}
		if split.Code != si.Code.ToBase64() || split.Data != si.Data.ToBase64() {
			t.Fatalf("case %d: splitTvc gives other code or data", i)
		}
		back, _, err := StateInitFromTVC(c.ToBOC())
		if err != nil || !back.Code.Equal(si.Code) || !back.Data.Equal(si.Data) {
			t.Fatalf("case %d: StateInitFromTVC: %v", i, err)
		}
	}
	// The published TVC, both ways.
	tvc := readTestdata(t, "EventsOld.tvc")
	var split struct{ Code, Data string }
	if err := b.CallInto(&split, "splitTvc", base64.StdEncoding.EncodeToString(tvc)); err != nil {
		t.Fatal(err)
	}
	si, _, err := StateInitFromTVC(tvc)
	if err != nil {
		t.Fatal(err)
	}
	if split.Code != si.Code.ToBase64() || split.Data != si.Data.ToBase64() {
		t.Error("EventsOld.tvc splits differently")
	}
	// nekoton's codeToTvc writes a classic TVC: a StateInit with the code and
	// an initial data cell. Go resolves it to that StateInit and its hash.
	var fromCode struct{ Hash, BOC string }
	if err := b.CallInto(&fromCode, "codeToTvc", si.Code.ToBase64()); err != nil {
		t.Fatal(err)
	}
	boc, err := base64.StdEncoding.DecodeString(fromCode.BOC)
	if err != nil {
		t.Fatal(err)
	}
	got, root, err := StateInitFromTVC(boc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTVC(root); err == nil {
		t.Error("codeToTvc output parsed as a new-format TVC")
	}
	if !got.Code.Equal(si.Code) || got.Data == nil || root.HashHex() != fromCode.Hash {
		t.Errorf("codeToTvc: code equal %t, data %v, hash %s vs %s", got.Code.Equal(si.Code), got.Data, root.HashHex(), fromCode.Hash)
	}
	if h, _ := got.Hash(); hex.EncodeToString(h[:]) != fromCode.Hash {
		t.Error("re-encoded StateInit hashes differently")
	}
}

func (g *treeGen) coins(maxBits int) *big.Int {
	n := g.r.IntN(maxBits + 1)
	v := new(big.Int)
	for n > 0 {
		k := min(n, 32)
		v.Lsh(v, uint(k)).Or(v, big.NewInt(int64(g.r.Uint32()>>(32-k))))
		n -= k
	}
	return v
}

func (g *treeGen) address() *cell.Address {
	var id [32]byte
	for i := range id {
		id[i] = byte(g.r.Uint32())
	}
	wc := int8(0)
	if g.r.IntN(4) == 0 {
		wc = -1
	}
	return cell.NewStdAddress(wc, id)
}

// body is nil, a small inline body, or something big enough to move out.
func (g *treeGen) body(t testing.TB) *cell.Cell {
	switch g.r.IntN(5) {
	case 0:
		return nil
	case 1:
		return g.cell(t, g.bits(cell.MaxBits), nil)
	case 2:
		return g.cell(t, g.r.IntN(400), nil)
	}
	return g.any(t)
}

func (g *treeGen) stateInit(t testing.TB) *StateInit {
	switch g.r.IntN(3) {
	case 0:
		return nil
	case 1:
		return &StateInit{Code: g.any(t), Data: g.any(t)}
	}
	return &StateInit{Code: g.cell(t, g.bits(200), nil), Data: g.cell(t, g.bits(200), nil)}
}

func optBase64(c *cell.Cell) any {
	if c == nil {
		return nil
	}
	return c.ToBase64()
}

func stateInitBase64(t testing.TB, si *StateInit) any {
	if si == nil {
		return nil
	}
	c, err := si.Cell()
	if err != nil {
		t.Fatal(err)
	}
	return c.ToBase64()
}

// TestNekotonInternalMessages: nekoton's encodeInternalMessage and Go build
// the same bytes for random destinations, values, flags, StateInits and
// bodies, and Go parses nekoton's message back into its parts.
func TestNekotonInternalMessages(t *testing.T) {
	b := nekotontest.Start(t)
	g := &treeGen{r: diffRand(t)}
	const n = 300
	for i := range n {
		dst := g.address()
		value := g.coins(64) // nekoton takes amounts as u64
		bounce, bounced := g.r.IntN(2) == 0, g.r.IntN(5) == 0
		var src *cell.Address
		if g.r.IntN(3) == 0 {
			src = g.address()
		}
		si, body := g.stateInit(t), g.body(t)

		m := NewInternalMessage(dst, value, bounce, si, body)
		m.Src, m.Bounced = src, bounced
		c, err := m.Cell()
		if err != nil {
			t.Fatal(err)
		}
		var srcParam any
		if src != nil {
			srcParam = src.String()
		}
		want := nekotonString(t, b, "encodeInternalMessage", srcParam, dst.String(), bounce,
			stateInitBase64(t, si), optBase64(body), value.String(), bounced)
		if c.ToBase64() != want {
			t.Fatalf("case %d: message differs\nnekoton %s\n     Go %s\n%v", i, want, c.ToBase64(), c)
		}
		p, _, err := ParseMessageBase64(want)
		if err != nil {
			t.Fatal(err)
		}
		checkParsed(t, i, p, dst, si, body)
		if p.Value.Cmp(value) != 0 || p.Bounce != bounce || p.Bounced != bounced || !p.Src.Equal(src) {
			t.Fatalf("case %d: parsed header %+v", i, p)
		}
	}
}

func checkParsed(t *testing.T, i int, p *Message, dst *cell.Address, si *StateInit, body *cell.Cell) {
	t.Helper()
	if !p.Dst.Equal(dst) {
		t.Fatalf("case %d: dst %s, want %s", i, p.Dst, dst)
	}
	if (p.Init == nil) != (si == nil) {
		t.Fatalf("case %d: init presence %t", i, p.Init != nil)
	}
	if si != nil && (!p.Init.Code.Equal(si.Code) || !p.Init.Data.Equal(si.Data)) {
		t.Fatalf("case %d: init differs", i)
	}
	switch {
	case body == nil || (body.BitsSize() == 0 && body.RefsNum() == 0 && p.BodyPlacement == PlaceInline):
		if p.Body != nil {
			t.Fatalf("case %d: empty body parsed as %v", i, p.Body)
		}
	case !p.Body.Equal(body):
		t.Fatalf("case %d: body differs", i)
	}
}

// TestNekotonExternalMessages: nekoton's createRawExternalMessage and Go
// build the same ext-in message from a destination, an optional StateInit
// and a body; Go parses nekoton's message, and the bridge's independent
// reader (messageInfo) parses Go's, into the same parts.
func TestNekotonExternalMessages(t *testing.T) {
	b := nekotontest.Start(t)
	g := &treeGen{r: diffRand(t)}
	const n = 300
	for i := range n {
		dst := g.address()
		si, body := g.stateInit(t), g.body(t)
		if i%2 == 0 && si == nil {
			si = &StateInit{Code: g.any(t), Data: g.any(t)}
		}
		var made struct {
			Hash string
			BOC  string
		}
		if err := b.CallInto(&made, "createRawExternalMessage", dst.String(), stateInitBase64(t, si), optBase64(body), 1<<31); err != nil {
			t.Fatal(err)
		}
		m := NewExternalInMessage(dst, si, body)
		c, err := m.Cell()
		if err != nil {
			t.Fatal(err)
		}
		if c.ToBase64() != made.BOC {
			t.Fatalf("case %d: message differs\nnekoton %s\n     Go %s", i, made.BOC, c.ToBase64())
		}
		id, err := m.ID()
		if err != nil {
			t.Fatal(err)
		}
		if id.Hex() != made.Hash {
			t.Fatalf("case %d: hash %s, nekoton %s", i, id.Hex(), made.Hash)
		}
		p, _, err := ParseMessageBase64(made.BOC)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != ExternalInMessage {
			t.Fatalf("case %d: kind %s", i, p.Kind)
		}
		checkParsed(t, i, p, dst, si, body)

		info, err := b.MessageInfo(c.ToBase64())
		if err != nil {
			t.Fatal(err)
		}
		if info.Kind != "externalIn" || info.Dst != dst.String() || info.Hash != id.Hex() {
			t.Fatalf("case %d: messageInfo %+v", i, info)
		}
		if si != nil {
			want, _ := si.Cell()
			if info.StateInit == "" || nekotonString(t, b, "getBocHash", info.StateInit) != want.HashHex() {
				t.Fatalf("case %d: messageInfo StateInit differs", i)
			}
		} else if info.StateInit != "" {
			t.Fatalf("case %d: messageInfo found a StateInit", i)
		}
		if body != nil && nekotonString(t, b, "getBocHash", info.Body) != body.HashHex() {
			t.Fatalf("case %d: messageInfo body differs", i)
		}
	}
}

// TestNekotonVectors: nekoton reproduces the published messages too, so
// the Go results and the vectors agree through a third implementation.
func TestNekotonVectors(t *testing.T) {
	b := nekotontest.Start(t)
	v := loadSDKMessageVectors(t)
	for _, name := range []string{"deploy_signed_message", "deploy_without_sign_message", "run_signed_message", "run_without_sign_message"} {
		m, root, err := ParseMessageBase64(v.EncodeV2[name])
		if err != nil {
			t.Fatal(err)
		}
		var made struct{ Hash, BOC string }
		var init any
		if m.Init != nil {
			init = stateInitBase64(t, m.Init)
		}
		if err := b.CallInto(&made, "createRawExternalMessage", m.Dst.String(), init, optBase64(m.Body), 1<<31); err != nil {
			t.Fatal(err)
		}
		if made.BOC != v.EncodeV2[name] || made.Hash != root.HashHex() {
			t.Errorf("%s: nekoton builds %s", name, made.BOC)
		}
		got, err := b.Call("getBocHash", v.EncodeV2[name])
		if err != nil || !bytes.Contains(got, []byte(root.HashHex())) {
			t.Errorf("%s: getBocHash %s, %v", name, got, err)
		}
	}
}

// TestNekotonDeployMessages: complete signed external messages, with and
// without a StateInit, for ABI 2.2, 2.3 and 2.4 and random keys, times,
// arguments and contracts, built by Go and by nekoton's createExternalMessage:
// the same bytes and the same hash.
func TestNekotonDeployMessages(t *testing.T) {
	b := nekotontest.Start(t)
	g := &treeGen{r: diffRand(t)}
	const n = 150
	for i := range n {
		version := []string{"2.2", "2.3", "2.4"}[g.r.IntN(3)]
		storage := `"data": []`
		if version == "2.4" {
			storage = `"fields": []`
		}
		abiJSON := `{"ABI version": 2, "version": "` + version + `", "header": ["pubkey", "time", "expire"],
			"functions": [
				{"name": "constructor", "inputs": [], "outputs": []},
				{"name": "put", "inputs": [{"name": "a", "type": "uint256"}, {"name": "b", "type": "address"}], "outputs": []}
			], "events": [], ` + storage + `}`
		a, err := Parse([]byte(abiJSON))
		if err != nil {
			t.Fatal(err)
		}
		var seed [32]byte
		for j := range seed {
			seed[j] = byte(g.r.Uint32())
		}
		key := ed25519.NewKeyFromSeed(seed[:])
		pub := []byte(key.Public().(ed25519.PublicKey))
		nowMs := int64(1_600_000_000_000 + g.r.Int64N(300_000_000_000))
		expire := uint32(nowMs/1000) + 1 + uint32(g.r.IntN(3600))

		si := g.stateInit(t)
		var dst *cell.Address
		if si != nil {
			if dst, err = si.Address(0); err != nil {
				t.Fatal(err)
			}
		} else {
			dst = g.address()
		}
		method, args := "constructor", map[string]any{}
		if g.r.IntN(2) == 0 {
			method = "put"
			args = map[string]any{"a": g.coins(120).String(), "b": g.address().String()}
		}
		f, err := a.Function(method)
		if err != nil {
			t.Fatal(err)
		}
		body, err := f.SignExternal(ExternalCall{Args: args, PubKey: pub, Time: uint64(nowMs), Expire: expire, Dst: dst}, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := NewExternalInMessage(dst, si, body)
		c, err := m.Cell()
		if err != nil {
			t.Fatal(err)
		}
		var siParam string
		if si != nil {
			siParam = stateInitBase64(t, si).(string)
		}
		want, err := b.ExternalMessage(nekoton.ExternalMessageParams{
			Dst: dst.String(), ABI: abiJSON, Method: method, StateInit: siParam, Input: args,
			SecretKey: hex.EncodeToString(seed[:]), NowMs: nowMs, ExpireAt: expire,
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.ToBase64() != want.BOC {
			t.Fatalf("case %d (ABI %s, %s, init %t): message differs\nnekoton %s\n     Go %s", i, version, method, si != nil, want.BOC, c.ToBase64())
		}
		if MessageIDOf(c).Hex() != want.Hash {
			t.Fatalf("case %d: hash %s, nekoton %s", i, MessageIDOf(c).Hex(), want.Hash)
		}
	}
}
