package nekoton_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

func TestGetBocHash(t *testing.T) {
	b := nekotontest.Start(t)
	tests := []struct {
		name    string
		boc     string
		want    string
		wantErr string
	}{
		{
			// ever-sdk ever_client/src/boc/tests.rs, get_boc_hash.
			name: "ever-sdk vector",
			boc:  "te6ccgEBAQEAWAAAq2n+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE/zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzSsG8DgAAAAAjuOu9NAL7BxYpA",
			want: "dfd47194f3058ee058bfbfad3ea40cbbd9ad17ca77cd0904d4d9f18a48c2fbca",
		},
		{name: "not base64", boc: "zzz", wantErr: "Invalid"},
		{name: "not a BOC", boc: "AAAAAAAA", wantErr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			err := b.CallInto(&got, "getBocHash", tt.boc)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("getBocHash: %v", err)
				}
				if got != tt.want {
					t.Fatalf("getBocHash = %s, want %s", got, tt.want)
				}
				return
			}
			var ce *nekoton.CallError
			if !errors.As(err, &ce) {
				t.Fatalf("getBocHash(%q) = %q, %v; want a *CallError", tt.boc, got, err)
			}
			if ce.Method != "getBocHash" || ce.Message == "" || !strings.Contains(ce.Message, tt.wantErr) {
				t.Fatalf("error = %#v, want method getBocHash and text containing %q", ce, tt.wantErr)
			}
		})
	}
}

func TestBridgeErrors(t *testing.T) {
	b := nekotontest.Start(t)
	tests := []struct {
		method string
		params []any
		want   string
	}{
		{"noSuchMethod", nil, "unknown method"},
		{"ClockWithOffset", nil, "unknown method"}, // classes are not callable
		{"__wbindgen_throw", nil, "unknown method"},
		{"ed25519KeyPair", []any{"12"}, "64 hex digits"},
		{"ed25519Sign", []any{strings.Repeat("00", 32), "not base64!"}, "base64"},
		{"compileFunc", []any{map[string]string{"a.fc": "() recv_internal() { x }"}, []string{"a.fc"}}, "FunC compilation failed"},
		{"getBocHash", []any{nekoton.Clock(-1)}, "pinned time"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			_, err := b.Call(tt.method, tt.params...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%s: err = %v, want one containing %q", tt.method, err, tt.want)
			}
		})
	}
}

func TestEverConfig(t *testing.T) {
	b := nekotontest.Start(t)
	var cfg string
	if err := b.CallInto(&cfg, "everConfig"); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(cfg)
	if err != nil {
		t.Fatalf("config is not base64: %v", err)
	}
	// Everscale's main config as shipped by @broxus/locklift-network 2.0.1.
	if len(raw) != 34533 || hex.EncodeToString(raw[:4]) != "b5ee9c72" {
		t.Fatalf("config: %d bytes starting %x, want a 34533-byte BOC", len(raw), raw[:4])
	}
}

// TestEd25519 checks the bridge's signing against Go's crypto/ed25519 and
// nekoton's own ed25519_sign and verifySignature.
func TestEd25519(t *testing.T) {
	b := nekotontest.Start(t)
	for i := range 8 {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(i*37 + j*11)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		data := []byte(fmt.Sprintf("message %d of some length", i))[:20+i]

		var kp struct{ PublicKey, SecretKey string }
		if err := b.CallInto(&kp, "ed25519KeyPair", hex.EncodeToString(seed)); err != nil {
			t.Fatal(err)
		}
		if kp.PublicKey != hex.EncodeToString(pub) {
			t.Fatalf("public key %s, want %x", kp.PublicKey, pub)
		}
		var sig, ntSig string
		if err := b.CallInto(&sig, "ed25519Sign", hex.EncodeToString(seed), base64.StdEncoding.EncodeToString(data)); err != nil {
			t.Fatal(err)
		}
		want := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, data))
		if sig != want {
			t.Fatalf("ed25519Sign = %s, want %s", sig, want)
		}
		ctx := map[string]string{"type": "empty"}
		if err := b.CallInto(&ntSig, "ed25519_sign", hex.EncodeToString(seed), base64.StdEncoding.EncodeToString(data), ctx); err != nil {
			t.Fatal(err)
		}
		if ntSig != want {
			t.Fatalf("nekoton ed25519_sign = %s, want %s", ntSig, want)
		}
		var ok bool
		if err := b.CallInto(&ok, "verifySignature", kp.PublicKey, base64.StdEncoding.EncodeToString(data), sig, ctx); err != nil || !ok {
			t.Fatalf("verifySignature = %v, %v", ok, err)
		}
		bad := []byte(sig)
		bad[3] ^= 1
		if err := b.CallInto(&ok, "verifySignature", kp.PublicKey, base64.StdEncoding.EncodeToString(data), string(bad), ctx); err == nil && ok {
			t.Fatal("verifySignature accepted a corrupted signature")
		}
	}
}

