package sbom

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	spb "github.com/moby/buildkit/sourcepolicy/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/gosh-sh/sign-cli/dockerbuild"
)

var (
	amd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
)

// lockOf is the lock of the SBOM of a Dockerfile whose images r holds.
func lockOf(tb testing.TB, r *testRegistry, dockerfile string) *Lock {
	tb.Helper()
	doc, err := r.generate(tb, "Dockerfile", dockerfile, nil)
	if err != nil {
		tb.Fatal(err)
	}
	lock, err := NewLock(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return lock
}

// testLock is the lock of lockDockerfile's SBOM, with the digest it pins
// base:1 to.
func testLock(t *testing.T) (*testRegistry, *Lock, digest.Digest) {
	t.Helper()
	r := lockRegistry(t)
	lock := lockOf(t, r, lockDockerfile)
	pinned, err := lock.Pin(r.host+"/base:1", amd64)
	if err != nil {
		t.Fatal(err)
	}
	return r, lock, pinned
}

// TestAudit audits hand-made LLB: each construct a locked build forbids is
// refused, on its own, and what it allows passes.
func TestAudit(t *testing.T) {
	r, lock, pinned := testLock(t)
	base := r.host + "/base:1@" + pinned.String()
	other := digest.FromString("another image")
	none := llb.Network(pb.NetMode_NONE)
	run := func(opts ...llb.RunOption) llb.State {
		return llb.Image(base).Run(append([]llb.RunOption{llb.Shlex("true")}, opts...)...).Root()
	}
	tests := []struct {
		name    string
		st      llb.State
		secrets bool
		want    string // a fragment of the error; empty: none
	}{
		{"pinned image, context and files", run(none, llb.AddMount("/src", llb.Local("context"), llb.Readonly)).File(llb.Mkdir("/x", 0o755)), false, ""},
		{"scratch", llb.Scratch().File(llb.Copy(llb.Local("dockerfile"), "/a", "/a")), false, ""},
		{"image by tag", llb.Image(r.host + "/base:1"), false, "base:1 is not pinned by digest"},
		{"image by another digest", llb.Image(r.host + "/base:1@" + other.String()), false, "is not pinned to that digest for linux/amd64"},
		{"image the SBOM lacks", llb.Image(r.host + "/other:1@" + pinned.String()), false, "other:1@"},
		{"pinned image for another platform", llb.Image(base, llb.Platform(arm64)), false, "for linux/arm64"},
		{"http", llb.HTTP("https://example.com/x"), false, "ADD https://example.com/x is not pinned by a checksum"},
		{"http with a checksum", llb.HTTP("https://example.com/x", llb.Checksum(other)), false, "ADD https://example.com/x: a locked build reads only"},
		{"git", llb.Git("https://example.com/repo.git", "main"), false, "git repository"},
		{"another local", llb.Local("home"), false, `local directory "home"`},
		{"oci layout", llb.OCILayout("store@" + pinned.String()), false, "source oci-layout://"},
		{"network host", run(llb.Network(pb.NetMode_HOST)), false, "RUN --network=host"},
		{"default network", run(), false, "a run step with a network"},
		{"insecure", run(none, llb.Security(pb.SecurityMode_INSECURE)), false, "--security=insecure"},
		{"cache mount", run(none, llb.AddMount("/cache", llb.Scratch(), llb.AsPersistentCacheDir("c", llb.CacheMountShared))), false, "cache mount at /cache"},
		{"ssh", run(none, llb.AddSSHSocket()), false, "SSH agent mount"},
		{"secret", run(none, llb.AddSecret("/run/secrets/token")), false, "secret mount at /run/secrets/token"},
		{"secret allowed", run(none, llb.AddSecret("/run/secrets/token")), true, ""},
		{"secret env", run(none, llb.AddSecretWithDest("token", nil, llb.SecretAsEnvName("TOKEN"))), false, "secret environment variable TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, err := tt.st.Marshal(context.Background(), llb.Platform(amd64))
			if err != nil {
				t.Fatal(err)
			}
			err = lock.Audit(def, amd64, AuditOptions{Locals: BuildLocals, AllowSecrets: tt.secrets})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Audit = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNotLocked) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Audit = %v, want ErrNotLocked", err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("Audit = %q, want one problem mentioning %q", err, tt.want)
			}
		})
	}
}

