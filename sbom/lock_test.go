package sbom

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/gosh-sh/sign-cli/goshfile"
)

// innerResolver answers every image with one digest, and remembers what it
// was asked.
type innerResolver struct {
	digest digest.Digest
	asked  []string
}

func (r *innerResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.asked = append(r.asked, ref)
	return ref, r.digest, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + strings.Repeat("0", 64) + `"]}}`), nil
}

func TestLock(t *testing.T) {
	r := lockRegistry(t)
	doc, err := r.generate(t, "Dockerfile", lockDockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := r.push(t, "base:1") // the tag moves; the lock does not
	lock, err := NewLock(doc)
	if err != nil {
		t.Fatal(err)
	}
	amd := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	pinned, err := lock.Pin(r.host+"/base:1", amd)
	if err != nil {
		t.Fatal(err)
	}
	if pinned.String() == base.String() {
		t.Fatalf("Pin followed the moved tag")
	}
	if !strings.Contains(strings.Join(r.summary(t, doc), "\n"), pinned.String()) {
		t.Fatalf("Pin = %s, not a digest of the SBOM", pinned)
	}
	for _, tt := range []struct {
		ref      string
		platform ocispecs.Platform
	}{
		{r.host + "/base:2", amd},
		{r.host + "/other:1", amd},
		{r.host + "/base:1", ocispecs.Platform{OS: "linux", Architecture: "arm64"}},
		{r.host + "/base@" + base.String(), amd},
	} {
		if _, err := lock.Pin(tt.ref, tt.platform); !errors.Is(err, ErrNotLocked) || !errors.Is(err, ErrInvalid) {
			t.Errorf("Pin(%s, %s): err = %v, want ErrNotLocked", tt.ref, tt.platform.Architecture, err)
		}
	}
	if err := lock.CheckPlatform(amd); err != nil {
		t.Errorf("CheckPlatform(linux/amd64) = %v", err)
	}
	if err := lock.CheckPlatform(ocispecs.Platform{OS: "linux", Architecture: "arm64"}); !errors.Is(err, ErrPlatformMismatch) {
		t.Errorf("CheckPlatform(linux/arm64) = %v, want ErrPlatformMismatch", err)
	}

	// The resolver pins before it asks, and refuses another answer.
	inner := &innerResolver{digest: pinned}
	res := lock.Resolver(inner)
	opt := sourceresolver.Opt{ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &amd}}
	_, d, _, err := res.ResolveImageConfig(context.Background(), r.host+"/base:1", opt)
	if err != nil || d != pinned {
		t.Fatalf("ResolveImageConfig = %s, %v; want %s", d, err, pinned)
	}
	if want := r.host + "/base:1@" + pinned.String(); len(inner.asked) != 1 || inner.asked[0] != want {
		t.Errorf("inner asked %q, want %q", inner.asked, want)
	}
	if _, _, _, err := res.ResolveImageConfig(context.Background(), r.host+"/other:1", opt); !errors.Is(err, ErrNotLocked) || len(inner.asked) != 1 {
		t.Errorf("unlocked image: err = %v, inner asked %q", err, inner.asked)
	}
	inner.digest = digest.Digest(base.String())
	if _, _, _, err := res.ResolveImageConfig(context.Background(), r.host+"/base:1", opt); !errors.Is(err, ErrNotLocked) {
		t.Errorf("another digest answered: err = %v, want ErrNotLocked", err)
	}
}

func TestLockGoshfile(t *testing.T) {
	r := newTestRegistry(t)
	r.push(t, "bash:5")
	doc, err := r.generate(t, "goshfile.yaml", "apiVersion: 1\nimage: REG/bash:5\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := NewLock(doc)
	if err != nil {
		t.Fatal(err)
	}
	amd := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name, src string
		want      []string // fragments of the error; none: no error
	}{
		{"pinned", "apiVersion: 1\nimage: REG/bash:5\nsteps:\n  - run: {command: [date]}\n", nil},
		{"scratch", "apiVersion: 1\nimage: scratch\n", nil},
		{"not pinned", "apiVersion: 1\n\nimage: REG/bash:6\n", []string{"app.yaml:3:8: image ", "bash:6 is not pinned for linux/amd64"}},
		{"cache mount", "apiVersion: 1\nimage: REG/bash:5\nsteps:\n  - run: {command: [make], cache: [{target: /c}]}\n", []string{"app.yaml:4:5: step 1 has cache mounts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := goshfile.Parse("app.yaml", []byte(strings.ReplaceAll(tt.src, "REG", r.host)))
			if err != nil {
				t.Fatal(err)
			}
			err = lock.CheckGoshfile(f, "app.yaml", amd)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckGoshfile = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNotLocked) {
				t.Fatalf("err = %v, want ErrNotLocked", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
