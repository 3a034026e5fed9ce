package depcheck

import (
	"slices"
	"testing"
)

func TestLoad(t *testing.T) {
	g := Load(t, "github.com/gosh-sh/sign-cli/internal/depcheck")
	for _, want := range []string{"testing", "os/exec", "github.com/gosh-sh/sign-cli/internal/depcheck"} {
		if _, ok := g[want]; !ok {
			t.Errorf("graph has no %s", want)
		}
	}
	if by := g.Importers("os/exec"); !slices.Contains(by, "github.com/gosh-sh/sign-cli/internal/depcheck") {
		t.Errorf("Importers(os/exec) = %v, want depcheck among them", by)
	}
	if by := g.Importers("no/such/package"); by != nil {
		t.Errorf("Importers(no/such/package) = %v, want none", by)
	}
}

// TestAssertNoDependency runs the assertion on a recorder so that both
// outcomes are seen: a package depcheck links is reported, one it does not
// link is not.
func TestAssertNoDependency(t *testing.T) {
	tests := []struct {
		forbidden string
		wantFail  bool
	}{
		{"testing", true},
		{"net/http/httptest", false},
	}
	for _, tt := range tests {
		t.Run(tt.forbidden, func(t *testing.T) {
			r := &recorder{TB: t}
			AssertNoDependency(r, "github.com/gosh-sh/sign-cli/internal/depcheck", tt.forbidden)
			if r.failed != tt.wantFail {
				t.Errorf("failed = %v (%q), want %v", r.failed, r.msg, tt.wantFail)
			}
		})
	}
}

// recorder is a testing.TB whose Errorf records instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = format
}