// TestCheckDockerfile checks Dockerfiles against a lock without a daemon
// or registry: every image source, every run step and every fetch, each
// refusal at its line.
func TestCheckDockerfile(t *testing.T) {
	r, lock, _ := testLock(t)
	tests := []struct {
		name       string
		dockerfile string
		args       map[string]string
		target     string
		platform   *ocispecs.Platform
		want       []string // the errors' lines in order, as fragments; none: accepted
	}{
		{"the SBOM's own build", lockDockerfile, nil, "", nil, nil},
		{"a stage the target does not reach", "FROM REG/unknown:1 AS extra\n" + lockDockerfile, nil, "", nil, nil},
		{"ARG in FROM", "ARG B=REG/base:1\nFROM $B\nRUN true\n", nil, "", nil, nil},
		{"ARG in FROM set to another image", "ARG B=REG/base:1\nFROM $B\n", map[string]string{"B": "REG/base:2"}, "", nil,
			[]string{"Dockerfile:2: image REG/base:2 is not pinned for linux/amd64 by the SBOM"}},
		{"FROM the SBOM lacks", "FROM REG/base:1 AS a\n\nFROM REG/base:2\n", nil, "", nil, []string{"Dockerfile:3: image REG/base:2 is not pinned"}},
		{"target stage", "FROM REG/base:1 AS a\nFROM REG/base:2 AS b\n", nil, "a", nil, nil},
		{"COPY --from an image the SBOM lacks", "FROM REG/base:1\nCOPY --from=REG/data:2 /x /x\n", nil, "", nil, []string{"Dockerfile:2: image REG/data:2 is not pinned"}},
		{"RUN --mount=from an image the SBOM lacks", "FROM REG/base:1\nRUN --mount=from=REG/tool:2,target=/t true\n", nil, "", nil, []string{"Dockerfile:2: image REG/tool:2 is not pinned"}},
		{"another platform", "FROM REG/base:1\n", nil, "", &arm64, []string{"Dockerfile:1: image REG/base:1 is not pinned for linux/arm64"}},
		{"RUN --network=host", "FROM REG/base:1\nRUN --network=host true\n", nil, "", nil, []string{"Dockerfile:2: RUN --network=host"}},
		{"ADD of a URL", "FROM REG/base:1\nADD https://example.com/x /x\n", nil, "", nil, []string{"Dockerfile:2: ADD https://example.com/x is not pinned by a checksum"}},
		{"ADD of a URL with a checksum", "FROM REG/base:1\nADD --checksum=sha256:" + strings.Repeat("a", 64) + " https://example.com/x /x\n", nil, "", nil, []string{"Dockerfile:2: ADD https://example.com/x: a locked build"}},
		{"ADD of a git repository", "FROM REG/base:1\nADD https://example.com/repo.git#main /src\n", nil, "", nil, []string{"Dockerfile:2: git repository"}},
		{"cache mount", "FROM REG/base:1\nRUN --mount=type=cache,target=/c true\n", nil, "", nil, []string{"Dockerfile:2: cache mount at /c"}},
		{"SSH mount", "FROM REG/base:1\nRUN --mount=type=ssh true\n", nil, "", nil, []string{"Dockerfile:2: SSH agent mount"}},
		{"secret mount", "FROM REG/base:1\nRUN --mount=type=secret,id=token true\n", nil, "", nil, []string{"Dockerfile:2: secret mount"}},
		{"problems in line order", "FROM REG/base:1\nRUN --mount=type=cache,target=/c true\nRUN --network=host true\n", nil, "", nil,
			[]string{"Dockerfile:2: cache mount", "Dockerfile:3: RUN --network=host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]string{}
			for k, v := range tt.args {
				args[k] = strings.ReplaceAll(v, "REG", r.host)
			}
			err := lock.CheckDockerfile(context.Background(), []byte(strings.ReplaceAll(tt.dockerfile, "REG", r.host)), dockerbuild.ConvertOptions{
				Filename:  "Dockerfile",
				BuildArgs: args,
				Target:    tt.target,
				Platform:  tt.platform,
			}, AuditOptions{})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckDockerfile = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNotLocked) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckDockerfile = %v, want ErrNotLocked", err)
			}
			lines := strings.Split(strings.ReplaceAll(err.Error(), r.host, "REG"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("CheckDockerfile = %q, want %d problems", lines, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d = %q, want it to start %q", i, lines[i], w)
				}
			}
		})
	}
}

// TestSourcePolicy: the policy denies everything, then allows exactly the
// pinned images by digest and the locals, so that BuildKit's last-match
// rule leaves only those.
func TestSourcePolicy(t *testing.T) {
	r, lock, pinned := testLock(t)
	pol := lock.SourcePolicy(BuildLocals...)
	if len(pol.Rules) == 0 || pol.Rules[0].Action != spb.PolicyAction_DENY || pol.Rules[0].Selector.Identifier != "*" {
		t.Fatalf("first rule %v, want deny *", pol.Rules[0])
	}
	var allowed []string
	for _, rule := range pol.Rules[1:] {
		if rule.Action != spb.PolicyAction_ALLOW || rule.Selector.MatchType != spb.MatchType_EXACT {
			t.Errorf("rule %v, want an exact allow", rule)
		}
		allowed = append(allowed, strings.ReplaceAll(rule.Selector.Identifier, r.host, "REG"))
	}
	if len(allowed) != 6 || allowed[3] != "local://context" || allowed[4] != "local://dockerfile" || allowed[5] != "local://gosh-cargo" {
		t.Fatalf("allowed %q, want three images and three locals (the context, the build file's directory, the prepared crates)", allowed)
	}
	if want := "docker-image://REG/base:1@" + pinned.String(); allowed[0] != want {
		t.Errorf("allowed %q first, want %q", allowed[0], want)
	}
	for _, a := range allowed[:3] {
		if !strings.HasPrefix(a, "docker-image://REG/") || !strings.Contains(a, ":1@sha256:") {
			t.Errorf("allowed %q, want an image by tag and digest", a)
		}
	}
}
