package sbom

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spdx/tools-golang/spdx"
)

// Verify generates the SBOM of the build in opt again and compares it with
// doc. The platforms must be those doc was made for (ErrPlatformMismatch
// otherwise). It returns the document generated and the difference.
//
// An image doc pins by a tag the registry no longer has is a difference
// (Removed), as a locked build sees it (Lock.CheckTags), not bad input: the
// document generated is then nil, since the build cannot be described. An
// image the build names that the registry does not have and doc does not pin
// stays an error (ErrImageNotFound).
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
	if errors.Is(err, ErrImageNotFound) {
		if d := goneTags(ctx, opt.Resolver, doc, plats); d != nil {
			return nil, d, nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	d, err := Diff(doc, fresh)
	if err != nil {
		return nil, nil, err
	}
	return fresh, d, nil
}

// goneTags is the difference of the tags doc pins that the registry no
// longer has (and of those that moved), or nil when none is gone, or when
// that cannot be told: the caller then reports the error it had.
func goneTags(ctx context.Context, r Resolver, doc *spdx.Document, plats []ocispecs.Platform) *Difference {
	l, err := NewLock(doc)
	if err != nil {
		return nil
	}
	d, err := l.CheckTags(ctx, r, plats...)
	if err != nil || len(d.Removed) == 0 {
		return nil
	}
	return d
}
