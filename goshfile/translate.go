package goshfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrNoResolver is returned by Translate when the goshfile names a base
// image but no resolver was given to pin it.
var ErrNoResolver = errors.New("goshfile: no image resolver to pin the base image")

// defaultPath is the PATH of an image built from scratch, the one the
// Dockerfile frontend gives such images too.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Translate turns a goshfile into the LLB of the image's root filesystem
// and the image config to export with it.
//
// The base image is resolved through opt.Resolver once, here: the state
// refers to it by digest (name:tag@sha256:...), so the build uses exactly
// the image whose config was read, and its environment, working directory
// and user are in effect for the steps. The returned config starts from the
// base's and applies the goshfile's env, workdir, user, entrypoint, cmd and
// labels, then opt.Labels. Its creation time is left out: BuildKit's image
// exporter then takes the time of the newest layer, so a build whose layers
// all come from the cache yields the same image digest again.
func Translate(ctx context.Context, f *File, opt TranslateOptions) (llb.State, *dockerspec.DockerOCIImage, error) {
	if f == nil {
		return llb.State{}, nil, errors.New("goshfile: translating a nil File")
	}
	platform := DefaultPlatform
	if opt.Platform != nil {
		platform = platforms.Normalize(*opt.Platform)
	}

	st, img, err := base(ctx, f.Image, platform, opt.Resolver)
	if err != nil {
		return llb.State{}, nil, err
	}
	img.Platform = ocispecs.Platform{
		Architecture: platform.Architecture,
		OS:           platform.OS,
		OSVersion:    platform.OSVersion,
		OSFeatures:   platform.OSFeatures,
		Variant:      platform.Variant,
	}
	img.Created = nil
	if img.RootFS.Type == "" {
		img.RootFS.Type = "layers"
	}

	cfg := &img.Config
	for _, e := range f.Env {
		cfg.Env = setEnv(cfg.Env, e.Name, e.Value)
	}
	if f.Workdir != "" {
		cfg.WorkingDir = path.Clean(f.Workdir)
	}
	dir := cfg.WorkingDir
	if dir == "" {
		dir = "/"
	}
	if f.Entrypoint != nil {
		cfg.Entrypoint = f.Entrypoint
		// As in a Dockerfile: the base's command was written for the base's
		// entrypoint, so a new entrypoint drops it.
		cfg.Cmd = nil
	}
	if f.Cmd != nil {
		cfg.Cmd = f.Cmd
	}
	// The image-level user is for the result only: steps keep the base's
	// user, so they can still install software as root.
	stepUser := cfg.User
	if f.User != "" {
		cfg.User = f.User
	}
	if len(f.Labels) > 0 || len(opt.Labels) > 0 {
		labels := make(map[string]string, len(cfg.Labels)+len(f.Labels)+len(opt.Labels))
		for k, v := range cfg.Labels {
			labels[k] = v
		}
		for k, v := range f.Labels {
			labels[k] = v
		}
		for k, v := range opt.Labels {
			labels[k] = v
		}
		cfg.Labels = labels
	}

	// The state carries the environment, directory and user the steps run
	// with; step-level settings are passed to each operation alone.
	st = st.Platform(platform).Dir(dir)
	for _, e := range cfg.Env {
		k, v, _ := strings.Cut(e, "=")
		st = st.AddEnv(k, v)
	}
	if stepUser != "" {
		st = st.User(stepUser)
	}

	var contextState *llb.State
	constraints := func(i int, s Step) []llb.ConstraintsOpt {
		c := []llb.ConstraintsOpt{llb.WithCustomName(stepTitle(i, len(f.Steps), s))}
		if opt.NoCache {
			c = append(c, llb.IgnoreCache)
		}
		return c
	}
	for i, s := range f.Steps {
		stepDir := dir
		switch {
		case path.IsAbs(s.Workdir):
			stepDir = path.Clean(s.Workdir)
		case s.Workdir != "":
			stepDir = path.Join(dir, s.Workdir)
		}
		switch {
		case s.Run != nil:
			ro := []llb.RunOption{
				llb.Args(append(append([]string{}, s.Run.Command...), s.Run.Args...)),
				llb.Dir(stepDir),
			}
			for _, e := range s.Env {
				ro = append(ro, llb.AddEnv(e.Name, e.Value))
			}
			if s.User != "" {
				ro = append(ro, llb.User(s.User))
			}
			for _, m := range s.Run.Cache {
				ro = append(ro, llb.AddMount(m.Target, llb.Scratch(),
					llb.AsPersistentCacheDir(m.ID, sharingMode(m.Sharing))))
			}
			if s.Cargo {
				ro = append(ro, llb.AddMount(CargoMountPoint, cargoLocal(opt.SessionID), llb.Readonly))
			}
			for _, c := range constraints(i, s) {
				ro = append(ro, c)
			}
			if opt.NetworkNone {
				ro = append(ro, llb.Network(llb.NetModeNone))
			}
			st = st.Run(ro...).Root()
		case s.Copy != nil:
			if contextState == nil {
				cs := contextLocal(f, opt.SessionID, opt.ContextExcludes)
				contextState = &cs
			}
			st = st.File(copyAction(*contextState, s.Copy, stepDir), constraints(i, s)...)
		default:
			return llb.State{}, nil, fmt.Errorf("goshfile: step %d has neither run nor copy", i+1)
		}
	}
	return st, img, nil
}

