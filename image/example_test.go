package image_test

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/gosh-sh/sign-cli/image"
)

func ExampleNewPayload() {
	repo, _ := name.NewRepository("registry.example.com/team/app")
	d, _ := image.ParseDigest("sha256:0f2e8d4bbf4ad4a9e4d8d7bb0d6b1c2b8d3d9b2b6a8c3e2f1a0b9c8d7e6f5a4b")
	p, _ := image.NewPayload(repo, d, map[string]string{"build": "42"})
	fmt.Println(string(p))
	fmt.Println(image.SignatureTag(repo, d))
	// Output:
	// {"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":"sha256:0f2e8d4bbf4ad4a9e4d8d7bb0d6b1c2b8d3d9b2b6a8c3e2f1a0b9c8d7e6f5a4b"},"type":"cosign container image signature"},"optional":{"build":"42"}}
	// registry.example.com/team/app:sha256-0f2e8d4bbf4ad4a9e4d8d7bb0d6b1c2b8d3d9b2b6a8c3e2f1a0b9c8d7e6f5a4b.sig
}
