package dockerbuild

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// refusingResolver refuses with err every image whose reference contains
// only, and answers the others as StubResolver does.
type refusingResolver struct {
	err  error
	only string
}

func (r refusingResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	if !strings.Contains(ref, r.only) {
		return StubResolver{}.ResolveImageConfig(ctx, ref, opt)
	}
	return "", "", nil, r.err
}

func TestConvertErrors(t *testing.T) {
	errRegistry := errors.New("registry down")
	tests := []struct {
		name       string
		dockerfile string
		opt        ConvertOptions
		want       string // the whole message
		kind       error
	}{
		{"unknown instruction", "FROM a\nFETCH x\n", ConvertOptions{}, "Dockerfile:2: unknown instruction: FETCH", ErrInvalid},
		{"bad mount", "FROM a\nRUN --mount=type=nonsense true\n", ConvertOptions{}, "Dockerfile:2:", ErrInvalid},
		{"no such target", "FROM a AS one\n", ConvertOptions{Target: "two"}, "Dockerfile: target stage \"two\" could not be found", ErrInvalid},
		{"no FROM", "RUN true\n", ConvertOptions{}, "Dockerfile:", ErrInvalid},
		{"resolver's error keeps its kind", "FROM a\n\nFROM b\nCOPY --from=c / /\n", ConvertOptions{Resolver: refusingResolver{err: errRegistry}}, "Dockerfile:", errRegistry},
		{"resolver's error at COPY --from", "FROM a\n\nCOPY --from=c / /\n", ConvertOptions{Resolver: refusingResolver{err: errRegistry, only: "library/c:"}}, "Dockerfile:3: registry down", errRegistry},
		{"resolver's error at RUN --mount=from", "FROM a\nRUN --mount=from=c,target=/t true\n", ConvertOptions{Resolver: refusingResolver{err: errRegistry, only: "library/c:"}}, "Dockerfile:2: registry down", errRegistry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Filename = "Dockerfile"
			_, err := Convert(t.Context(), []byte(tt.dockerfile), tt.opt)
			if err == nil {
				t.Fatal("Convert accepted it")
			}
			if !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line starting %q", err, tt.want)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q does not match %v", err, tt.kind)
			}
			if tt.kind != ErrInvalid && errors.Is(err, ErrInvalid) {
				t.Errorf("the resolver's error %q is taken for a bad Dockerfile", err)
			}
		})
	}
}

// TestConvert translates without a registry: the stub answers images, the
// source map names each op's lines, and NetworkNone sets the default
// network of RUN steps.
func TestConvert(t *testing.T) {
	df := "ARG BASE=base:1\nFROM ${BASE}\nRUN echo a\nRUN --network=host echo b\n"
	for _, none := range []bool{false, true} {
		def, err := Convert(t.Context(), []byte(df), ConvertOptions{Filename: "app/Dockerfile", NetworkNone: none})
		if err != nil {
			t.Fatal(err)
		}
		modes := map[int32]pb.NetMode{}
		var image string
		for _, dt := range def.Def {
			var op pb.Op
			if err := op.UnmarshalVT(dt); err != nil {
				t.Fatal(err)
			}
			if src := op.GetSource(); src != nil {
				image = src.Identifier
			}
			if e := op.GetExec(); e != nil {
				locs := def.Source.GetLocations()[digest.FromBytes(dt).String()].GetLocations()
				if len(locs) == 0 || len(locs[0].Ranges) == 0 {
					t.Fatalf("exec %v has no location", e.Meta.Args)
				}
				modes[locs[0].Ranges[0].Start.Line] = e.Network
			}
		}
		if image != "docker-image://docker.io/library/base:1" {
			t.Errorf("image source %q", image)
		}
		want := map[int32]pb.NetMode{3: pb.NetMode_UNSET, 4: pb.NetMode_HOST}
		if none {
			want[3] = pb.NetMode_NONE
		}
		for line, m := range want {
			if modes[line] != m {
				t.Errorf("NetworkNone=%v: line %d runs with %v, want %v (all %v)", none, line, modes[line], m, modes)
			}
		}
		if got := def.Source.GetInfos(); len(got) != 1 || got[0].Filename != "app/Dockerfile" {
			t.Errorf("source infos %v", got)
		}
	}
}