const giverLikeABI = `{"ABI version":2,"version":"2.3","header":["time","expire"],
"functions":[{"name":"sendTransaction","inputs":[{"name":"dest","type":"address"},{"name":"value","type":"uint128"},{"name":"bounce","type":"bool"}],"outputs":[]}],
"events":[]}`

// TestExternalMessage checks that the time and expire headers are pinned
// and that the signature covers dst ++ body (ABI 2.3).
func TestExternalMessage(t *testing.T) {
	b := nekotontest.Start(t)
	seed := make([]byte, 32)
	seed[0] = 7
	priv := ed25519.NewKeyFromSeed(seed)
	p := nekoton.ExternalMessageParams{
		Dst:    "0:" + strings.Repeat("11", 32),
		ABI:    giverLikeABI,
		Method: "sendTransaction",
		Input: map[string]any{
			"dest": "0:" + strings.Repeat("22", 32), "value": "5", "bounce": false,
		},
		SecretKey: hex.EncodeToString(seed),
		NowMs:     1700000000123,
		ExpireAt:  1700000060,
	}
	m1, err := b.ExternalMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := b.ExternalMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	if m1.BOC != m2.BOC || m1.ExpireAt != 1700000060 {
		t.Fatalf("same params gave different messages or expiry %d", m1.ExpireAt)
	}
	var dec struct {
		Method string
		Input  map[string]any
	}
	body := messageBody(t, b, m1.BOC)
	if err := b.CallInto(&dec, "decodeInput", body, giverLikeABI, "sendTransaction", false); err != nil {
		t.Fatal(err)
	}
	if dec.Method != "sendTransaction" || dec.Input["value"] != "5" {
		t.Fatalf("decoded %+v", dec)
	}
	toSign, err := base64.StdEncoding.DecodeString(m1.DataToSign)
	if err != nil || len(toSign) != 32 {
		t.Fatalf("dataToSign %q: %v", m1.DataToSign, err)
	}
	sig := ed25519.Sign(priv, toSign)
	p.SecretKey = ""
	p.PublicKey = hex.EncodeToString(priv.Public().(ed25519.PublicKey))
	p.Signature = base64.StdEncoding.EncodeToString(sig)
	m3, err := b.ExternalMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	if m3.BOC != m1.BOC {
		t.Fatal("message signed with a given signature differs from the one signed by the secret key")
	}
	p.PublicKey, p.Signature = "", ""
	m4, err := b.ExternalMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	if m4.DataToSign != "" || m4.BOC == m1.BOC {
		t.Fatal("unsigned message looks signed")
	}
}

func messageBody(t *testing.T, b *nekoton.Bridge, boc string) string {
	t.Helper()
	m, err := b.MessageInfo(boc)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "externalIn" {
		t.Fatalf("message kind %q, want externalIn", m.Kind)
	}
	return m.Body
}

func TestConcurrentCalls(t *testing.T) {
	b := nekotontest.Start(t)
	const vector = "te6ccgEBAQEAWAAAq2n+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE/zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzSsG8DgAAAAAjuOu9NAL7BxYpA"
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				var h string
				if err := b.CallInto(&h, "getBocHash", vector); err != nil || h != "dfd47194f3058ee058bfbfad3ea40cbbd9ad17ca77cd0904d4d9f18a48c2fbca" {
					errs <- fmt.Errorf("call %d: %q, %v", i, h, err)
				}
				return
			}
			if _, err := b.Call("getBocHash", "!"); err == nil {
				errs <- fmt.Errorf("call %d: bad BOC accepted", i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestProcessEnd: when the bridge process ends, calls in flight and later
// calls fail with ErrClosed instead of hanging.
func TestProcessEnd(t *testing.T) {
	nekotontest.Start(t) // skips or fails like every other test when node is missing
	b, err := nekoton.Open(nekoton.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var h string
	if err := b.CallInto(&h, "getBocHash", "te6ccgEBAQEAAwAAAUA="); err != nil {
		t.Fatal(err)
	}
	if err := nekoton.Kill(b); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := b.Call("getBocHash", "te6ccgEBAQEAAwAAAUA="); !errors.Is(err, nekoton.ErrClosed) {
			t.Fatalf("call after the process ended: %v, want ErrClosed", err)
		}
	}
}
