package goshfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// fixedResolver stands in for a registry's answer about the base image: a
// fixed digest and config, and a record of what was asked.
type fixedResolver struct {
	digest digest.Digest
	config []byte
	err    error

	refs      []string
	platforms []ocispecs.Platform
}

func (r *fixedResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.refs = append(r.refs, ref)
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		r.platforms = append(r.platforms, *opt.ImageOpt.Platform)
	}
	if r.err != nil {
		return "", "", nil, r.err
	}
	return ref, r.digest, r.config, nil
}

var baseDigest = digest.FromString("base image manifest")

func newResolver(t testing.TB, cfg ocispecs.ImageConfig) *fixedResolver {
	t.Helper()
	img := ocispecs.Image{
		Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"},
		Config:   cfg,
		RootFS:   ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromString("layer")}},
		History:  []ocispecs.History{{CreatedBy: "base layer"}},
	}
	data, err := json.Marshal(img)
	if err != nil {
		t.Fatal(err)
	}
	return &fixedResolver{digest: baseDigest, config: data}
}

// bashConfig is the config of a bash image as a registry would give it.
var bashConfig = ocispecs.ImageConfig{
	Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "_BASH_VERSION=5.2"},
	Entrypoint: []string{"docker-entrypoint.sh"},
	Cmd:        []string{"bash"},
	Labels:     map[string]string{"base": "yes", "maintainer": "bash maintainers"},
}

// chain is the marshaled build, read back: the operations from the base
// image to the result, in order, with their metadata.
type chain struct {
	ops  []*pb.Op
	meta []*pb.OpMetadata
	all  map[digest.Digest]*pb.Op
}

func marshal(t *testing.T, st llb.State, platform ocispecs.Platform) *chain {
	t.Helper()
	def, err := st.Marshal(context.Background(), llb.Platform(platform))
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	defPB := def.ToPB()
	c := &chain{all: map[digest.Digest]*pb.Op{}}
	var last *pb.Op
	for _, dt := range defPB.Def {
		op := &pb.Op{}
		if err := op.Unmarshal(dt); err != nil {
			t.Fatalf("reading an op: %v", err)
		}
		c.all[digest.FromBytes(dt)] = op
		last = op
	}
	// The last op only points at the result; walk back along the first
	// input (the root filesystem) to the base.
	for op := last; len(op.Inputs) > 0; {
		d := digest.Digest(op.Inputs[0].Digest)
		op = c.all[d]
		if op == nil {
			t.Fatalf("input %s is not in the definition", d)
		}
		c.ops = append([]*pb.Op{op}, c.ops...)
		c.meta = append([]*pb.OpMetadata{defPB.Metadata[string(d)]}, c.meta...)
	}
	return c
}

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("goshfile.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func envOf(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

func TestTranslateSeedExample(t *testing.T) {
	f := mustParse(t, string(readTestdata(t, "seed.yaml")))
	r := newResolver(t, bashConfig)
	st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: r})
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	if want := []string{"docker.io/library/bash:latest"}; !reflect.DeepEqual(r.refs, want) {
		t.Errorf("resolved %v, want %v", r.refs, want)
	}
	if want := []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}}; !reflect.DeepEqual(r.platforms, want) {
		t.Errorf("resolved for platforms %v, want %v", r.platforms, want)
	}

	c := marshal(t, st, img.Platform)
	if len(c.ops) != 2 {
		t.Fatalf("chain of %d ops, want the base and one run", len(c.ops))
	}
	src := c.ops[0].GetSource()
	if want := "docker-image://docker.io/library/bash:latest@" + baseDigest.String(); src == nil || src.Identifier != want {
		t.Errorf("base = %v, want %s", src, want)
	}
	exec := c.ops[1].GetExec()
	if exec == nil {
		t.Fatalf("step 1 is %T, want an exec", c.ops[1].Op)
	}
	wantArgs := []string{"/usr/local/bin/bash", "-c", `(date +'%s %H:%M:%S %Z'; echo "Hi there") | tee /message.txt`}
	if !reflect.DeepEqual(exec.Meta.Args, wantArgs) {
		t.Errorf("args = %q, want %q", exec.Meta.Args, wantArgs)
	}
	if !reflect.DeepEqual(exec.Meta.Env, bashConfig.Env) {
		t.Errorf("env = %q, want the base's %q", exec.Meta.Env, bashConfig.Env)
	}
	if exec.Meta.Cwd != "/" || exec.Meta.User != "" {
		t.Errorf("cwd %q user %q, want / and the default user", exec.Meta.Cwd, exec.Meta.User)
	}
	if p := c.ops[1].Platform; p == nil || p.OS != "linux" || p.Architecture != "amd64" {
		t.Errorf("run platform = %v, want linux/amd64", p)
	}
	for i, m := range c.meta {
		if m.GetIgnoreCache() {
			t.Errorf("op %d ignores the cache in a cached build", i)
		}
	}
	if got := c.meta[1].GetDescription()["llb.customname"]; got != "[1/1] print date" {
		t.Errorf("step name shown as %q", got)
	}

	// The image keeps the base's config.
	if !reflect.DeepEqual(img.Config.Env, bashConfig.Env) ||
		!reflect.DeepEqual(img.Config.Entrypoint, bashConfig.Entrypoint) ||
		!reflect.DeepEqual(img.Config.Cmd, bashConfig.Cmd) ||
		!reflect.DeepEqual(img.Config.Labels, bashConfig.Labels) {
		t.Errorf("config %+v, want the base's %+v", img.Config.ImageConfig, bashConfig)
	}
	if img.OS != "linux" || img.Architecture != "amd64" || img.Created != nil {
		t.Errorf("platform %s/%s created %v, want linux/amd64 and no time", img.OS, img.Architecture, img.Created)
	}
	if len(img.History) != 1 || img.RootFS.Type != "layers" {
		t.Errorf("history %v rootfs %v, want the base's", img.History, img.RootFS)
	}
}

