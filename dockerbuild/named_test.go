package dockerbuild

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

// sources lists the identifiers of the sources of a definition.
func sources(t *testing.T, def interface{ ToPB() *pb.Definition }) []string {
	t.Helper()
	var out []string
	for _, dt := range def.ToPB().Def {
		var op pb.Op
		if err := op.Unmarshal(dt); err != nil {
			t.Fatal(err)
		}
		if s := op.GetSource(); s != nil {
			out = append(out, s.Identifier)
		}
	}
	slices.Sort(out)
	return out
}

// TestConvertLocals: a named context that is a local directory is read
// from that local, with no daemon; without it the name is an image.
func TestConvertLocals(t *testing.T) {
	const df = "FROM a@sha256:0000000000000000000000000000000000000000000000000000000000000000\n" +
		"RUN --mount=type=bind,from=gosh-cargo,target=/.cargo cargo build --locked\n" +
		"COPY --from=gosh-cargo config.toml /config.toml\n"
	tests := []struct {
		name   string
		locals []string
		want   string // a source that must be there
		not    string // one that must not
	}{
		{"a named local", []string{"gosh-cargo"}, "local://gosh-cargo", "docker-image://docker.io/library/gosh-cargo"},
		{"no named local", nil, "docker-image://docker.io/library/gosh-cargo", "local://gosh-cargo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, err := Convert(context.Background(), []byte(df), ConvertOptions{Filename: "Dockerfile", Locals: tt.locals})
			if err != nil {
				t.Fatal(err)
			}
			got := sources(t, def)
			has := func(prefix string) bool {
				return slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, prefix) })
			}
			if !has(tt.want) || has(tt.not) {
				t.Errorf("sources %q, want %s and not %s", got, tt.want, tt.not)
			}
		})
	}
	if got := LocalContexts("gosh-cargo"); len(got) != 1 || got["context:gosh-cargo"] != "local:gosh-cargo" {
		t.Errorf("LocalContexts = %v", got)
	}
}
