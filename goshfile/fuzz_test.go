package goshfile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// FuzzParse checks that no input makes Parse panic, that a rejected input
// comes with positioned, non-empty errors, and that an accepted one
// translates and marshals to LLB. The seed corpus is in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(readTestdata(f, "seed.yaml"))
	f.Add(readTestdata(f, "full.yaml"))
	resolver := newResolver(f, bashConfig)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			if file != nil {
				t.Fatal("Parse returned a File and an error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			// YAML breaks lines at \r\n, \n and a lone \r alike.
			text := strings.ReplaceAll(string(data), "\r\n", "\n")
			lines := strings.Count(text, "\n") + strings.Count(text, "\r") + 2
			for _, e := range list {
				if e.Msg == "" || e.Filename != "fuzz.yaml" {
					t.Fatalf("error without text or file name: %+v", e)
				}
				if e.Pos.Line < 0 || e.Pos.Line > lines || e.Pos.Column < 0 {
					t.Fatalf("error at %d:%d in a file of %d lines: %v", e.Pos.Line, e.Pos.Column, lines, e)
				}
			}
			return
		}
		if file.APIVersion != 1 || file.Image == "" {
			t.Fatalf("accepted a goshfile with version %d and image %q", file.APIVersion, file.Image)
		}
		for i, s := range file.Steps {
			if (s.Run == nil) == (s.Copy == nil) {
				t.Fatalf("step %d has run %v and copy %v", i+1, s.Run, s.Copy)
			}
		}
		st, img, err := Translate(context.Background(), file, TranslateOptions{Resolver: resolver})
		if err != nil {
			t.Fatalf("Translate of an accepted goshfile: %v", err)
		}
		if _, err := st.Marshal(context.Background(), llb.Platform(ocispecs.Platform{OS: img.OS, Architecture: img.Architecture})); err != nil {
			t.Fatalf("Marshal of an accepted goshfile: %v", err)
		}
	})
}