func TestTranslateEveryField(t *testing.T) {
	f := mustParse(t, string(readTestdata(t, "full.yaml")))
	r := newResolver(t, ocispecs.ImageConfig{
		Env:        []string{"PATH=/go/bin:/usr/bin:/bin", "GOFLAGS=-mod=mod"},
		WorkingDir: "/go",
		User:       "builder",
		Cmd:        []string{"go", "version"},
		Labels:     map[string]string{"maintainer": "base", "from-base": "1"},
	})
	st, img, err := Translate(context.Background(), f, TranslateOptions{
		Resolver:  r,
		Labels:    map[string]string{"WALLET_PUBLIC": "ab12", "maintainer": "signer"},
		SessionID: "session-1",
	})
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	c := marshal(t, st, img.Platform)
	if len(c.ops) != 4 {
		t.Fatalf("chain of %d ops, want base, copy, run, copy", len(c.ops))
	}
	if want := "docker-image://docker.io/library/golang:1.26@" + baseDigest.String(); c.ops[0].GetSource().GetIdentifier() != want {
		t.Errorf("base = %v, want %s", c.ops[0].GetSource(), want)
	}

	// Step 1: three sources into the working directory, owned and
	// permissioned as asked, read from the context local.
	fop := c.ops[1].GetFile()
	if fop == nil || len(fop.Actions) != 3 {
		t.Fatalf("step 1 = %v, want a file op with three copies", c.ops[1])
	}
	for i, src := range []string{"/go.mod", "/go.sum", "/cmd"} {
		cp := fop.Actions[i].GetCopy()
		if cp == nil {
			t.Fatalf("action %d is not a copy", i)
		}
		if cp.Src != src || cp.Dest != "/src/" || cp.Mode != 0o644 || !cp.DirCopyContents || !cp.AllowWildcard || !cp.CreateDestPath {
			t.Errorf("copy %d = %v, want %s to /src/ mode 0644", i, cp, src)
		}
		if u, g := cp.Owner.GetUser().GetByID(), cp.Owner.GetGroup().GetByID(); u != 1000 || g != 1000 {
			t.Errorf("copy %d owner %v, want 1000:1000", i, cp.Owner)
		}
		in := fop.Actions[i].SecondaryInput
		local := c.all[digest.Digest(c.ops[1].Inputs[in].Digest)].GetSource()
		if local.GetIdentifier() != "local://context" {
			t.Errorf("copy %d reads from %v, want the context local", i, local)
		}
		if local.Attrs[pb.AttrLocalSessionID] != "session-1" {
			t.Errorf("context local session %q, want session-1", local.Attrs[pb.AttrLocalSessionID])
		}
		var follow []string
		if err := json.Unmarshal([]byte(local.Attrs[pb.AttrFollowPaths]), &follow); err != nil {
			t.Fatalf("follow paths %q: %v", local.Attrs[pb.AttrFollowPaths], err)
		}
		slices.Sort(follow)
		if want := []string{"cmd", "config/app.yaml", "go.mod", "go.sum"}; !reflect.DeepEqual(follow, want) {
			t.Errorf("context follows %q, want %q", follow, want)
		}
	}

	// Step 2: the run, with step env over image env over base env, the
	// step's directory below the image's, its own user, and two caches.
	exec := c.ops[2].GetExec()
	if exec == nil {
		t.Fatalf("step 2 is %v, want an exec", c.ops[2])
	}
	if want := []string{"go", "build", "-o", "/usr/local/bin/app", "."}; !reflect.DeepEqual(exec.Meta.Args, want) {
		t.Errorf("args %q, want %q", exec.Meta.Args, want)
	}
	wantEnv := map[string]string{"PATH": "/go/bin:/usr/bin:/bin", "GOFLAGS": "-trimpath", "CGO_ENABLED": "0", "GOOS": "linux"}
	if got := envOf(exec.Meta.Env); !reflect.DeepEqual(got, wantEnv) {
		t.Errorf("env %v, want %v", got, wantEnv)
	}
	if exec.Meta.Cwd != "/src/cmd" || exec.Meta.User != "root" {
		t.Errorf("cwd %q user %q, want /src/cmd and root", exec.Meta.Cwd, exec.Meta.User)
	}
	type cache struct {
		target, id string
		sharing    pb.CacheSharingOpt
	}
	var caches []cache
	for _, m := range exec.Mounts {
		if m.MountType == pb.MountType_CACHE {
			caches = append(caches, cache{m.Dest, m.CacheOpt.GetID(), m.CacheOpt.GetSharing()})
		}
	}
	// LLB orders mounts by destination.
	wantCaches := []cache{{"/go/pkg/mod", "/go/pkg/mod", pb.CacheSharingOpt_SHARED}, {"/root/.cache/go-build", "gobuild", pb.CacheSharingOpt_LOCKED}}
	if !reflect.DeepEqual(caches, wantCaches) {
		t.Errorf("caches %v, want %v", caches, wantCaches)
	}

	// Step 3: a relative source into an absolute directory; the base
	// user and the image directory are back after the step's own.
	cp := c.ops[3].GetFile().GetActions()[0].GetCopy()
	if cp == nil || cp.Src != "/config/app.yaml" || cp.Dest != "/etc/app/" || cp.Owner != nil || cp.Mode != -1 {
		t.Errorf("step 3 copy = %v, want /config/app.yaml to /etc/app/ with no owner or mode", cp)
	}

	cfg := img.Config
	if want := []string{"PATH=/go/bin:/usr/bin:/bin", "GOFLAGS=-trimpath", "CGO_ENABLED=0"}; !reflect.DeepEqual(cfg.Env, want) {
		t.Errorf("image env %q, want %q", cfg.Env, want)
	}
	if cfg.WorkingDir != "/src" || cfg.User != "65532:65532" {
		t.Errorf("image workdir %q user %q", cfg.WorkingDir, cfg.User)
	}
	if !reflect.DeepEqual(cfg.Entrypoint, []string{"/usr/local/bin/app"}) || !reflect.DeepEqual(cfg.Cmd, []string{"--help"}) {
		t.Errorf("entrypoint %q cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	wantLabels := map[string]string{
		"from-base":                       "1",
		"maintainer":                      "signer",
		"org.opencontainers.image.source": "https://example.com/app",
		"WALLET_PUBLIC":                   "ab12",
	}
	if !reflect.DeepEqual(cfg.Labels, wantLabels) {
		t.Errorf("labels %v, want %v", cfg.Labels, wantLabels)
	}
}

func TestTranslateStepSettingsStayInTheirStep(t *testing.T) {
	f := mustParse(t, `apiVersion: 1
image: busybox
user: nobody
env: {A: image}
workdir: /w
steps:
  - {env: {A: step, B: step}, workdir: /tmp, user: "0", run: {command: [one]}}
  - run: {command: [two]}
`)
	r := newResolver(t, ocispecs.ImageConfig{Env: []string{"PATH=/bin"}, User: "base", WorkingDir: "/b"})
	st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	c := marshal(t, st, img.Platform)
	one, two := c.ops[1].GetExec().Meta, c.ops[2].GetExec().Meta
	if got := envOf(one.Env); !reflect.DeepEqual(got, map[string]string{"PATH": "/bin", "A": "step", "B": "step"}) || one.Cwd != "/tmp" || one.User != "0" {
		t.Errorf("step 1 env %v cwd %q user %q", got, one.Cwd, one.User)
	}
	// The image-level user is for the result; steps run as the base's.
	if got := envOf(two.Env); !reflect.DeepEqual(got, map[string]string{"PATH": "/bin", "A": "image"}) || two.Cwd != "/w" || two.User != "base" {
		t.Errorf("step 2 env %v cwd %q user %q", got, two.Cwd, two.User)
	}
	if img.Config.User != "nobody" || img.Config.WorkingDir != "/w" {
		t.Errorf("image user %q workdir %q", img.Config.User, img.Config.WorkingDir)
	}
}

func TestTranslateNoCache(t *testing.T) {
	f := mustParse(t, "apiVersion: 1\nimage: busybox\nsteps:\n  - run: {command: [a]}\n  - copy: {src: a, dest: /a}\n  - run: {command: [b]}\n")
	for _, noCache := range []bool{false, true} {
		st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: newResolver(t, bashConfig), NoCache: noCache})
		if err != nil {
			t.Fatal(err)
		}
		c := marshal(t, st, img.Platform)
		if len(c.ops) != 4 {
			t.Fatalf("chain of %d ops, want 4", len(c.ops))
		}
		for i, m := range c.meta[1:] {
			if m.GetIgnoreCache() != noCache {
				t.Errorf("no-cache %v: step %d IgnoreCache = %v", noCache, i+1, m.GetIgnoreCache())
			}
		}
	}
}

