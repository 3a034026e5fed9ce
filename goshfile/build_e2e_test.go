package goshfile_test

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"

	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// These tests build goshfiles with a real BuildKit daemon and runc (package
// buildkittest), in-process through goshfile.Frontend as sign-cli does, and
// read the pushed images back from the registry.

func TestMain(m *testing.M) { os.Exit(buildkittest.Main(m)) }

// build solves the goshfile in dir (context and goshfile both) with the
// frontend options opts and pushes it as ref; it returns the pushed digest.
func build(t *testing.T, d *buildkittest.Daemon, dir, ref string, opts map[string]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.New(ctx, d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Build(ctx, client.SolveOpt{
		LocalMounts:   map[string]fsutil.FS{goshfile.LocalContext: fs, goshfile.LocalDockerfile: fs},
		FrontendAttrs: opts,
		Exports: []client.ExportEntry{{
			Type:  client.ExporterImage,
			Attrs: map[string]string{"name": ref, "push": "true", "registry.insecure": "true"},
		}},
	}, "goshfile-test", goshfile.Frontend, nil)
	if err != nil {
		return "", err
	}
	return resp.ExporterResponse["containerimage.digest"], nil
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// entries reads the headers and contents of the image's regular files.
func entries(t *testing.T, img v1.Image) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	headers, contents := map[string]*tar.Header{}, map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return headers, contents
		}
		if err != nil {
			t.Fatal(err)
		}
		name := "/" + strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		headers[name] = h
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			contents[name] = string(b)
		}
	}
}

func fetch(t *testing.T, ref, digest string) v1.Image {
	t.Helper()
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	got, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != digest {
		t.Fatalf("%s has digest %s, the build reported %q", ref, got, digest)
	}
	return img
}

func TestBuildEveryField(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"build/app.yaml": `# syntax=unused.example/goshfile-frontend
apiVersion: 1
image: ` + base + `
env:
  GREETING: hello
workdir: /app
user: nobody
entrypoint: ["/bin/sh", "-c"]
cmd: ["cat /app/report"]
labels:
  from-goshfile: "yes"
steps:
  - name: sources
    copy:
      src: [data/one.txt, data/sub]
      dest: ./in/
      chown: "1234:2345"
      mode: "0600"
  - name: report
    workdir: in
    env: {STEP: only-here}
    run:
      command: [/bin/sh, -c]
      args:
        - 'echo "$GREETING $STEP $(pwd) $(id -u)" > /app/report; ls > /app/listing'
  - name: after
    run:
      command: [/bin/sh, -c, 'echo "${STEP:-unset} $(pwd) $(id -u)" > /app/after']
`,
		"data/one.txt":     "one\n",
		"data/sub/two.txt": "two\n",
		"data/unused.txt":  "not copied\n",
	})
	ref := d.Registry.Host + "/every-field:1"
	digest, err := build(t, d, dir, ref, map[string]string{
		"filename":            "build/app.yaml",
		"label:WALLET_PUBLIC": "ab12",
		"label:from-goshfile": "overridden",
	})
	if err != nil {
		t.Fatalf("build: %v\ndaemon log:\n%s", err, d.Log())
	}
	img := fetch(t, ref, digest)
	headers, contents := entries(t, img)
	for name, want := range map[string]string{
		"/app/report":      "hello only-here /app/in 0\n",
		"/app/after":       "unset /app 0\n",
		"/app/listing":     "one.txt\ntwo.txt\n",
		"/app/in/one.txt":  "one\n",
		"/app/in/two.txt":  "two\n",
		"/app/in/none.txt": "",
	} {
		if name == "/app/in/none.txt" {
			if _, ok := contents[name]; ok {
				t.Errorf("%s is in the image", name)
			}
			continue
		}
		if contents[name] != want {
			t.Errorf("%s = %q, want %q", name, contents[name], want)
		}
	}
	for _, name := range []string{"/app/in/one.txt", "/app/in/two.txt"} {
		h := headers[name]
		if h == nil || h.Uid != 1234 || h.Gid != 2345 || h.Mode&0o7777 != 0o600 {
			t.Errorf("%s header %+v, want 1234:2345 mode 0600", name, h)
		}
	}

	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg := cf.Config
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	wantEnv := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello"}
	if !reflect.DeepEqual(cfg.Env, wantEnv) {
		t.Errorf("env %q, want %q", cfg.Env, wantEnv)
	}
	if cfg.WorkingDir != "/app" || cfg.User != "nobody" {
		t.Errorf("workdir %q user %q", cfg.WorkingDir, cfg.User)
	}
	if !reflect.DeepEqual(cfg.Entrypoint, []string{"/bin/sh", "-c"}) || !reflect.DeepEqual(cfg.Cmd, []string{"cat /app/report"}) {
		t.Errorf("entrypoint %q cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	if want := map[string]string{"from-goshfile": "overridden", "WALLET_PUBLIC": "ab12"}; !reflect.DeepEqual(cfg.Labels, want) {
		t.Errorf("labels %v, want %v", cfg.Labels, want)
	}

	// Built again with nothing changed, every step comes from the cache
	// and the pushed image is the same one.
	again, err := build(t, d, dir, d.Registry.Host+"/every-field:2", map[string]string{
		"filename":            "build/app.yaml",
		"label:WALLET_PUBLIC": "ab12",
		"label:from-goshfile": "overridden",
	})
	if err != nil {
		t.Fatal(err)
	}
	if again != digest {
		t.Errorf("cached rebuild pushed %s, first build %s", again, digest)
	}
}

