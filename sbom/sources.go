package sbom

import (
	"context"
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// imageSource is an image the LLB of a build reads.
type imageSource struct {
	ref      reference.Named // as the frontend pinned it: name[:tag]@manifest
	manifest digest.Digest
	platform ocispecs.Platform
	// base is set for the image the result's root filesystem starts from.
	base bool
}

// graph is a marshalled LLB definition, indexed by op digest.
type graph struct {
	ops map[digest.Digest]*pb.Op
	end *pb.Input
}

// imageSources lists the images st reads, marking the one its root
// filesystem descends from. Reading the LLB rather than the build file
// means only what the build really uses counts: stages the target does not
// reach are left out, and images are named as the frontend pinned them.
func imageSources(ctx context.Context, st llb.State, platform ocispecs.Platform) ([]imageSource, error) {
	def, err := st.Marshal(ctx, llb.Platform(platform))
	if err != nil {
		return nil, invalidf("marshalling the build: %v", err)
	}
	g := graph{ops: map[digest.Digest]*pb.Op{}}
	for _, dt := range def.Def {
		op := &pb.Op{}
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("reading the build's LLB: %w", err)
		}
		g.ops[digest.FromBytes(dt)] = op
		// The last op is the terminal one, with the result as its input.
		if op.Op == nil && len(op.Inputs) == 1 {
			g.end = op.Inputs[0]
		}
	}
	var srcs []imageSource
	for _, op := range g.ops {
		src := op.GetSource()
		if src == nil {
			continue
		}
		id, ok := strings.CutPrefix(src.Identifier, "docker-image://")
		if !ok {
			continue
		}
		s, err := parseImageSource(id, op.GetPlatform(), platform)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, s)
	}
	if base := g.baseSource(); base != nil {
		id := strings.TrimPrefix(base.Identifier, "docker-image://")
		for i := range srcs {
			if srcs[i].ref.String() == id {
				srcs[i].base = true
			}
		}
	}
	return srcs, nil
}

func parseImageSource(id string, p *pb.Platform, def ocispecs.Platform) (imageSource, error) {
	named, err := reference.ParseNormalizedNamed(id)
	if err != nil {
		return imageSource{}, invalidf("image %q in the build: %v", id, err)
	}
	d, ok := named.(reference.Digested)
	if !ok {
		return imageSource{}, fmt.Errorf("%w: image %s in the build is not pinned by digest", ErrResolve, id)
	}
	s := imageSource{ref: named, manifest: d.Digest(), platform: def}
	if p != nil {
		s.platform = ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
	}
	return s, nil
}

// baseSource follows the result's root filesystem back through the ops
// that change it (runs, file operations, merges) to the source it starts
// from; nil when that is scratch or not an image.
func (g graph) baseSource() *pb.SourceOp {
	in := g.end
	for steps := 0; in != nil && steps <= len(g.ops); steps++ {
		op := g.ops[digest.Digest(in.Digest)]
		if op == nil {
			return nil
		}
		switch {
		case op.GetSource() != nil:
			return op.GetSource()
		case op.GetExec() != nil:
			in = execInput(op, in.Index)
		case op.GetFile() != nil:
			in = fileInput(op, in.Index)
		case op.GetMerge() != nil:
			in = indexInput(op, firstMergeInput(op.GetMerge()))
		case op.GetDiff() != nil && op.GetDiff().GetLower() != nil:
			in = indexInput(op, op.GetDiff().GetLower().GetInput())
		default:
			return nil
		}
	}
	return nil
}

// execInput is the input of the mount that produces output index.
func execInput(op *pb.Op, index int64) *pb.Input {
	for _, m := range op.GetExec().GetMounts() {
		if m.GetOutput() == index && m.GetOutput() >= 0 {
			return indexInput(op, m.GetInput())
		}
	}
	return nil
}

// fileInput follows the chain of file actions that produces output index
// to the op input it starts from. An action's input below the number of
// op inputs is one of them; above, the result of an earlier action.
func fileInput(op *pb.Op, index int64) *pb.Input {
	actions := op.GetFile().GetActions()
	var a *pb.FileAction
	for _, c := range actions {
		if c.GetOutput() == index {
			a = c
			break
		}
	}
	n := int64(len(op.Inputs))
	for steps := 0; a != nil && steps <= len(actions); steps++ {
		in := a.GetInput()
		if in < n {
			return indexInput(op, in)
		}
		if in-n >= int64(len(actions)) {
			return nil
		}
		a = actions[in-n]
	}
	return nil
}

func firstMergeInput(m *pb.MergeOp) int64 {
	if len(m.GetInputs()) == 0 {
		return -1
	}
	return m.GetInputs()[0].GetInput()
}

// indexInput is op's input i, nil for scratch (-1) or out of range.
func indexInput(op *pb.Op, i int64) *pb.Input {
	if i < 0 || i >= int64(len(op.Inputs)) {
		return nil
	}
	return op.Inputs[i]
}
