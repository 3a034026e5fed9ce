package sbom

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

// tagsDockerfile reads an image by a tag, a multi-platform index by a tag
// and an image by digest alone (PINNED is replaced by its digest).
const tagsDockerfile = "FROM REG/base:1\nCOPY --from=REG/multi:1 /x /x\nCOPY --from=REG/pinned@PINNED /y /y\n"

// hostile answers the manifest of base:1 as a hostile registry would,
// when switched on.
type hostile struct{ mode atomic.Value }

func (h *hostile) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mode, _ := h.mode.Load().(string)
		if mode == "" || req.URL.Path != "/v2/base/manifests/1" {
			next.ServeHTTP(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		switch mode {
		case "malformed":
			io.WriteString(w, `{"schemaVersion":2,"config":{"digest":"sha256:zz`)
		case "huge":
			// More than any manifest may be: the client must stop reading.
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for range 101 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	})
}

// TestCheckTags makes an SBOM, changes the registry, and checks what
// CheckTags reports for linux/amd64: moved and deleted tags, an index
// whose amd64 manifest changed or went, and never the image pinned by
// digest or an index's other platforms; a failing or hostile registry is
// one error line, not a verdict.
func TestCheckTags(t *testing.T) {
	amd, arm := v1.Platform{OS: "linux", Architecture: "amd64"}, v1.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name    string
		change  func(t *testing.T, r *testRegistry, reg *registrytest.Registry, h *hostile)
		changed []string // repositories reported moved
		removed []string // repositories reported gone
		err     string   // a fragment of the error; "" for none
	}{
		{name: "unchanged", change: func(*testing.T, *testRegistry, *registrytest.Registry, *hostile) {}},
		{name: "moved tag", change: func(t *testing.T, r *testRegistry, _ *registrytest.Registry, _ *hostile) {
			r.push(t, "base:1")
		}, changed: []string{"base"}},
		{name: "deleted tag", change: func(t *testing.T, _ *testRegistry, reg *registrytest.Registry, _ *hostile) {
			req, _ := http.NewRequest(http.MethodDelete, reg.URL+"/v2/base/manifests/1", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode/100 != 2 {
				t.Fatalf("deleting base:1: %v %v", resp, err)
			}
			resp.Body.Close()
		}, removed: []string{"base"}},
		{name: "index: the platform's manifest changed", change: func(t *testing.T, r *testRegistry, _ *registrytest.Registry, _ *hostile) {
			r.pushIndex(t, "multi:1", amd, arm)
		}, changed: []string{"multi"}},
		{name: "index: another platform's manifest changed", change: func(t *testing.T, r *testRegistry, _ *registrytest.Registry, _ *hostile) {
			// The same amd64 image, a new arm64 one: the index moved, the
			// image the build reads did not.
			keepAMD64(t, r, "multi:1")
		}},
		{name: "index: the platform went", change: func(t *testing.T, r *testRegistry, _ *registrytest.Registry, _ *hostile) {
			r.pushIndex(t, "multi:1", arm)
		}, removed: []string{"multi"}},
		{name: "index: the platform's manifest no longer served", change: func(_ *testing.T, _ *testRegistry, reg *registrytest.Registry, _ *hostile) {
			reg.Fail(-1, http.StatusNotFound, http.MethodHead, "/v2/multi/manifests/sha256:")
		}, removed: []string{"multi"}},
		{name: "image pinned by digest: its tag moved", change: func(t *testing.T, r *testRegistry, _ *registrytest.Registry, _ *hostile) {
			r.push(t, "pinned:1")
		}},
		{name: "registry fails", change: func(_ *testing.T, _ *testRegistry, reg *registrytest.Registry, _ *hostile) {
			reg.Fail(-1, http.StatusServiceUnavailable, http.MethodGet, "/v2/base/manifests/")
		}, err: "resolving "},
		{name: "malformed manifest", change: func(_ *testing.T, _ *testRegistry, _ *registrytest.Registry, h *hostile) {
			h.mode.Store("malformed")
		}, err: "resolving "},
		{name: "huge manifest", change: func(_ *testing.T, _ *testRegistry, _ *registrytest.Registry, h *hostile) {
			h.mode.Store("huge")
		}, err: "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &hostile{}
			reg := registrytest.New(t, registrytest.Wrap(h.wrap))
			r := &testRegistry{host: reg.Host}
			r.push(t, "base:1")
			r.pushIndex(t, "multi:1", amd, arm)
			pinned := r.push(t, "pinned:1")
			lock := lockOf(t, r, strings.ReplaceAll(tagsDockerfile, "PINNED", pinned.String()))
			if n, err := lock.TaggedImages(ocispecs.Platform{OS: "linux", Architecture: "amd64"}); n != 2 || err != nil {
				t.Fatalf("TaggedImages = %d, %v; want base and multi", n, err)
			}
			tt.change(t, r, reg, h)

			d, err := lock.CheckTags(t.Context(), r.resolver(), ocispecs.Platform{OS: "linux", Architecture: "amd64"})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("CheckTags: err = %v, want one line with %q", err, tt.err)
				}
				if tt.name == "registry fails" && !errors.Is(err, ErrResolve) {
					t.Errorf("err = %v, want ErrResolve", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckTags: %v", err)
			}
			var changed, removed []string
			for _, c := range d.Changed {
				changed = append(changed, repoOf(c.Key))
				if c.Old == c.New || !strings.HasPrefix(c.New, "sha256:") {
					t.Errorf("change %+v", c)
				}
			}
			for _, e := range d.Removed {
				removed = append(removed, repoOf(e.Key))
			}
			if strings.Join(changed, ",") != strings.Join(tt.changed, ",") || strings.Join(removed, ",") != strings.Join(tt.removed, ",") {
				t.Errorf("changed %q removed %q; want %q and %q\n%s", changed, removed, tt.changed, tt.removed, d)
			}
			if len(tt.changed) > 0 && !strings.HasPrefix(d.String(), "~ pkg:oci/") {
				t.Errorf("WriteTo:\n%s", d)
			}
		})
	}
}

