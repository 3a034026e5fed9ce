package goshfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/patternmatcher/ignorefile"
)

// Keys of the frontend options a build understands; the same keys the
// Dockerfile frontend reads, so buildctl --opt and docker buildx flags
// carry over.
const (
	OptFilename    = "filename"
	OptNoCache     = "no-cache"
	OptPlatform    = "platform"
	OptLabelPrefix = "label:"
	// OptWalletPublic is the seed commands' way of naming the signer:
	// --opt wallet_public=KEY sets the WALLET_PUBLIC label.
	OptWalletPublic = "wallet_public"
)

// walletPublicLabel is the label that names the signer's public key.
const walletPublicLabel = "WALLET_PUBLIC"

// secretWords mark an option that carries a secret: build options are kept
// in the build's records (image history, provenance attestations, the
// daemon's logs), so one is refused whatever its value.
var secretWords = []string{"secret", "private", "mnemonic", "phrase", "seed", "password", "token"}

// ParseFrontendOptions reads build options from the option map a BuildKit
// frontend receives (buildctl --opt KEY=VALUE, docker buildx flags).
// "filename" names the goshfile; "no-cache" present with any value but
// "false" disables the cache; "platform" is one platform such as
// linux/arm64; "label:KEY" adds a label; "wallet_public" sets the
// WALLET_PUBLIC label. An option whose name says it carries a secret is
// refused. Other options, such as the
// build-arg:... ones docker buildx always sends, are ignored.
func ParseFrontendOptions(opts map[string]string) (BuildOptions, error) {
	var o BuildOptions
	setLabel := func(name, v string) error {
		if old, ok := o.Labels[name]; ok && old != v {
			return fmt.Errorf("goshfile: label %s is given twice, with different values", name)
		}
		if o.Labels == nil {
			o.Labels = map[string]string{}
		}
		o.Labels[name] = v
		return nil
	}
	for k, v := range opts {
		lower := strings.ToLower(k)
		for _, w := range secretWords {
			if strings.Contains(lower, w) {
				return BuildOptions{}, fmt.Errorf("goshfile: option %q looks like it carries a secret, and build options are kept in the build's records (image history, provenance, the daemon's logs); give the build only the signer's public key (%s)", k, OptWalletPublic)
			}
		}
		switch {
		case k == OptWalletPublic:
			key := strings.TrimPrefix(strings.TrimSpace(v), "0x")
			if len(key) != 64 || strings.Trim(strings.ToLower(key), "0123456789abcdef") != "" {
				return BuildOptions{}, fmt.Errorf("goshfile: option %s: expected the signer's public key, 64 hex characters", OptWalletPublic)
			}
			if err := setLabel(walletPublicLabel, strings.ToLower(key)); err != nil {
				return BuildOptions{}, err
			}
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
			if err := setLabel(name, v); err != nil {
				return BuildOptions{}, err
			}
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

	data, ignore, ownIgnore, err := readGoshfile(ctx, c, filename, sessionID)
	if err != nil {
		return nil, err
	}
	f, err := Parse(filename, data)
	if err != nil {
		return nil, err
	}
	var excludes []string
	if hasCopy(f) {
		if !ownIgnore {
			if ignore, err = readContextIgnore(ctx, c, sessionID); err != nil {
				return nil, err
			}
		}
		if excludes, err = ignorefile.ReadAll(bytes.NewReader(ignore)); err != nil {
			return nil, fmt.Errorf("goshfile: reading the .dockerignore patterns: %w", err)
		}
	}
	var resolver llb.ImageMetaResolver = c
	if opt.Resolver != nil {
		resolver = opt.Resolver
	}
	st, img, err := Translate(ctx, f, TranslateOptions{
		Resolver:        resolver,
		NetworkNone:     opt.NetworkNone,
		Platform:        opt.Platform,
		NoCache:         opt.NoCache,
		Labels:          opt.Labels,
		SessionID:       sessionID,
		ContextExcludes: excludes,
	})
	if err != nil {
		return nil, err
	}
	def, err := st.Marshal(ctx, llb.Platform(img.Platform))
	if err != nil {
		return nil, fmt.Errorf("goshfile: marshaling the build of %s: %w", filename, err)
	}
	if opt.Check != nil {
		if err := opt.Check(def, img.Platform); err != nil {
			return nil, err
		}
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

// ignoreSuffix makes the name of a goshfile's own ignore file: the files of
// the build context that match the patterns of goshfile.yaml.dockerignore,
// next to the goshfile, or else of .dockerignore at the root of the
// context, are left out of it. Both are the Dockerfile frontend's rules.
const ignoreSuffix = ".dockerignore"

// readGoshfile fetches the goshfile and its own ignore file, if there is
// one, from the client's directory.
func readGoshfile(ctx context.Context, c gwclient.Client, filename, sessionID string) (data, ignore []byte, ownIgnore bool, err error) {
	ref, err := loadLocal(ctx, c, LocalDockerfile, []string{filename, filename + ignoreSuffix}, sessionID, "load goshfile "+filename)
	if err != nil {
		return nil, nil, false, fmt.Errorf("goshfile: loading %s from the %q local: %w", filename, LocalDockerfile, err)
	}
	if data, err = readLimited(ctx, ref, filename); err != nil {
		return nil, nil, false, fmt.Errorf("goshfile: reading %s from the %q local: %w", filename, LocalDockerfile, err)
	}
	if _, err := ref.StatFile(ctx, gwclient.StatRequest{Path: filename + ignoreSuffix}); err == nil {
		if ignore, err = readLimited(ctx, ref, filename+ignoreSuffix); err != nil {
			return nil, nil, false, fmt.Errorf("goshfile: reading %s: %w", filename+ignoreSuffix, err)
		}
		ownIgnore = true
	}
	return data, ignore, ownIgnore, nil
}

// readContextIgnore returns the build context's .dockerignore, empty when
// there is none.
func readContextIgnore(ctx context.Context, c gwclient.Client, sessionID string) ([]byte, error) {
	const name = ".dockerignore"
	ref, err := loadLocal(ctx, c, LocalContext, []string{name}, sessionID, "load "+name)
	if err != nil {
		return nil, fmt.Errorf("goshfile: loading %s from the %q local: %w", name, LocalContext, err)
	}
	if _, err := ref.StatFile(ctx, gwclient.StatRequest{Path: name}); err != nil {
		return []byte{}, nil
	}
	data, err := readLimited(ctx, ref, name)
	if err != nil {
		return nil, fmt.Errorf("goshfile: reading %s of the build context: %w", name, err)
	}
	return data, nil
}

// loadLocal solves a local directory holding only the given paths.
func loadLocal(ctx context.Context, c gwclient.Client, local string, paths []string, sessionID, title string) (gwclient.Reference, error) {
	opts := []llb.LocalOption{
		llb.FollowPaths(paths),
		llb.SharedKeyHint(local + ":" + strings.Join(paths, ",")),
		llb.WithCustomName(title),
	}
	if sessionID != "" {
		opts = append(opts, llb.SessionID(sessionID))
	}
	def, err := llb.Local(local, opts...).Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, err
	}
	return res.SingleRef()
}

// readLimited reads a file of at most MaxSize bytes.
func readLimited(ctx context.Context, ref gwclient.Reference, name string) ([]byte, error) {
	// One byte over the limit is enough to tell that it is too long.
	data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: name, Range: &gwclient.FileRange{Length: MaxSize + 1}})
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s is longer than %d bytes: %w", name, MaxSize, ErrInvalid)
	}
	return data, nil
}

func hasCopy(f *File) bool {
	for _, s := range f.Steps {
		if s.Copy != nil {
			return true
		}
	}
	return false
}
