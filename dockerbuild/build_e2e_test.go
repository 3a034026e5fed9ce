package dockerbuild_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"

	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// The daemon tests of this package share one BuildKit daemon.
func TestMain(m *testing.M) { os.Exit(buildkittest.Main(m)) }

// askedResolver passes every image on to the daemon and remembers what it
// was asked.
type askedResolver struct {
	inner llb.ImageMetaResolver
	mu    sync.Mutex
	asked []string
}

func (r *askedResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.mu.Lock()
	r.asked = append(r.asked, ref)
	r.mu.Unlock()
	return r.inner.ResolveImageConfig(ctx, ref, opt)
}

// TestBuild builds a Dockerfile on a real BuildKit daemon through Build:
// the build arguments, target and labels of the frontend options apply,
// images go through Options.Resolver, NetworkNone leaves a run step only
// the loopback interface, and Options.Check sees the LLB before anything
// runs and can stop the build.
func TestBuild(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	dir := t.TempDir()
	dockerfile := "ARG BASE\nFROM ${BASE} AS final\nARG WORD\nRUN echo \"$WORD\" > /word.txt && cat /proc/net/dev > /net.txt\nFROM final AS other\nRUN exit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := client.New(ctx, d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	build := func(ref string, opt func(gwclient.Client) dockerbuild.Options) error {
		_, err := c.Build(ctx, client.SolveOpt{
			LocalMounts: map[string]fsutil.FS{"context": fs, "dockerfile": fs},
			FrontendAttrs: map[string]string{
				"filename": "Dockerfile", "target": "final", "build-arg:BASE": base, "build-arg:WORD": "hello",
				"label:org.example.team": "builders", "no-cache": "",
			},
			Exports: []client.ExportEntry{{
				Type:  client.ExporterImage,
				Attrs: map[string]string{"name": ref, "push": "true", "registry.insecure": "true"},
			}},
		}, "dockerbuild-test", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
			return dockerbuild.Build(ctx, gc, opt(gc))
		}, nil)
		return err
	}

	var resolver *askedResolver
	var checked []ocispecs.Platform
	ref := d.Registry.Host + "/dockerbuild/app:1"
	err = build(ref, func(gc gwclient.Client) dockerbuild.Options {
		resolver = &askedResolver{inner: gc}
		return dockerbuild.Options{
			Resolver:    resolver,
			NetworkNone: true,
			Check: func(def *llb.Definition, p ocispecs.Platform) error {
				checked = append(checked, p)
				return nil
			},
		}
	})
	if err != nil {
		t.Fatalf("build: %v\ndaemon log:\n%s", err, d.Log())
	}
	if len(resolver.asked) != 1 || !strings.HasPrefix(resolver.asked[0], base) {
		t.Errorf("the resolver was asked %q, want the base %s once", resolver.asked, base)
	}
	if len(checked) != 1 || checked[0].Architecture != "amd64" {
		t.Errorf("Check saw platforms %v, want linux/amd64 once", checked)
	}
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	if word, err := buildkittest.ReadFile(img, "/word.txt"); err != nil || string(word) != "hello\n" {
		t.Errorf("/word.txt = %q, %v", word, err)
	}
	netDev, err := buildkittest.ReadFile(img, "/net.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(netDev), "\n")[2:] {
		if iface, _, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && iface != "lo" {
			t.Errorf("a run step saw network interface %q with NetworkNone", iface)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.Config.Labels["org.example.team"]; got != "builders" {
		t.Errorf("label = %q, want builders", got)
	}

	// A check that refuses: the daemon runs nothing and pushes nothing.
	errRefused := errors.New("refused by the test")
	puts := len(d.Registry.ManifestPuts())
	err = build(d.Registry.Host+"/dockerbuild/refused:1", func(gwclient.Client) dockerbuild.Options {
		return dockerbuild.Options{Check: func(def *llb.Definition, _ ocispecs.Platform) error {
			for _, dt := range def.Def {
				var op pb.Op
				if err := op.UnmarshalVT(dt); err != nil {
					return err
				}
				if op.GetExec() != nil {
					return errRefused
				}
			}
			return nil
		}}
	})
	if err == nil || !strings.Contains(err.Error(), errRefused.Error()) {
		t.Fatalf("build with a refusing check: %v", err)
	}
	if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
		t.Errorf("a refused build pushed %q", got)
	}
}