func TestTranslateNetworkNone(t *testing.T) {
	f := mustParse(t, "apiVersion: 1\nimage: busybox\nsteps:\n  - run: {command: [a]}\n  - copy: {src: a, dest: /a}\n  - run: {command: [b]}\n")
	for _, none := range []bool{false, true} {
		st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: newResolver(t, bashConfig), NetworkNone: none})
		if err != nil {
			t.Fatal(err)
		}
		runs := 0
		for _, op := range marshal(t, st, img.Platform).ops {
			if e := op.GetExec(); e != nil {
				runs++
				if got := e.GetNetwork() == pb.NetMode_NONE; got != none {
					t.Errorf("NetworkNone %v: a run step has network %v", none, e.GetNetwork())
				}
			}
		}
		if runs != 2 {
			t.Fatalf("%d run steps, want 2", runs)
		}
	}
}

// TestTranslateCargo mounts the prepared crates read-only at /.cargo in
// the run steps that ask for them, and nowhere else.
func TestTranslateCargo(t *testing.T) {
	f := mustParse(t, "apiVersion: 1\nimage: busybox\nsteps:\n  - run: {command: [a]}\n    cargo: true\n  - run: {command: [b]}\n    cargo: false\n  - run: {command: [c]}\n")
	st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: newResolver(t, bashConfig), SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	c := marshal(t, st, img.Platform)
	var got []string
	for _, op := range c.ops {
		e := op.GetExec()
		if e == nil {
			continue
		}
		var mounts []string
		for _, m := range e.Mounts {
			if m.Dest == "/" {
				continue
			}
			src := c.all[digest.Digest(op.Inputs[m.Input].Digest)].GetSource()
			mounts = append(mounts, fmt.Sprintf("%s %s readonly=%v session=%s", m.Dest, src.GetIdentifier(), m.Readonly, src.GetAttrs()[pb.AttrLocalSessionID]))
		}
		got = append(got, e.Meta.Args[0]+": "+strings.Join(mounts, ", "))
	}
	want := []string{"a: /.cargo local://gosh-cargo readonly=true session=s1", "b: ", "c: "}
	if !slices.Equal(got, want) {
		t.Errorf("mounts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTranslatePlatform(t *testing.T) {
	f := mustParse(t, "apiVersion: 1\nimage: busybox\nsteps:\n  - run: {command: [a]}\n")
	r := newResolver(t, bashConfig)
	arm := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: r, Platform: &arm})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.platforms) != 1 || r.platforms[0].Architecture != "arm64" {
		t.Errorf("resolved for %v, want arm64", r.platforms)
	}
	if img.Architecture != "arm64" || img.OS != "linux" {
		t.Errorf("image platform %s/%s", img.OS, img.Architecture)
	}
	c := marshal(t, st, img.Platform)
	for i, op := range c.ops {
		if op.Platform == nil || op.Platform.Architecture != "arm64" {
			t.Errorf("op %d platform %v, want arm64", i, op.Platform)
		}
	}
}

