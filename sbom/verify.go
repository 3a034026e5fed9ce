package sbom

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	"github.com/spdx/tools-golang/spdx"
)

// Verify generates the SBOM of the build in opt again and compares it with
// doc. The platforms must be those doc was made for (ErrPlatformMismatch
// otherwise). It returns the document generated and the difference.
func Verify(ctx context.Context, opt Options, doc *spdx.Document) (*spdx.Document, *Difference, error) {
	want, err := Platforms(doc)
	if err != nil {
		return nil, nil, err
	}
	plats, err := normalizePlatforms(opt.Platforms)
	if err != nil {
		return nil, nil, err
	}
	var got []string
	for _, p := range plats {
		got = append(got, platforms.FormatAll(p))
	}
	sort.Strings(want)
	if !slices.Equal(want, got) {
		return nil, nil, fmt.Errorf("%w: it records %s, the build is for %s", ErrPlatformMismatch, strings.Join(want, ","), strings.Join(got, ","))
	}
	fresh, err := Generate(ctx, opt)
	if err != nil {
		return nil, nil, err
	}
	d, err := Diff(doc, fresh)
	if err != nil {
		return nil, nil, err
	}
	return fresh, d, nil
}
