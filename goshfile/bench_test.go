package goshfile

import (
	"context"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "full.yaml")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("full.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTranslateAndMarshal(b *testing.B) {
	f, err := Parse("full.yaml", readTestdata(b, "full.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	r := newResolver(b, bashConfig)
	ctx := context.Background()
	for b.Loop() {
		st, _, err := Translate(ctx, f, TranslateOptions{Resolver: r})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Marshal(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