func TestTranslateBase(t *testing.T) {
	pinned := "busybox@sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, image string
		resolver    *fixedResolver
		wantSource  string
		wantErr     error
	}{
		{"tag pinned by digest", "registry.example:5000/team/base:1", newResolver(t, bashConfig),
			"docker-image://registry.example:5000/team/base:1@" + baseDigest.String(), nil},
		{"no tag means latest", "busybox", newResolver(t, bashConfig),
			"docker-image://docker.io/library/busybox:latest@" + baseDigest.String(), nil},
		{"digest kept as written", pinned, newResolver(t, bashConfig),
			"docker-image://docker.io/library/" + pinned, nil},
		{"scratch needs no resolver", "scratch", nil, "", nil},
		{"no resolver", "busybox", nil, "", ErrNoResolver},
		{"registry failure", "busybox", &fixedResolver{err: errors.New("connection refused")}, "", nil},
		{"no digest", "busybox", &fixedResolver{config: []byte("{}")}, "", nil},
		{"config not JSON", "busybox", &fixedResolver{digest: baseDigest, config: []byte("<html>")}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, "apiVersion: 1\nimage: "+tc.image+"\nsteps:\n  - run: {command: [a]}\n")
			opt := TranslateOptions{}
			if tc.resolver != nil {
				opt.Resolver = tc.resolver
			}
			st, img, err := Translate(context.Background(), f, opt)
			if tc.wantSource == "" && tc.image != "scratch" {
				if err == nil {
					t.Fatal("Translate succeeded")
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "goshfile") {
					t.Errorf("error %q does not say what failed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			c := marshal(t, st, img.Platform)
			src := c.ops[0].GetSource()
			if tc.image == "scratch" {
				if len(c.ops) != 1 || c.ops[0].GetExec() == nil {
					t.Errorf("scratch build starts with %v, want the run alone", c.ops[0])
				}
				if !reflect.DeepEqual(img.Config.Env, []string{"PATH=" + defaultPath}) {
					t.Errorf("scratch env %q", img.Config.Env)
				}
				return
			}
			if src.GetIdentifier() != tc.wantSource {
				t.Errorf("base %q, want %q", src.GetIdentifier(), tc.wantSource)
			}
		})
	}
}