// keepAMD64 writes the index at repoTag anew with the amd64 image it
// holds and a new arm64 image.
func keepAMD64(t *testing.T, r *testRegistry, repoTag string) {
	t.Helper()
	ref, err := name.ParseReference(r.host+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	old, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	amd := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	child, err := childFor(old, amd)
	if err != nil {
		t.Fatal(err)
	}
	img, err := old.Image(child)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: randomImage(t), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	r.write(t, repoTag, idx, func(ref name.Reference) error { return remote.WriteIndex(ref, idx) })
}

// repoOf is the last path component of a purl key's repository.
func repoOf(key string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(key, "pkg:oci/"), "?")
	return name
}

// TestCheckTagsNamedByDigest: an image the build file names
// NAME:TAG@DIGEST is read by its digest whatever the tag names, so once
// CheckDockerfile has seen the build file, CheckTags does not ask about it
// unless the file also names it by the tag alone.
func TestCheckTagsNamedByDigest(t *testing.T) {
	tests := []struct {
		name, dockerfile string
		changed          int
	}{
		{"tag and digest", "FROM REG/base:1@PINNED\n", 0},
		{"tag and digest, and the tag alone", "FROM REG/base:1@PINNED\nCOPY --from=REG/base:1 /x /x\n", 1},
		{"the tag alone", "FROM REG/base:1\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRegistry(t)
			pinned := r.push(t, "base:1")
			dockerfile := strings.ReplaceAll(tt.dockerfile, "PINNED", pinned.String())
			lock := lockOf(t, r, dockerfile)
			data := []byte(strings.ReplaceAll(dockerfile, "REG", r.host))
			if err := lock.CheckDockerfile(t.Context(), data, dockerbuild.ConvertOptions{Filename: "Dockerfile"}, AuditOptions{}); err != nil {
				t.Fatal(err)
			}
			r.push(t, "base:1")
			d, err := lock.CheckTags(t.Context(), r.resolver(), DefaultPlatform)
			if err != nil || len(d.Changed) != tt.changed || len(d.Removed) != 0 {
				t.Fatalf("CheckTags = %v, %v; want %d changed", d, err, tt.changed)
			}
		})
	}
}
