package sbom_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	"github.com/tonistiigi/fsutil"

	"github.com/gosh-sh/sign-cli/internal/buildkittest"
	"github.com/gosh-sh/sign-cli/sbom"
)

// The daemon tests of this package share one BuildKit daemon.
func TestMain(m *testing.M) { os.Exit(buildkittest.Main(m)) }

// TestSourcePolicyOnDaemon sends LLB straight to a real BuildKit daemon,
// past every check of sign-cli, with a lock's source policy: the daemon
// itself runs what the SBOM pins and refuses any other source.
func TestSourcePolicyOnDaemon(t *testing.T) {
	d := buildkittest.Shared(t)
	push := func(marker string) string {
		ref, err := d.Registry.PushImage("policy/base:1", []buildkittest.File{{Path: "/" + marker, Data: []byte(marker)}}, v1.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	tag := push("pinned")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	doc, err := sbom.Generate(ctx, sbom.Options{
		Filename: "Dockerfile",
		Data:     []byte("FROM " + tag + "\n"),
		Name:     "app",
		Resolver: &sbom.RegistryResolver{},
	})
	if err != nil {
		t.Fatal(err)
	}
	lock, err := sbom.NewLock(doc)
	if err != nil {
		t.Fatal(err)
	}
	pin, err := lock.Pin(tag, sbom.DefaultPlatform)
	if err != nil {
		t.Fatal(err)
	}
	pinned := tag + "@" + pin.String()
	push("moved") // the tag moves after the SBOM was made
	moved, err := buildkittest.Image(tag)
	if err != nil {
		t.Fatal(err)
	}
	movedDigest, err := moved.Digest()
	if err != nil {
		t.Fatal(err)
	}
	home, err := fsutil.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	c, err := client.New(ctx, d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tests := []struct {
		name string
		st   llb.State
		ok   bool
	}{
		{"the pinned image", llb.Image(pinned).File(llb.Mkfile("/f", 0o644, []byte("x"))), true},
		{"the tag, now another image", llb.Image(tag), false},
		{"the moved tag's digest", llb.Image(tag + "@" + movedDigest.String()), false},
		{"a URL", llb.HTTP("http://" + d.Registry.Host + "/v2/"), false},
		{"a URL with a checksum", llb.HTTP("http://"+d.Registry.Host+"/v2/", llb.Checksum(digest.FromString("{}"))), false},
		{"a git repository", llb.Git("http://"+d.Registry.Host+"/repo.git", "main"), false},
		{"another local", llb.Local("home"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, err := tt.st.Marshal(ctx, llb.LinuxAmd64)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Solve(ctx, def, client.SolveOpt{
				SourcePolicy: lock.SourcePolicy(sbom.BuildLocals...),
				LocalMounts:  map[string]fsutil.FS{"home": home},
			}, nil)
			if tt.ok {
				if err != nil {
					t.Fatalf("the daemon refused the pinned source: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "denied by policy") {
				t.Fatalf("Solve = %v, want the source denied by policy", err)
			}
		})
	}
}
