package sbom

import (
	"fmt"
	"strings"
	"testing"
)

// tenSources is a Dockerfile that reads ten images: a base, and nine copied
// from.
func tenSources(tb testing.TB, r *testRegistry) string {
	var b strings.Builder
	b.WriteString("FROM REG/base:1\n")
	r.push(tb, "base:1")
	for i := range 9 {
		repo := fmt.Sprintf("lib%d:1", i)
		r.push(tb, repo)
		fmt.Fprintf(&b, "COPY --from=REG/%s /x /x%d\n", repo, i)
	}
	return b.String()
}

// BenchmarkGenerateTenImages is one `sbom generate` of a Dockerfile with
// ten image sources against a registry on loopback, with a cold resolver
// each time, as a command run has; requests/op are the registry requests.
func BenchmarkGenerateTenImages(b *testing.B) {
	r := newTestRegistry(b)
	dockerfile := tenSources(b, r)
	r.requests.Store(0)
	b.ResetTimer()
	for b.Loop() {
		doc, err := r.generate(b, "Dockerfile", dockerfile, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(doc.Packages); n != 11 {
			b.Fatalf("%d packages, want 11", n)
		}
	}
	b.ReportMetric(float64(r.requests.Load())/float64(b.N), "requests/op")
}
