package tailbuf

import (
	"strings"
	"sync"
	"testing"
)

func TestBuffer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		max      int
		writes   []string
		want     string
		wantLast string
	}{
		{name: "nothing", writes: nil, want: "", wantLast: ""},
		{name: "one line", writes: []string{"error: boom\n"}, want: "error: boom\n", wantLast: "error: boom"},
		{name: "last non-empty line", writes: []string{"step 1\n", "ERROR: failed to push\n\n  \n"}, want: "step 1\nERROR: failed to push\n\n  \n", wantLast: "ERROR: failed to push"},
		{name: "line split across writes", writes: []string{"first\nsec", "ond\r\n"}, want: "first\nsecond\r\n", wantLast: "second"},
		{name: "keeps the end", max: 8, writes: []string{"0123456789", "abc"}, want: "56789abc", wantLast: "56789abc"},
		{name: "one write larger than max", max: 4, writes: []string{"abcdefgh"}, want: "efgh", wantLast: "efgh"},
		{name: "default max", writes: []string{strings.Repeat("x", DefaultMax) + "\nlast"}, want: strings.Repeat("x", DefaultMax-5) + "\nlast", wantLast: "last"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &Buffer{Max: tc.max}
			for _, w := range tc.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := b.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if got := b.LastLine(); got != tc.wantLast {
				t.Errorf("LastLine() = %q, want %q", got, tc.wantLast)
			}
		})
	}
}

func TestBufferConcurrentWrites(t *testing.T) {
	b := &Buffer{Max: 64}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Write([]byte("0123456789\n"))
			}
		})
	}
	wg.Wait()
	if got := len(b.String()); got != 64 {
		t.Errorf("kept %d bytes, want 64", got)
	}
	if got := b.LastLine(); got != "0123456789" {
		t.Errorf("LastLine() = %q", got)
	}
}
