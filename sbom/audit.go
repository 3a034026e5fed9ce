package sbom

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// AuditOptions say what a locked build may read besides the SBOM's
// images.
type AuditOptions struct {
	// Locals are the names of the local directories the build may read
	// (BuildKit's "context" and "dockerfile").
	Locals []string
	// AllowSecrets lets run steps mount secrets or take them as
	// environment variables. A secret is not content of the image, but a
	// step can make the image depend on it.
	AllowSecrets bool
}

// Audit checks the LLB of a build locked to l, before it is solved. Every
// source must be an image pinned by digest to the digest the SBOM pins for
// its platform, or one of opt.Locals; every run step runs without a
// network, with no SSH agent, no cache mount (its content comes from
// earlier builds), no secret unless opt.AllowSecrets, and not insecure;
// and nothing is fetched by URL or from git. platform is the one the
// build's ops are for when they do not say.
//
// Each problem is an error that wraps ErrNotLocked and, when the LLB has a
// source map (a Dockerfile's), names its line: "Dockerfile:7: ...". They
// are joined in the order of their lines.
func (l *Lock) Audit(def *llb.Definition, platform ocispecs.Platform, opt AuditOptions) error {
	if def == nil {
		return fmt.Errorf("%w: no LLB to audit", ErrInvalid)
	}
	type problem struct {
		file string
		line int32
		msg  string
	}
	ops := make([]*pb.Op, len(def.Def))
	digests := make([]digest.Digest, len(def.Def))
	for i, dt := range def.Def {
		ops[i] = &pb.Op{}
		if err := ops[i].UnmarshalVT(dt); err != nil {
			return fmt.Errorf("reading the build's LLB: %w", err)
		}
		digests[i] = digest.FromBytes(dt)
	}
	locs := opLocations(def, ops, digests)
	var problems []problem
	for i, op := range ops {
		p := problem{}
		if loc, ok := locs[digests[i]]; ok {
			p.file, p.line = loc.file, loc.line
		}
		for _, msg := range l.auditOp(op, platform, opt) {
			p.msg = msg
			problems = append(problems, p)
		}
	}
	slices.SortStableFunc(problems, func(a, b problem) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line))
	})
	errs := make([]error, 0, len(problems))
	for _, p := range problems {
		msg := p.msg
		if p.file != "" {
			msg = fmt.Sprintf("%s:%d: %s", p.file, p.line, msg)
		}
		errs = append(errs, &kindError{kind: ErrNotLocked, err: errors.New(msg)})
	}
	return errors.Join(errs...)
}

// location is a file and line of the source map.
type location struct {
	file string
	line int32
}

// opLocations are the file and first line the source map gives each op.
// An op it gives none (the source of ADD's URL) takes those of an op that
// reads it, the instruction it is for.
func opLocations(def *llb.Definition, ops []*pb.Op, digests []digest.Digest) map[digest.Digest]location {
	out := map[digest.Digest]location{}
	if def.Source == nil {
		return out
	}
	infos := def.Source.Infos
	for _, d := range digests {
		for _, loc := range def.Source.Locations[d.String()].GetLocations() {
			if j := loc.SourceIndex; j >= 0 && int(j) < len(infos) && len(loc.Ranges) > 0 {
				out[d] = location{file: infos[j].Filename, line: loc.Ranges[0].Start.Line}
				break
			}
		}
	}
	// Definitions list an op's inputs before it, so going backwards hands
	// a location down any chain of ops without one.
	for i := len(ops) - 1; i >= 0; i-- {
		loc, ok := out[digests[i]]
		if !ok {
			continue
		}
		for _, in := range ops[i].Inputs {
			if _, has := out[digest.Digest(in.Digest)]; !has {
				out[digest.Digest(in.Digest)] = loc
			}
		}
	}
	return out
}

func (l *Lock) auditOp(op *pb.Op, platform ocispecs.Platform, opt AuditOptions) []string {
	if p := op.GetPlatform(); p != nil {
		platform = ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
	}
	switch {
	case op.GetSource() != nil:
		if msg := l.auditSource(op.GetSource().Identifier, op.GetSource().Attrs, platform, opt); msg != "" {
			return []string{msg}
		}
	case op.GetExec() != nil:
		return auditExec(op.GetExec(), opt)
	case op.GetBuild() != nil:
		return []string{"a nested build (BuildOp), whose sources a locked build cannot see"}
	}
	return nil
}

func (l *Lock) auditSource(id string, attrs map[string]string, platform ocispecs.Platform, opt AuditOptions) string {
	scheme, rest, _ := strings.Cut(id, "://")
	switch scheme {
	case "docker-image":
		named, err := reference.ParseNormalizedNamed(rest)
		if err != nil {
			return fmt.Sprintf("image %q: %v", rest, err)
		}
		if _, ok := named.(reference.Canonical); !ok {
			return fmt.Sprintf("image %s is not pinned by digest", rest)
		}
		if _, err := l.Pin(rest, platform); err != nil {
			if errors.Is(err, ErrNotLocked) {
				return fmt.Sprintf("image %s is not pinned to that digest for %s by the SBOM", rest, platforms.FormatAll(platforms.Normalize(platform)))
			}
			return err.Error()
		}
		return ""
	case "local":
		if slices.Contains(opt.Locals, rest) {
			return ""
		}
		return fmt.Sprintf("local directory %q, which is not the build's context", rest)
	case "http", "https":
		if attrs[pb.AttrHTTPChecksum] == "" {
			return fmt.Sprintf("ADD %s is not pinned by a checksum, and a locked build reads only the SBOM's images and the build context", id)
		}
		return fmt.Sprintf("ADD %s: a locked build reads only the SBOM's images and the build context", id)
	case "git":
		return fmt.Sprintf("git repository %s: a locked build reads only the SBOM's images and the build context", rest)
	}
	return fmt.Sprintf("source %s: a locked build reads only the SBOM's images and the build context", id)
}

func auditExec(e *pb.ExecOp, opt AuditOptions) []string {
	var msgs []string
	switch e.Network {
	case pb.NetMode_NONE:
	case pb.NetMode_HOST:
		msgs = append(msgs, "RUN --network=host: a locked build runs every step with no network")
	default:
		msgs = append(msgs, "a run step with a network: a locked build runs every step with none")
	}
	if e.Security == pb.SecurityMode_INSECURE {
		msgs = append(msgs, "RUN --security=insecure: a locked build runs every step sandboxed")
	}
	for _, m := range e.Mounts {
		switch m.MountType {
		case pb.MountType_CACHE:
			msgs = append(msgs, fmt.Sprintf("cache mount at %s: its content comes from earlier builds, not from the SBOM", m.Dest))
		case pb.MountType_SSH:
			msgs = append(msgs, fmt.Sprintf("SSH agent mount at %s: a locked build reaches no other host", m.Dest))
		case pb.MountType_SECRET:
			if !opt.AllowSecrets {
				msgs = append(msgs, fmt.Sprintf("secret mount at %s, which this locked build does not allow", m.Dest))
			}
		}
	}
	if len(e.Secretenv) > 0 && !opt.AllowSecrets {
		msgs = append(msgs, fmt.Sprintf("secret environment variable %s, which this locked build does not allow", e.Secretenv[0].Name))
	}
	return msgs
}
