package registrytest

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestFaults pushes and reads an image while faults are switched on and
// off: a fault takes only the requests of its method and path, counts down,
// and a negative one lasts until ResetFaults.
func TestFaults(t *testing.T) {
	r := New(t)
	ref, digest := r.PushRandom(t, "app:v1", map[string]string{"a": "b"})
	if got := r.ManifestPuts(); !slices.Equal(got, []string{"app:v1"}) {
		t.Fatalf("manifest puts %q, want [app:v1]", got)
	}
	nr, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	head := func() int {
		req, _ := http.NewRequest(http.MethodHead, r.URL+"/v2/app/manifests/v1", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	r.Fail(2, http.StatusServiceUnavailable, http.MethodHead, "/manifests/")
	r.Fail(-1, http.StatusForbidden, http.MethodGet, "/blobs/")
	for i, want := range []int{503, 503, 200} {
		if got := head(); got != want {
			t.Errorf("HEAD %d: status %d, want %d", i, got, want)
		}
	}
	denied, err := remote.Image(nr)
	if err == nil {
		_, err = denied.ConfigFile()
	}
	if err == nil || !strings.Contains(err.Error(), "DENIED") {
		t.Errorf("reading with the blobs denied: %v, want DENIED", err)
	}
	r.ResetFaults()
	img, err := remote.Image(nr)
	if err != nil {
		t.Fatalf("reading after ResetFaults: %v", err)
	}
	if d, _ := img.Digest(); d != digest {
		t.Errorf("digest %s, want %s", d, digest)
	}

	var seen []string
	r.OnRequest(func(req *http.Request) { seen = append(seen, req.Method) })
	head()
	r.OnRequest(nil)
	head()
	if !slices.Equal(seen, []string{http.MethodHead}) {
		t.Errorf("OnRequest saw %q, want one HEAD", seen)
	}
	if n := r.Count(http.MethodPut, "/manifests/"); n != 1 {
		t.Errorf("Count = %d manifest PUTs, want 1", n)
	}
	if n := r.Count("", "/blobs/"); n == 0 {
		t.Error("Count saw no blob requests")
	}
}
