package dockerbuild

import (
	"context"
	"errors"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// errNoDaemon is what translateClient answers for anything that would need
// a daemon.
var errNoDaemon = errors.New("dockerbuild: translating without a daemon")

// LocalContexts is the frontend options that make each of names a named
// build context read from the local directory of the same name
// ("context:NAME" = "local:NAME"), so that RUN --mount=from=NAME and
// COPY --from=NAME read it. The caller serves the locals.
func LocalContexts(names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m["context:"+n] = "local:" + n
	}
	return m
}

// ImageContexts is the frontend options that make each name of images a
// named build context that is the image it maps to ("context:NAME" =
// "docker-image://REF"), so that FROM NAME reads that image.
func ImageContexts(images map[string]string) map[string]string {
	m := map[string]string{}
	for n, ref := range images {
		m["context:"+n] = "docker-image://" + ref
	}
	return m
}

// TranslationClient is the frontend's view of a build for a translation
// without a daemon (Convert, an SBOM's generation) in which each of locals
// is a named context read from the local directory of that name, as
// LocalContexts makes it for a build, and each name of images a named
// context that is an image, as ImageContexts makes it. Images are answered
// by resolver; anything else a daemon would do is refused.
func TranslationClient(locals []string, images map[string]string, resolver llb.ImageMetaResolver) (*dockerui.Client, error) {
	c := &translateClient{resolver: resolver, inputs: map[string]llb.State{}}
	c.opts.Opts = ImageContexts(images)
	c.opts.LLBCaps = pb.Caps.CapSet(pb.Caps.All())
	c.opts.Caps = gwpb.Caps.CapSet(gwpb.Caps.All())
	// The build context as an input too, so that the frontend does not
	// ask a daemon for its .dockerignore; its files do not matter here.
	c.inputs[dockerui.DefaultLocalNameContext] = llb.Local(dockerui.DefaultLocalNameContext)
	for _, n := range locals {
		// An input, not a local: loading a local named context reads its
		// .dockerignore through the daemon, which a translation has not.
		c.opts.Opts["context:"+n] = "input:" + n
		c.inputs[n] = llb.Local(n)
	}
	return dockerui.NewClient(c)
}

// translateClient answers the gateway calls a translation makes.
type translateClient struct {
	opts     gwclient.BuildOpts
	inputs   map[string]llb.State
	resolver llb.ImageMetaResolver
}

func (c *translateClient) BuildOpts() gwclient.BuildOpts { return c.opts }

func (c *translateClient) Inputs(context.Context) (map[string]llb.State, error) {
	return c.inputs, nil
}

func (c *translateClient) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	if c.resolver == nil {
		return "", "", nil, errNoDaemon
	}
	return c.resolver.ResolveImageConfig(ctx, ref, opt)
}

func (c *translateClient) ResolveSourceMetadata(context.Context, *pb.SourceOp, sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	return nil, errNoDaemon
}

func (c *translateClient) Solve(context.Context, gwclient.SolveRequest) (*gwclient.Result, error) {
	return nil, errNoDaemon
}

func (c *translateClient) NewContainer(context.Context, gwclient.NewContainerRequest) (gwclient.Container, error) {
	return nil, errNoDaemon
}

func (c *translateClient) Warn(context.Context, digest.Digest, string, gwclient.WarnOpts) error {
	return nil
}
