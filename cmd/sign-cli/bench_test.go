package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCheck measures one check run in process (no process start)
// against the devnet: N proofs on chain by bare digest, and N images in the
// registry with both sources. Half of the targets are signed.
func BenchmarkCheck(b *testing.B) {
	w := newWorld(b)
	signer, keyPath := w.keyFile("signer.json")
	for _, bc := range []struct {
		name   string
		n      int
		source string
		images bool
	}{
		{"chain/digests=1", 1, "chain", false},
		{"chain/digests=1000", 1000, "chain", false},
		{"all/images=1", 1, "all", true},
		{"all/images=100", 100, "all", true},
	} {
		var targets []string
		for i := range bc.n {
			if bc.images {
				ref, _ := w.image(fmt.Sprintf("bench/%s/app%d", strings.NewReplacer("/", "-", "=", "-").Replace(bc.name), i), nil)
				targets = append(targets, ref)
			} else {
				targets = append(targets, fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(bc.name+fmt.Sprint(i)))))
			}
		}
		half := max(len(targets)/2, 1)
		args := append([]string{"sign", "-q", "--secret-file", keyPath}, targets[:half]...)
		if !bc.images {
			args = append(args[:4], append([]string{"--no-registry"}, targets[:half]...)...)
		}
		if r := runCLI(b, w.env(), "", args...); r.code != 0 {
			b.Fatalf("sign: %+v", r)
		}
		list := filepath.Join(w.dir, "targets.txt")
		if err := os.WriteFile(list, []byte(strings.Join(targets, "\n")), 0o644); err != nil {
			b.Fatal(err)
		}
		want := exitNotVerified
		if len(targets) == 1 {
			want = exitOK
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := runCLI(b, w.env(), "", "check", "--source", bc.source, "--public", signer.Public().String(), "--from-file", list)
				if r.code != want {
					b.Fatalf("check: exit %d: %s", r.code, r.stderr)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(targets)), "µs/target")
		})
	}
}