func TestBuildCachesAndNoCache(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	dir := t.TempDir()
	// Each build appends its marker to a cache mount and records what the
	// cache held; the marker changes the step, so the step runs each time.
	goshfileWith := func(marker string) string {
		return "apiVersion: 1\nimage: " + base + "\nsteps:\n" +
			"  - run:\n      command: [/bin/sh, -c, 'echo " + marker + " >> /cache/log; cat /cache/log > /seen; cat /proc/sys/kernel/random/uuid > /stamp']\n" +
			"      cache: [{target: /cache, id: goshfile-e2e-cache, sharing: locked}]\n"
	}
	var seen []string
	for i, marker := range []string{"a", "b"} {
		writeFiles(t, dir, map[string]string{"goshfile.yaml": goshfileWith(marker)})
		ref := d.Registry.Host + "/caches:" + marker
		digest, err := build(t, d, dir, ref, nil)
		if err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		_, contents := entries(t, fetch(t, ref, digest))
		seen = append(seen, contents["/seen"])
	}
	if seen[0] != "a\n" || seen[1] != "a\nb\n" {
		t.Errorf("cache mount held %q then %q, want it kept between builds", seen[0], seen[1])
	}

	// Without the cache the unchanged step runs again: a new stamp.
	ref := d.Registry.Host + "/caches:b"
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	_, before := entries(t, img)
	digest, err := build(t, d, dir, d.Registry.Host+"/caches:nocache", map[string]string{"no-cache": ""})
	if err != nil {
		t.Fatal(err)
	}
	_, after := entries(t, fetch(t, d.Registry.Host+"/caches:nocache", digest))
	if after["/stamp"] == "" || after["/stamp"] == before["/stamp"] {
		t.Errorf("no-cache build stamp %q, cached %q: the step did not run again", after["/stamp"], before["/stamp"])
	}
}

func TestBuildFailures(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	for _, tc := range []struct {
		name, goshfile string
		opts           map[string]string
		want           []string
	}{
		{"failing step", "apiVersion: 1\nimage: " + base + "\nsteps:\n  - name: fails\n    run: {command: [/bin/sh, -c, 'exit 7']}\n",
			nil, []string{"exit code: 7"}},
		{"invalid goshfile", "apiVersion: 1\nimage: " + base + "\nsteps:\n  - run: {command: ls}\n    shell: bash\n",
			nil, []string{"goshfile.yaml:4:20: step 1 command must be a list of strings", `goshfile.yaml:5:5: unknown field "shell"`}},
		{"missing goshfile", "", map[string]string{"filename": "other.yaml"}, []string{"other.yaml"}},
		{"missing base image", "apiVersion: 1\nimage: " + d.Registry.Host + "/no-such-image:1\n",
			nil, []string{"no-such-image:1", "not found"}},
		{"copy of a missing file", "apiVersion: 1\nimage: " + base + "\nsteps:\n  - copy: {src: absent.txt, dest: /}\n",
			nil, []string{"absent.txt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.goshfile != "" {
				writeFiles(t, dir, map[string]string{"goshfile.yaml": tc.goshfile})
			}
			before := len(d.Registry.ManifestPuts())
			_, err := build(t, d, dir, d.Registry.Host+"/failures:1", tc.opts)
			if err == nil {
				t.Fatal("build succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := len(d.Registry.ManifestPuts()); n != before {
				t.Errorf("a failed build pushed %d manifests", n-before)
			}
		})
	}
}

func TestBuildIgnoreFiles(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	goshfileText := "apiVersion: 1\nimage: " + base + "\nsteps:\n  - copy: {src: ., dest: /app}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"no ignore file", map[string]string{"a.txt": "a", "b.tmp": "b"},
			[]string{"/app/a.txt", "/app/b.tmp", "/app/goshfile.yaml"}},
		{".dockerignore of the context", map[string]string{"a.txt": "a", "b.tmp": "b", "sub/c.tmp": "c", "keep.tmp": "k",
			".dockerignore": "# comment\n**/*.tmp\n!keep.tmp\n.dockerignore\ngoshfile.yaml\n"},
			[]string{"/app/a.txt", "/app/keep.tmp"}},
		{"the goshfile's own ignore file wins", map[string]string{"a.txt": "a", "b.tmp": "b",
			".dockerignore": "a.txt\n", "goshfile.yaml.dockerignore": "*.tmp\n*.dockerignore\n.dockerignore\n"},
			[]string{"/app/a.txt", "/app/goshfile.yaml"}},
		{"an empty goshfile ignore file still wins", map[string]string{"a.txt": "a",
			".dockerignore": "a.txt\n", "goshfile.yaml.dockerignore": ""},
			[]string{"/app/.dockerignore", "/app/a.txt", "/app/goshfile.yaml", "/app/goshfile.yaml.dockerignore"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.files["goshfile.yaml"] = goshfileText
			writeFiles(t, dir, tc.files)
			ref := d.Registry.Host + "/ignore:1"
			digest, err := build(t, d, dir, ref, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, contents := entries(t, fetch(t, ref, digest))
			var got []string
			for name := range contents {
				if strings.HasPrefix(name, "/app/") {
					got = append(got, name)
				}
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("copied %q, want %q", got, tc.want)
			}
		})
	}
}
