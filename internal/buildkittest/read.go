package buildkittest

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// ErrNoFile is returned by ReadFile when the image has no such file.
var ErrNoFile = errors.New("no such file in image")

// Image fetches the image ref (by tag or digest) from a plain-HTTP registry.
func Image(ref string) (v1.Image, error) {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return nil, fmt.Errorf("image reference %s: %w", ref, err)
	}
	img, err := remote.Image(r)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", ref, err)
	}
	return img, nil
}

// ReadFile returns the content of the regular file at p in the image's
// flattened filesystem.
func ReadFile(img v1.Image, p string) ([]byte, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	want := strings.TrimPrefix(path.Clean("/"+p), "/")
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: %w", p, ErrNoFile)
		}
		if err != nil {
			return nil, fmt.Errorf("reading image filesystem: %w", err)
		}
		if strings.TrimPrefix(path.Clean("/"+h.Name), "/") != want {
			continue
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%s is not a regular file (type %c)", p, h.Typeflag)
		}
		return io.ReadAll(tr)
	}
}