// base returns the state of the base image, pinned by digest, and its
// config.
func base(ctx context.Context, image string, platform ocispecs.Platform, resolver llb.ImageMetaResolver) (llb.State, *dockerspec.DockerOCIImage, error) {
	if image == "scratch" {
		img := &dockerspec.DockerOCIImage{}
		img.Config.Env = []string{"PATH=" + defaultPath}
		return llb.Scratch(), img, nil
	}
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return llb.State{}, nil, fmt.Errorf("goshfile: base image %q: %w", image, err)
	}
	named = reference.TagNameOnly(named)
	if resolver == nil {
		return llb.State{}, nil, ErrNoResolver
	}
	ref := named.String()
	_, dgst, data, err := resolver.ResolveImageConfig(ctx, ref, sourceresolver.Opt{
		LogName:  "resolve image config for " + ref,
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &platform},
	})
	if err != nil {
		return llb.State{}, nil, fmt.Errorf("goshfile: resolving base image %s: %w", ref, err)
	}
	img := &dockerspec.DockerOCIImage{}
	if err := json.Unmarshal(data, img); err != nil {
		return llb.State{}, nil, fmt.Errorf("goshfile: reading the config of base image %s: %w", ref, err)
	}
	pinned := named
	if _, ok := named.(reference.Digested); !ok {
		if dgst == "" {
			return llb.State{}, nil, fmt.Errorf("goshfile: resolving base image %s: the registry gave no digest", ref)
		}
		if pinned, err = reference.WithDigest(named, dgst); err != nil {
			return llb.State{}, nil, fmt.Errorf("goshfile: pinning base image %s to %s: %w", ref, dgst, err)
		}
	}
	return llb.Image(pinned.String(), llb.Platform(platform), llb.WithCustomName("base image "+pinned.String())), img, nil
}

func contextLocal(f *File, sessionID string, excludes []string) llb.State {
	opts := []llb.LocalOption{
		llb.SharedKeyHint(LocalContext),
		llb.WithCustomName("load build context"),
	}
	if sessionID != "" {
		opts = append(opts, llb.SessionID(sessionID))
	}
	if paths := contextPaths(f); paths != nil {
		opts = append(opts, llb.FollowPaths(paths))
	}
	if len(excludes) > 0 {
		opts = append(opts, llb.ExcludePatterns(excludes))
	}
	return llb.Local(LocalContext, opts...)
}

// cargoLocal is the directory of crates prepared for the build.
func cargoLocal(sessionID string) llb.State {
	opts := []llb.LocalOption{llb.WithCustomName("load prepared crates")}
	if sessionID != "" {
		opts = append(opts, llb.SessionID(sessionID))
	}
	return llb.Local(LocalCargo, opts...)
}

// contextPaths lists what copy steps take from the build context, so that
// only those files are sent to BuildKit; nil means the whole context,
// needed when a source is the context itself or holds a wildcard.
func contextPaths(f *File) []string {
	var paths []string
	for _, s := range f.Steps {
		if s.Copy == nil {
			continue
		}
		for _, src := range s.Copy.Src {
			p := strings.TrimPrefix(path.Clean("/"+src), "/")
			if p == "" || strings.ContainsAny(src, `*?[\`) {
				return nil
			}
			paths = append(paths, p)
		}
	}
	return paths
}

func copyAction(from llb.State, c *Copy, dir string) *llb.FileAction {
	dest := c.Dest
	if !path.IsAbs(dest) {
		dest = path.Join(dir, dest)
		if (strings.HasSuffix(c.Dest, "/") || c.Dest == ".") && !strings.HasSuffix(dest, "/") {
			dest += "/"
		}
	}
	if len(c.Src) > 1 && !strings.HasSuffix(dest, "/") {
		dest += "/"
	}
	info := func() *llb.CopyInfo {
		ci := &llb.CopyInfo{
			FollowSymlinks:      true,
			CopyDirContentsOnly: true,
			AllowWildcard:       true,
			CreateDestPath:      true,
		}
		if c.Mode != nil {
			ci.Mode = &llb.ChmodOpt{Mode: os.FileMode(*c.Mode)}
		}
		if c.Chown != "" {
			llb.WithUser(c.Chown).SetCopyOption(ci)
		}
		return ci
	}
	var fa *llb.FileAction
	for _, src := range c.Src {
		src = path.Clean("/" + src)
		if fa == nil {
			fa = llb.Copy(from, src, dest, info())
		} else {
			fa = fa.Copy(from, src, dest, info())
		}
	}
	return fa
}

func sharingMode(s Sharing) llb.CacheMountSharingMode {
	switch s {
	case SharingPrivate:
		return llb.CacheMountPrivate
	case SharingLocked:
		return llb.CacheMountLocked
	}
	return llb.CacheMountShared
}

func stepTitle(i, n int, s Step) string {
	name := s.Name
	if name == "" {
		switch {
		case s.Run != nil:
			name = strings.Join(append(append([]string{}, s.Run.Command...), s.Run.Args...), " ")
		case s.Copy != nil:
			name = "copy " + strings.Join(s.Copy.Src, " ") + " " + s.Copy.Dest
		}
	}
	return fmt.Sprintf("[%d/%d] %s", i+1, n, name)
}

// setEnv sets one variable in a KEY=VALUE list, in place if it is there.
func setEnv(env []string, name, value string) []string {
	for i, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == name {
			out := append([]string{}, env...)
			out[i] = name + "=" + value
			return out
		}
	}
	return append(append([]string{}, env...), name+"="+value)
}
