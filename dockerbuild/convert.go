package dockerbuild

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrInvalid: a Dockerfile that BuildKit's Dockerfile frontend refuses
// (it does not parse, it has no such target, ...).
var ErrInvalid = errors.New("invalid Dockerfile")

// DefaultPlatform is the target and build platform Convert assumes when
// none is given, the one sign-cli builds by default.
var DefaultPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// ConvertOptions describe a Dockerfile build to Convert.
type ConvertOptions struct {
	// Filename is the Dockerfile's name in errors and in the LLB's source
	// map.
	Filename string
	// Platform is the target platform; DefaultPlatform when nil.
	Platform *ocispecs.Platform
	// BuildPlatform is $BUILDPLATFORM; DefaultPlatform when nil.
	BuildPlatform *ocispecs.Platform
	BuildArgs     map[string]string
	Target        string
	Labels        map[string]string
	// Resolver answers every image. Required unless the Dockerfile reads
	// none.
	Resolver llb.ImageMetaResolver
	// NetworkNone as in Options.
	NetworkNone bool
	// Locals are named build contexts read from local directories of the
	// same names (LocalContexts), such as the crates a build prepares.
	Locals []string
	// Images are named build contexts that are images, by name
	// (ImageContexts), such as images built first.
	Images map[string]string
}

// llbCaps are the capabilities of a daemon of this BuildKit version: all
// of them, so that the frontend emits what a build would.
var llbCaps = pb.Caps.CapSet(pb.Caps.All())

// Convert translates the Dockerfile data without a daemon, as Build would
// for one platform, and returns the LLB with its source map (each op's
// Dockerfile lines). The build context is the "context" local. Without a
// Resolver, images are answered by StubResolver: the Dockerfile is
// checked, nothing is fetched.
//
// A Dockerfile the frontend refuses is an error matching ErrInvalid; an
// error of the Resolver keeps its kind. Both read "FILE:LINE: what".
func Convert(ctx context.Context, data []byte, opt ConvertOptions) (*llb.Definition, error) {
	ast, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, lineErr(ErrInvalid, opt.Filename, err)
	}
	target := DefaultPlatform
	if opt.Platform != nil {
		target = platforms.Normalize(*opt.Platform)
	}
	build := DefaultPlatform
	if opt.BuildPlatform != nil {
		build = platforms.Normalize(*opt.BuildPlatform)
	}
	cfg := dockerui.Config{
		BuildArgs:       opt.BuildArgs,
		Target:          opt.Target,
		Labels:          opt.Labels,
		TargetPlatforms: []ocispecs.Platform{target},
		BuildPlatforms:  []ocispecs.Platform{build},
	}
	if opt.NetworkNone {
		cfg.NetworkMode = pb.NetMode_NONE
	}
	var resolver = &recordingResolver{inner: opt.Resolver}
	if resolver.inner == nil {
		resolver.inner = StubResolver{}
	}
	convert := dockerfile2llb.ConvertOpt{
		Config:         cfg,
		TargetPlatform: &target,
		MetaResolver:   resolver,
		SourceMap:      llb.NewSourceMap(nil, opt.Filename, "Dockerfile", data),
		LLBCaps:        &llbCaps,
	}
	if len(opt.Locals) > 0 || len(opt.Images) > 0 {
		if convert.Client, err = TranslationClient(opt.Locals, opt.Images, resolver); err != nil {
			return nil, fmt.Errorf("translating %s: %w", opt.Filename, err)
		}
	}
	res, err := dockerfile2llb.Dockerfile2LLB(ctx, data, convert)
	if err != nil {
		if f := resolver.failed(err); f != nil {
			if line(err) == nil {
				// BuildKit gives no line for the image of RUN
				// --mount=from: the instruction that names it has it.
				if n := naming(ast.AST, f.ref); n != nil {
					err = parser.WithLocation(err, n.Location())
				}
			}
			// The resolver names the image itself, better than the
			// frontend's wrapping does.
			return nil, located(nil, opt.Filename, err, f.err)
		}
		return nil, lineErr(ErrInvalid, opt.Filename, err)
	}
	def, err := res.State.Marshal(ctx, llb.Platform(target))
	if err != nil {
		return nil, fmt.Errorf("marshalling the LLB of %s: %w", opt.Filename, err)
	}
	return def, nil
}

