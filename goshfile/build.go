package goshfile

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// Keys of the frontend options a build understands; the same keys the
// Dockerfile frontend reads, so buildctl --opt and docker buildx flags
// carry over.
const (
	OptFilename    = "filename"
	OptNoCache     = "no-cache"
	OptPlatform    = "platform"
	OptLabelPrefix = "label:"
)

// ParseFrontendOptions reads build options from the option map a BuildKit
// frontend receives (buildctl --opt KEY=VALUE, docker buildx flags).
// "filename" names the goshfile; "no-cache" present with any value but
// "false" disables the cache; "platform" is one platform such as
// linux/arm64; "label:KEY" adds a label. Other options, such as the
// build-arg:... ones docker buildx always sends, are ignored.
func ParseFrontendOptions(opts map[string]string) (BuildOptions, error) {
	var o BuildOptions
	for k, v := range opts {
		switch {
		case k == OptFilename:
			o.Filename = v
		case k == OptNoCache:
			o.NoCache = v != "false"
		case k == OptPlatform:
			if v == "" {
				continue
			}
			if strings.Contains(v, ",") {
				return BuildOptions{}, fmt.Errorf("goshfile: platform %q: a goshfile builds one platform at a time", v)
			}
			p, err := platforms.Parse(v)
			if err != nil {
				return BuildOptions{}, fmt.Errorf("goshfile: platform %q: %w", v, err)
			}
			p = platforms.Normalize(p)
			o.Platform = &p
		case strings.HasPrefix(k, OptLabelPrefix):
			name := strings.TrimPrefix(k, OptLabelPrefix)
			if name == "" {
				return BuildOptions{}, fmt.Errorf("goshfile: option %q names no label", k)
			}
			if o.Labels == nil {
				o.Labels = map[string]string{}
			}
			o.Labels[name] = v
		}
	}
	return o, nil
}

// FrontendOptions is the option map that ParseFrontendOptions reads back
// into o, for a client that sends a build to the frontend image.
func (o BuildOptions) FrontendOptions() map[string]string {
	m := map[string]string{}
	if o.Filename != "" {
		m[OptFilename] = o.Filename
	}
	if o.NoCache {
		m[OptNoCache] = ""
	}
	if o.Platform != nil {
		m[OptPlatform] = platforms.Format(*o.Platform)
	}
	for k, v := range o.Labels {
		m[OptLabelPrefix+k] = v
	}
	return m
}

// Frontend is the BuildKit frontend: it reads its options from the build
// request and builds. It is a gwclient.BuildFunc, usable both by a frontend
// image's main and by a client's in-process Build.
func Frontend(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
	opt, err := ParseFrontendOptions(c.BuildOpts().Opts)
	if err != nil {
		return nil, err
	}
	return Build(ctx, c, opt)
}

// Build reads the goshfile from the LocalDockerfile local, translates it,
// solves it, and returns the image's root filesystem with its config under
// exptypes.ExporterImageConfigKey, ready for BuildKit's image exporter.
// An invalid goshfile yields an error matching ErrInvalid; a failing step
// yields BuildKit's error when the result is exported.
func Build(ctx context.Context, c gwclient.Client, opt BuildOptions) (*gwclient.Result, error) {
	filename := opt.Filename
	if filename == "" {
		filename = DefaultFilename
	}
	filename = strings.TrimPrefix(path.Clean("/"+filename), "/")
	if filename == "" {
		return nil, fmt.Errorf("goshfile: filename %q names no file", opt.Filename)
	}
	sessionID := c.BuildOpts().SessionID

	data, err := readGoshfile(ctx, c, filename, sessionID)
	if err != nil {
		return nil, err
	}
	f, err := Parse(filename, data)
	if err != nil {
		return nil, err
	}
	st, img, err := Translate(ctx, f, TranslateOptions{
		Resolver:  c,
		Platform:  opt.Platform,
		NoCache:   opt.NoCache,
		Labels:    opt.Labels,
		SessionID: sessionID,
	})
	if err != nil {
		return nil, err
	}
	def, err := st.Marshal(ctx, llb.Platform(img.Platform))
	if err != nil {
		return nil, fmt.Errorf("goshfile: marshaling the build of %s: %w", filename, err)
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("goshfile: building %s: %w", filename, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, fmt.Errorf("goshfile: building %s: %w", filename, err)
	}
	config, err := json.Marshal(img)
	if err != nil {
		return nil, fmt.Errorf("goshfile: encoding the image config: %w", err)
	}
	out := gwclient.NewResult()
	out.SetRef(ref)
	out.AddMeta(exptypes.ExporterImageConfigKey, config)
	return out, nil
}

// readGoshfile fetches the goshfile alone from the client's directory.
func readGoshfile(ctx context.Context, c gwclient.Client, filename, sessionID string) ([]byte, error) {
	opts := []llb.LocalOption{
		llb.FollowPaths([]string{filename}),
		llb.SharedKeyHint(LocalDockerfile + ":" + filename),
		llb.WithCustomName("load goshfile " + filename),
	}
	if sessionID != "" {
		opts = append(opts, llb.SessionID(sessionID))
	}
	def, err := llb.Local(LocalDockerfile, opts...).Marshal(ctx)
	if err != nil {
		return nil, fmt.Errorf("goshfile: loading %s: %w", filename, err)
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("goshfile: loading %s from the %q local: %w", filename, LocalDockerfile, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, fmt.Errorf("goshfile: loading %s: %w", filename, err)
	}
	// One byte over the limit is enough to tell that it is too long.
	data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: filename, Range: &gwclient.FileRange{Length: MaxSize + 1}})
	if err != nil {
		return nil, fmt.Errorf("goshfile: reading %s from the %q local: %w", filename, LocalDockerfile, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("goshfile: %s is %d bytes long; the limit is %d: %w", filename, len(data), MaxSize, ErrInvalid)
	}
	return data, nil
}
