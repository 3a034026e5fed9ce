package buildkittest

import (
	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

// Registry is the test registry (internal/registrytest) the daemon pushes
// to, with the pushes of base images the builds start from. Its
// ManifestPuts tell what a build or a signer wrote.
type Registry struct {
	*registrytest.Registry
}

// NewRegistry starts a registry on 127.0.0.1; Close stops it.
func NewRegistry() *Registry {
	return &Registry{Registry: registrytest.Start()}
}
