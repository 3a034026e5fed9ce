package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Identity is what an image built from source is, whatever manifest it was
// pushed with (compression, media types and times change the digest, not
// the content): "sha256:" and the SHA-256 of the ChainID of its layers'
// diff_ids, a newline, and the SHA-256 of its config with the times left
// out (created, history).
func Identity(cfg *v1.ConfigFile) (string, error) {
	chain := ""
	for i, d := range cfg.RootFS.DiffIDs {
		if i == 0 {
			chain = d.String()
			continue
		}
		sum := sha256.Sum256([]byte(chain + " " + d.String()))
		chain = "sha256:" + hex.EncodeToString(sum[:])
	}
	c := cfg.DeepCopy()
	c.Created = v1.Time{}
	c.History = nil
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding the config: %w", err)
	}
	configSum := sha256.Sum256(data)
	sum := sha256.Sum256([]byte(chain + "\n" + hex.EncodeToString(configSum[:])))
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Identity reads the config of the image t and returns its Identity.
func (r *Registry) Identity(ctx context.Context, t Target) (string, error) {
	ref, err := r.imageRef(t)
	if err != nil {
		return "", fmt.Errorf("reading the config: %w", err)
	}
	opts, err := r.readOptions(ctx, ref.Context())
	if err != nil {
		return "", fmt.Errorf("reading the config: %w", classify(err))
	}
	img, err := remote.Image(ref, opts...)
	if err != nil {
		return "", fmt.Errorf("reading the config: %w", classify(err))
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return "", fmt.Errorf("reading the config: %w", classify(err))
	}
	return Identity(cfg)
}
