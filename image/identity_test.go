package image

import (
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestIdentity(t *testing.T) {
	d1 := v1.Hash{Algorithm: "sha256", Hex: "1111111111111111111111111111111111111111111111111111111111111111"}
	d2 := v1.Hash{Algorithm: "sha256", Hex: "2222222222222222222222222222222222222222222222222222222222222222"}
	base := func() *v1.ConfigFile {
		return &v1.ConfigFile{
			Architecture: "amd64", OS: "linux",
			RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{d1, d2}},
			Config: v1.Config{Env: []string{"A=1"}},
		}
	}
	id := func(c *v1.ConfigFile) string {
		s, err := Identity(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := id(base())
	same := base()
	same.Created = v1.Time{Time: time.Unix(1700000000, 0)}
	same.History = []v1.History{{CreatedBy: "RUN x"}}
	if got := id(same); got != want {
		t.Errorf("times and history changed the identity")
	}
	tests := []struct {
		name string
		mod  func(*v1.ConfigFile)
	}{
		{"another layer order", func(c *v1.ConfigFile) { c.RootFS.DiffIDs = []v1.Hash{d2, d1} }},
		{"a layer less", func(c *v1.ConfigFile) { c.RootFS.DiffIDs = c.RootFS.DiffIDs[:1] }},
		{"another environment", func(c *v1.ConfigFile) { c.Config.Env = []string{"A=2"} }},
	}
	for _, tt := range tests {
		c := base()
		tt.mod(c)
		if id(c) == want {
			t.Errorf("%s: the same identity", tt.name)
		}
	}
}