func TestTranslateEntrypointDropsBaseCmd(t *testing.T) {
	for _, tc := range []struct {
		src            string
		wantEntrypoint []string
		wantCmd        []string
	}{
		{"", []string{"docker-entrypoint.sh"}, []string{"bash"}},
		{"entrypoint: [/app]\n", []string{"/app"}, nil},
		{"entrypoint: [/app]\ncmd: [-v]\n", []string{"/app"}, []string{"-v"}},
		{"cmd: [sh]\n", []string{"docker-entrypoint.sh"}, []string{"sh"}},
		{"entrypoint: []\n", []string{}, nil},
	} {
		f := mustParse(t, "apiVersion: 1\nimage: bash\n"+tc.src)
		_, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: newResolver(t, bashConfig)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(img.Config.Entrypoint, tc.wantEntrypoint) || !reflect.DeepEqual(img.Config.Cmd, tc.wantCmd) {
			t.Errorf("%q: entrypoint %q cmd %q, want %q %q", tc.src, img.Config.Entrypoint, img.Config.Cmd, tc.wantEntrypoint, tc.wantCmd)
		}
	}
}

func TestTranslateCopyDestinations(t *testing.T) {
	for _, tc := range []struct {
		copy, workdir string
		wantSrc       []string
		wantDest      string
		wantFollow    bool
	}{
		{"{src: a, dest: b}", "", []string{"/a"}, "/b", true},
		{"{src: a, dest: b/}", "/w", []string{"/a"}, "/w/b/", true},
		{"{src: a, dest: .}", "/w", []string{"/a"}, "/w/", true},
		{"{src: a, dest: .}", "", []string{"/a"}, "/", true},
		{"{src: a, dest: ./}", "/", []string{"/a"}, "/", true},
		{"{src: [a, b], dest: ..}", "/w/x", []string{"/a", "/b"}, "/w/", true},
		{"{src: [a, b], dest: /d}", "", []string{"/a", "/b"}, "/d/", true},
		{"{src: ., dest: /app}", "", []string{"/"}, "/app", false},
		{"{src: '*.go', dest: /app/}", "", []string{"/*.go"}, "/app/", false},
		{"{src: /abs/x, dest: /x}", "", []string{"/abs/x"}, "/x", true},
	} {
		src := "apiVersion: 1\nimage: scratch\n"
		if tc.workdir != "" {
			src += "workdir: " + tc.workdir + "\n"
		}
		f := mustParse(t, src+"steps:\n  - copy: "+tc.copy+"\n")
		st, img, err := Translate(context.Background(), f, TranslateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c := marshal(t, st, img.Platform)
		// On scratch the copy has no root input: the chain back from the
		// result is the copy and the context local.
		var fop *pb.FileOp
		for _, op := range c.all {
			if op.GetFile() != nil {
				fop = op.GetFile()
			}
		}
		if fop == nil {
			t.Fatalf("%s: no file op", tc.copy)
		}
		var srcs []string
		for _, a := range fop.GetActions() {
			srcs = append(srcs, a.GetCopy().Src)
			if a.GetCopy().Dest != tc.wantDest {
				t.Errorf("%s: dest %q, want %q", tc.copy, a.GetCopy().Dest, tc.wantDest)
			}
		}
		if !reflect.DeepEqual(srcs, tc.wantSrc) {
			t.Errorf("%s: sources %q, want %q", tc.copy, srcs, tc.wantSrc)
		}
		var local *pb.SourceOp
		for _, op := range c.all {
			if s := op.GetSource(); s != nil {
				local = s
			}
		}
		if _, follows := local.GetAttrs()[pb.AttrFollowPaths]; follows != tc.wantFollow {
			t.Errorf("%s: context local follows paths: %v, want %v", tc.copy, follows, tc.wantFollow)
		}
	}
}

func TestTranslateWithoutCopiesSendsNoContext(t *testing.T) {
	f := mustParse(t, string(readTestdata(t, "seed.yaml")))
	st, img, err := Translate(context.Background(), f, TranslateOptions{Resolver: newResolver(t, bashConfig)})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range marshal(t, st, img.Platform).all {
		if strings.HasPrefix(op.GetSource().GetIdentifier(), "local://") {
			t.Errorf("build reads local %s, but has no copy step", op.GetSource().GetIdentifier())
		}
	}
}

func TestTranslateContextExcludes(t *testing.T) {
	f := mustParse(t, "apiVersion: 1\nimage: scratch\nsteps:\n  - copy: {src: ., dest: /app}\n")
	for _, excludes := range [][]string{nil, {".git", "**/*.tmp", "!keep.tmp"}} {
		st, img, err := Translate(context.Background(), f, TranslateOptions{ContextExcludes: excludes})
		if err != nil {
			t.Fatal(err)
		}
		var local *pb.SourceOp
		for _, op := range marshal(t, st, img.Platform).all {
			if s := op.GetSource(); s != nil {
				local = s
			}
		}
		attr, ok := local.GetAttrs()[pb.AttrExcludePatterns]
		if excludes == nil {
			if ok {
				t.Errorf("context local excludes %s, want nothing", attr)
			}
			continue
		}
		var got []string
		if err := json.Unmarshal([]byte(attr), &got); err != nil {
			t.Fatalf("exclude patterns %q: %v", attr, err)
		}
		if !reflect.DeepEqual(got, excludes) {
			t.Errorf("context local excludes %q, want %q", got, excludes)
		}
	}
}
