package image

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/gosh-sh/sign-cli/keys"

	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

func mustKey(t *testing.T, seedByte byte) keys.Key {
	t.Helper()
	k, err := keys.KeyFromSeed([]byte(strings.Repeat(string(rune(seedByte)), 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPayloadBytes(t *testing.T) {
	repo, _ := name.NewRepository("registry.example.com/team/app")
	d, _ := ParseDigest("sha256:" + strings.Repeat("ab", 32))
	tests := []struct {
		name        string
		annotations map[string]string
		want        string
	}{
		{"no annotations", nil, `{"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":"sha256:` + strings.Repeat("ab", 32) + `"},"type":"cosign container image signature"},"optional":null}`},
		{"empty annotations", map[string]string{}, `{"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":"sha256:` + strings.Repeat("ab", 32) + `"},"type":"cosign container image signature"},"optional":null}`},
		{"annotations sorted", map[string]string{"z": "last", "a": "x=y", "m": "<&>"}, `{"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":"sha256:` + strings.Repeat("ab", 32) + `"},"type":"cosign container image signature"},"optional":{"a":"x=y","m":"\u003c\u0026\u003e","z":"last"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewPayload(repo, d, tt.annotations)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("payload\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	// Docker Hub short names get their full repository, as cosign writes them.
	hub, _ := name.NewRepository("ubuntu")
	got, _ := NewPayload(hub, d, nil)
	if !strings.Contains(string(got), `"docker-reference":"index.docker.io/library/ubuntu"`) {
		t.Errorf("Docker Hub payload %s", got)
	}
	if tag := SignatureTag(repo, d); tag.String() != "registry.example.com/team/app:sha256-"+strings.Repeat("ab", 32)+".sig" {
		t.Errorf("SignatureTag = %s", tag)
	}
}

func TestParseAnnotations(t *testing.T) {
	got, err := ParseAnnotations([]string{"a=1", "b=x=y", "c="})
	if err != nil || len(got) != 3 || got["a"] != "1" || got["b"] != "x=y" || got["c"] != "" {
		t.Fatalf("ParseAnnotations = %v, %v", got, err)
	}
	if got, err := ParseAnnotations(nil); err != nil || got != nil {
		t.Errorf("nil: %v %v", got, err)
	}
	for _, bad := range [][]string{{"novalue"}, {"=v"}, {"a=1", "a=2"}} {
		if _, err := ParseAnnotations(bad); err == nil {
			t.Errorf("ParseAnnotations(%q) succeeded", bad)
		}
	}
}

// sigManifest fetches the raw .sig artifact of digest in repo.
func sigManifest(t *testing.T, reg *testRegistry, repo string, digest v1.Hash) (v1.Image, *v1.Manifest) {
	t.Helper()
	r, _ := name.NewRepository(reg.host + "/" + repo)
	img, err := remote.Image(SignatureTag(r, digest))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return img, m
}

func TestWriteAndVerifySignature(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "team/app:v1", nil)
	r := fastRegistry()
	alice, bob := mustKey(t, 'a'), mustKey(t, 'b')

	// Signing a tag resolves it.
	res, err := r.WriteSignature(ctx, reg.target(t, "team/app:v1"), alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Target.Digest != digest || res.AlreadyPresent || res.Layers != 1 {
		t.Fatalf("result %+v", res)
	}
	if want := reg.host + "/team/app:sha256-" + digest.Hex + ".sig"; res.Tag.String() != want {
		t.Errorf("tag %s, want %s", res.Tag, want)
	}

	// The artifact is laid out as cosign expects.
	img, m := sigManifest(t, reg, "team/app", digest)
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types %s / %s", m.MediaType, m.Config.MediaType)
	}
	if len(m.Layers) != 1 {
		t.Fatalf("%d layers", len(m.Layers))
	}
	l := m.Layers[0]
	if l.MediaType != SimpleSigningMediaType {
		t.Errorf("layer media type %s", l.MediaType)
	}
	sig, err := base64.StdEncoding.DecodeString(l.Annotations[SignatureAnnotation])
	if err != nil {
		t.Fatal(err)
	}
	layer, _ := img.LayerByDigest(l.Digest)
	rc, _ := layer.Compressed()
	blob, _ := io.ReadAll(rc)
	rc.Close()
	wantPayload := fmt.Sprintf(`{"critical":{"identity":{"docker-reference":"%s/team/app"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}`, reg.host, digest)
	if string(blob) != wantPayload || string(res.Payload) != wantPayload {
		t.Errorf("payload blob\n%s\nwant\n%s", blob, wantPayload)
	}
	if !alice.Public().Verify(blob, sig) {
		t.Error("stored signature is not pure Ed25519 over the payload bytes")
	}

	// Verification by the signer's key, by tag or by digest.
	for _, ref := range []string{"team/app:v1", "team/app@" + digest.String()} {
		v, err := r.VerifySignature(ctx, reg.target(t, ref), alice.Public(), nil)
		if err != nil {
			t.Fatalf("verify %s: %v", ref, err)
		}
		if v.Layer != 0 || v.Target.Digest != digest || string(v.Payload) != wantPayload {
			t.Errorf("verification %+v", v)
		}
	}

	// A second signer appends beside the first.
	res, err = r.WriteSignature(ctx, reg.target(t, "team/app:v1"), bob, nil)
	if err != nil || res.AlreadyPresent || res.Layers != 2 {
		t.Fatalf("second signer: %+v, %v", res, err)
	}
	_, m = sigManifest(t, reg, "team/app", digest)
	if len(m.Layers) != 2 || m.Layers[0].Annotations[SignatureAnnotation] != l.Annotations[SignatureAnnotation] {
		t.Fatalf("after the second signer: %+v", m.Layers)
	}
	for i, k := range []keys.Key{alice, bob} {
		v, err := r.VerifySignature(ctx, reg.target(t, "team/app:v1"), k.Public(), nil)
		if err != nil || v.Layer != i {
			t.Errorf("signer %d: %+v, %v", i, v, err)
		}
	}

	// Another key verifies nothing.
	_, err = r.VerifySignature(ctx, reg.target(t, "team/app:v1"), mustKey(t, 'c').Public(), nil)
	var nv *NotVerifiedError
	if !errors.As(err, &nv) || !errors.Is(err, ErrNotVerified) || errors.Is(err, ErrNoSignature) {
		t.Fatalf("wrong key: %v", err)
	}
	if len(nv.Reasons) != 2 || !strings.Contains(nv.Reasons[1], "layer 1: signature does not match the key") {
		t.Errorf("reasons %q", nv.Reasons)
	}
}

func TestReSignIsNoOp(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	puts := func() int { return reg.Count(http.MethodPut, ".sig") }
	reg.pushImage(t, "app:v1", nil)
	r := fastRegistry()
	k := mustKey(t, 'a')
	ann := map[string]string{"build": "42"}

	if _, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, ann); err != nil {
		t.Fatal(err)
	}
	if puts() != 1 {
		t.Fatalf("%d pushes for the first signature", puts())
	}
	for i := 0; i < 3; i++ {
		res, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, ann)
		if err != nil || !res.AlreadyPresent || res.Layers != 1 {
			t.Fatalf("re-sign: %+v, %v", res, err)
		}
	}
	if puts() != 1 {
		t.Errorf("%d pushes after re-signing, want 1", puts())
	}
	// Other annotations make another payload: a new layer, one more push.
	res, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, map[string]string{"build": "43"})
	if err != nil || res.AlreadyPresent || res.Layers != 2 || puts() != 2 {
		t.Errorf("new annotations: %+v, %v, %d pushes", res, err, puts())
	}
}

func TestVerifyRejects(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	signed := reg.pushImage(t, "app:signed", nil)
	other := reg.pushImage(t, "app:other", nil)
	reg.pushImage(t, "app:unsigned", nil)
	r := fastRegistry()
	k := mustKey(t, 'a')
	if _, err := r.WriteSignature(ctx, reg.target(t, "app:signed"), k, map[string]string{"env": "prod", "team": "core"}); err != nil {
		t.Fatal(err)
	}

	// Copy the signed image's .sig onto the other image.
	repo, _ := name.NewRepository(reg.host + "/app")
	sigImg, err := remote.Image(SignatureTag(repo, signed))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(SignatureTag(repo, other), sigImg); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		ref         string
		key         keys.PublicKey
		annotations map[string]string
		wantErr     error
		wantReason  string
	}{
		{"verified", "app:signed", k.Public(), nil, nil, ""},
		{"verified with annotation", "app:signed", k.Public(), map[string]string{"env": "prod"}, nil, ""},
		{"verified with all annotations", "app:signed", k.Public(), map[string]string{"env": "prod", "team": "core"}, nil, ""},
		{"wrong key", "app:signed", mustKey(t, 'z').Public(), nil, ErrNotVerified, "signature does not match the key"},
		{"annotation mismatch", "app:signed", k.Public(), map[string]string{"env": "dev"}, ErrNotVerified, `annotation "env" is prod, expected "dev"`},
		{"annotation missing", "app:signed", k.Public(), map[string]string{"region": "eu"}, ErrNotVerified, `annotation "region" is missing`},
		{"signature copied onto another image", "app:other", k.Public(), nil, ErrNotVerified, "payload claims digest " + signed.String() + ", not " + other.String()},
		{"no signature", "app:unsigned", k.Public(), nil, ErrNoSignature, ""},
		{"image missing", "app:missing", k.Public(), nil, ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := r.VerifySignature(ctx, reg.target(t, tt.ref), tt.key, tt.annotations)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if v.Annotations["env"] != "prod" {
					t.Errorf("annotations %v", v.Annotations)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == ErrNotFound && errors.Is(err, ErrNotVerified) {
				t.Errorf("a missing image is reported as not verified: %v", err)
			}
			if tt.wantReason != "" && !strings.Contains(err.Error(), tt.wantReason) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantReason)
			}
		})
	}

	bare, _ := ParseTarget(signed.String())
	if _, err := r.VerifySignature(ctx, bare, k.Public(), nil); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("bare digest: %v", err)
	}
	if _, err := r.WriteSignature(ctx, bare, k, nil); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("signing a bare digest: %v", err)
	}
	if _, err := r.VerifySignature(ctx, reg.target(t, "app:signed"), keys.PublicKey{}, nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("zero public key: %v", err)
	}
	if _, err := r.WriteSignature(ctx, reg.target(t, "app:signed"), keys.Key{}, nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("zero key: %v", err)
	}
}

func TestVerifyMalformedLayers(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "app:v1", nil)
	r := fastRegistry()
	k := mustKey(t, 'a')
	if _, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, nil); err != nil {
		t.Fatal(err)
	}
	repo, _ := name.NewRepository(reg.host + "/app")
	tag := SignatureTag(repo, digest)
	img, err := remote.Image(tag)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	good := m.Layers[0]

	tests := []struct {
		name   string
		mutate func(*v1.Descriptor)
		reason string
	}{
		{"no signature annotation", func(d *v1.Descriptor) { delete(d.Annotations, SignatureAnnotation) }, "no dev.cosignproject.cosign/signature annotation"},
		{"signature not base64", func(d *v1.Descriptor) { d.Annotations[SignatureAnnotation] = "!!!" }, "not base64"},
		{"truncated signature", func(d *v1.Descriptor) {
			d.Annotations[SignatureAnnotation] = d.Annotations[SignatureAnnotation][:20]
		}, "signature does not match the key"},
		{"other media type", func(d *v1.Descriptor) { d.MediaType = "application/vnd.dsse.envelope.v1+json" }, "not a simple-signing signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good
			d.Annotations = map[string]string{}
			for k, v := range good.Annotations {
				d.Annotations[k] = v
			}
			tt.mutate(&d)
			raw := *m
			raw.Layers = []v1.Descriptor{d}
			if err := remote.Put(tag, rawManifest{&raw}); err != nil {
				t.Fatal(err)
			}
			_, err := r.VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil)
			if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %v, want not verified: %s", err, tt.reason)
			}
		})
	}
}

// rawManifest lets a test put a hand-made manifest.
type rawManifest struct{ m *v1.Manifest }

func (r rawManifest) RawManifest() ([]byte, error) { return jsonMarshal(r.m) }
func (r rawManifest) MediaType() (types.MediaType, error) {
	return r.m.MediaType, nil
}

func TestSignatureRepository(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "app:v1", nil)
	r := fastRegistry()
	r.SignatureRepository = reg.host + "/signatures"
	k := mustKey(t, 'a')
	res, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := reg.host + "/signatures:sha256-" + digest.Hex + ".sig"; res.Tag.String() != want {
		t.Errorf("tag %s, want %s", res.Tag, want)
	}
	if !strings.Contains(string(res.Payload), `"docker-reference":"`+reg.host+`/app"`) {
		t.Errorf("payload names %s", res.Payload)
	}
	if _, err := r.VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil); err != nil {
		t.Error(err)
	}
	if _, err := fastRegistry().VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil); !errors.Is(err, ErrNoSignature) {
		t.Errorf("image repository: %v, want no signature", err)
	}
}

func TestVerifyRegistryFailures(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	reg.pushImage(t, "app:v1", nil)
	r := fastRegistry()
	k := mustKey(t, 'a')
	if _, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, nil); err != nil {
		t.Fatal(err)
	}
	reg.Fail(-1, http.StatusForbidden, "", ".sig")
	_, err := r.VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil)
	if !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrNotVerified) {
		t.Errorf("denied: %v, want ErrUnauthorized only", err)
	}
	if _, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), mustKey(t, 'b'), nil); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("write denied: %v", err)
	}
}

func TestVerifyAll(t *testing.T) {
	ctx := t.Context()
	const bound = 3
	var inFlight, peak atomic.Int32
	reg := newTestRegistry(t, registrytest.Wrap(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".sig") {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
			}
			h.ServeHTTP(w, r)
		})
	}))
	r := fastRegistry()
	alice, bob := mustKey(t, 'a'), mustKey(t, 'b')
	var reqs []VerifyRequest
	want := map[int]error{}
	for i := 0; i < 24; i++ {
		ref := fmt.Sprintf("app%d:v1", i)
		reg.pushImage(t, ref, nil)
		tg := reg.target(t, ref)
		switch i % 3 {
		case 0: // signed by alice
			if _, err := r.WriteSignature(ctx, tg, alice, nil); err != nil {
				t.Fatal(err)
			}
		case 1: // signed by bob only
			if _, err := r.WriteSignature(ctx, tg, bob, nil); err != nil {
				t.Fatal(err)
			}
			want[i] = ErrNotVerified
		case 2: // unsigned
			want[i] = ErrNoSignature
		}
		reqs = append(reqs, VerifyRequest{Target: tg, Public: alice.Public()})
	}
	reqs = append(reqs, VerifyRequest{Target: reg.target(t, "missing:v1"), Public: alice.Public()})
	want[len(reqs)-1] = ErrNotFound

	peak.Store(0)
	results := r.VerifyAll(ctx, reqs, bound)
	if len(results) != len(reqs) {
		t.Fatalf("%d results for %d requests", len(results), len(reqs))
	}
	for i, res := range results {
		if res.Request.Target.String() != reqs[i].Target.String() {
			t.Errorf("result %d is for %s", i, res.Request.Target)
		}
		if w := want[i]; w == nil {
			if res.Err != nil || res.Verification == nil {
				t.Errorf("%d: %v", i, res.Err)
			}
		} else if !errors.Is(res.Err, w) || res.Verification != nil {
			t.Errorf("%d: %v, want %v", i, res.Err, w)
		}
	}
	if p := peak.Load(); p > bound || p == 0 {
		t.Errorf("peak of %d concurrent look-ups, bound %d", p, bound)
	}
}

func TestVerifyAllCancelled(t *testing.T) {
	reg := newTestRegistry(t)
	reg.pushImage(t, "app:v1", nil)
	ctx, cancel := contextCancelled()
	defer cancel()
	reqs := make([]VerifyRequest, 5)
	for i := range reqs {
		reqs[i] = VerifyRequest{Target: reg.target(t, "app:v1"), Public: mustKey(t, 'a').Public()}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, res := range fastRegistry().VerifyAll(ctx, reqs, 1) {
			if !errors.Is(res.Err, ErrRegistry) {
				t.Errorf("cancelled: %v, want ErrRegistry", res.Err)
			}
		}
	}()
	wg.Wait()
}

func BenchmarkVerifyAll(b *testing.B) {
	reg := newTestRegistry(b)
	r := fastRegistry()
	k, _ := keys.KeyFromSeed(make([]byte, 32))
	ctx := b.Context()
	var reqs []VerifyRequest
	for i := 0; i < 50; i++ {
		ref := fmt.Sprintf("app%d:v1", i)
		reg.pushImage(b, ref, nil)
		tg := reg.target(b, ref)
		res, err := r.WriteSignature(ctx, tg, k, nil)
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, VerifyRequest{Target: res.Target, Public: k.Public()})
	}
	for b.Loop() {
		for _, res := range r.VerifyAll(ctx, reqs, 8) {
			if res.Err != nil {
				b.Fatal(res.Err)
			}
		}
	}
}

// TestConcurrentSignersKeepBothSignatures sets up the lost update that two
// signers of one image can cause: both read "no signatures", both push, and
// the second push replaces the first. The first signer reads back only
// after the second push, sees its signature gone and appends it again.
// (A registry has no compare-and-swap, so an overwrite that lands after a
// signer's read-back cannot be seen; this narrows the window, no more.)
//
// The registry holds requests back so that this happens every time: no
// push is served before both first reads were (else the second reader
// could see the first signer's push, append to it, and no race happen),
// and no read-back before both pushes. Then exactly three pushes are made.
func TestConcurrentSignersKeepBothSignatures(t *testing.T) {
	ctx := t.Context()
	var reads, served, puts atomic.Int32
	bothRead := make(chan struct{})
	bothServed := make(chan struct{})
	bothPushed := make(chan struct{})
	reg := newTestRegistry(t, registrytest.Wrap(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			isSig := strings.HasSuffix(r.URL.Path, ".sig")
			firstRead := false
			switch {
			case r.Method == http.MethodGet && isSig:
				switch n := reads.Add(1); {
				case n == 1:
					firstRead = true
					<-bothRead
				case n == 2:
					firstRead = true
					close(bothRead)
				default:
					<-bothPushed
				}
			case r.Method == http.MethodPut && isSig:
				<-bothServed
			}
			h.ServeHTTP(w, r)
			if firstRead && served.Add(1) == 2 {
				close(bothServed)
			}
			if r.Method == http.MethodPut && isSig && puts.Add(1) == 2 {
				close(bothPushed)
			}
		})
	}))
	digest := reg.pushImage(t, "app:v1", nil)
	r := fastRegistry()
	signers := []keys.Key{mustKey(t, 'a'), mustKey(t, 'b')}
	var wg sync.WaitGroup
	errs := make([]error, len(signers))
	for i, k := range signers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.WriteSignature(ctx, reg.target(t, "app@"+digest.String()), k, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if puts.Load() != 3 {
		t.Errorf("%d pushes, want 3: both signers' first, and the loser's again", puts.Load())
	}
	_, m := sigManifest(t, reg, "app", digest)
	if len(m.Layers) != 2 {
		t.Fatalf("%d layers after two concurrent signers, want 2", len(m.Layers))
	}
	for _, k := range signers {
		if _, err := r.VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil); err != nil {
			t.Errorf("signer %s lost: %v", k.Public(), err)
		}
	}
}

// TestInsecureClient runs the whole flow with Insecure set, which re-reads
// every reference with plain HTTP allowed.
func TestInsecureClient(t *testing.T) {
	ctx := t.Context()
	reg := newTestRegistry(t)
	digest := reg.pushImage(t, "app:v1", map[string]string{WalletPublicLabel: mustKey(t, 'a').Public().String()})
	r := fastRegistry()
	r.Insecure = true
	k := mustKey(t, 'a')
	res, err := r.WriteSignature(ctx, reg.target(t, "app:v1"), k, nil)
	if err != nil || res.Target.Digest != digest {
		t.Fatalf("sign: %+v, %v", res, err)
	}
	if _, err := r.VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil); err != nil {
		t.Fatal(err)
	}
	if p, err := r.WalletPublic(ctx, res.Target); err != nil || p != k.Public() {
		t.Fatalf("WalletPublic: %v, %v", p, err)
	}
	r.SignatureRepository = "Not A Repository"
	if _, err := r.VerifySignature(ctx, reg.target(t, "app:v1"), k.Public(), nil); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("bad signature repository: %v", err)
	}
}
