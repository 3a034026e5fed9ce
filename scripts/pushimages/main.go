// Command pushimages pushes random images to a registry, for the benchmarks
// in scripts/bench.sh: each image gets its own repository and one small
// layer, and its tag reference and digest reference are printed, one pair a
// line, tab-separated.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

func main() {
	registry := flag.String("registry", os.Getenv("SIGN_CLI_REGISTRY"), "registry host:port (plain HTTP on loopback)")
	n := flag.Int("n", 10, "how many images")
	prefix := flag.String("prefix", "bench/img", "repository name prefix")
	parallel := flag.Int("parallel", 8, "pushes at a time")
	flag.Parse()
	if *registry == "" {
		log.Fatal("pushimages: no registry: give -registry or set $SIGN_CLI_REGISTRY")
	}
	lines := make([]string, *n)
	errs := make([]error, *n)
	var g errgroup.Group
	g.SetLimit(*parallel)
	for i := range *n {
		g.Go(func() error {
			lines[i], errs[i] = push(fmt.Sprintf("%s/%s%04d:latest", *registry, *prefix, i))
			return nil // reported in order below
		})
	}
	g.Wait()
	for i := range lines {
		if errs[i] != nil {
			log.Fatalf("pushimages: %v", errs[i])
		}
		fmt.Println(lines[i])
	}
}

func push(ref string) (string, error) {
	img, err := random.Image(512, 1)
	if err != nil {
		return "", err
	}
	tag, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return "", err
	}
	if err := remote.Write(tag, img); err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s\t%s@%s", ref, tag.Context().Name(), d), nil
}