// LineError puts the Dockerfile line an error of BuildKit's Dockerfile
// parser or frontend points at in front of it: "FILE:LINE: what". The
// error still matches what err matched.
func LineError(filename string, err error) error { return lineErr(nil, filename, err) }

// lineErr is LineError's error, matching kind too when it is not nil.
func lineErr(kind error, filename string, err error) error {
	return located(kind, filename, err, err)
}

// located is err, matching kind too when it is not nil, read as the
// message of shown (err or an error it wraps) after the line err points
// at.
func located(kind error, filename string, err, shown error) error {
	r := line(err)
	if r == nil {
		return &lineError{kind: kind, err: err, msg: filename + ": " + oneLine(shown, false)}
	}
	return &lineError{kind: kind, err: err, msg: fmt.Sprintf("%s:%d: %s", filename, r.Start.Line, oneLine(shown, true))}
}

// line is the first place of the Dockerfile err points at, nil for none.
// (The frontend gives some errors an empty place.)
func line(err error) *parser.Range {
	var le *parser.LocationError
	if !errors.As(err, &le) {
		return nil
	}
	for _, loc := range le.Locations {
		if len(loc) > 0 {
			return &loc[0]
		}
	}
	return nil
}

type lineError struct {
	msg  string
	err  error
	kind error
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() []error {
	var out []error
	for _, x := range []error{e.kind, e.err} {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// oneLine is the error's message on one line, without the parser's own
// "dockerfile parse error on line N: " when the line is given before it.
func oneLine(err error, lineGiven bool) string {
	s := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	if rest, ok := strings.CutPrefix(s, "dockerfile parse error on line "); ok && lineGiven {
		if _, msg, ok := strings.Cut(rest, ": "); ok {
			return msg
		}
	}
	return s
}

// StubResolver answers every image with its own name, no digest and a
// config of one layer for the platform asked for: enough for the
// Dockerfile frontend to check a Dockerfile and translate it, without a
// registry.
type StubResolver struct{}

func (StubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", StubConfig(opt), nil
}

// StubConfig is StubResolver's config for an image resolved with opt. It
// has a layer (of no files), since the frontend takes an image without
// layers for scratch and leaves it out of the LLB.
func StubConfig(opt sourceresolver.Opt) []byte {
	p := DefaultPlatform
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	// A struct of strings always encodes.
	config, _ := json.Marshal(ocispecs.Image{
		Platform: p,
		RootFS:   ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromBytes(nil)}},
	})
	return config
}

// recordingResolver remembers the errors of the resolver it wraps, so
// that Convert tells them from the frontend's own.
type recordingResolver struct {
	inner    llb.ImageMetaResolver
	mu       sync.Mutex
	failures []failure
}

// failure is an image the resolver did not answer, and why.
type failure struct {
	ref string
	err error
}

func (r *recordingResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	name, d, config, err := r.inner.ResolveImageConfig(ctx, ref, opt)
	if err != nil {
		r.mu.Lock()
		r.failures = append(r.failures, failure{ref: ref, err: err})
		r.mu.Unlock()
	}
	return name, d, config, err
}

// failed returns the failure of the resolver that err is or wraps, nil
// for none.
func (r *recordingResolver) failed(err error) *failure {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.failures {
		if errors.Is(err, r.failures[i].err) {
			return &r.failures[i]
		}
	}
	return nil
}

// naming is the one instruction of the Dockerfile that names the image
// ref, as the resolver was asked for it or as people write it; nil when
// none or several do.
func naming(root *parser.Node, ref string) *parser.Node {
	names := []string{ref}
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		names = append(names, reference.FamiliarString(named), reference.FamiliarString(reference.TrimNamed(named)))
	}
	for _, name := range names {
		var found []*parser.Node
		for _, n := range root.Children {
			if strings.Contains(n.Original, name) {
				found = append(found, n)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	return nil
}
