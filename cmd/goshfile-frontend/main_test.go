package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// The frontend's image, built from this command, run by a real BuildKit
// daemon: through gateway.v0 with its options, and through a "# syntax="
// line read by the Dockerfile frontend.

func TestMain(m *testing.M) { os.Exit(buildkittest.Main(m)) }

func TestFrontendImage(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	frontend := d.FrontendImage(t)

	for _, tc := range []struct {
		name string
		args func(dir string) []string
	}{
		{"gateway.v0 with source", func(dir string) []string {
			return []string{"--frontend", "gateway.v0", "--opt", "source=" + frontend,
				"--local", "context=" + dir, "--local", "dockerfile=" + filepath.Join(dir, "build")}
		}},
		{"syntax line", func(dir string) []string {
			return []string{"--frontend", "dockerfile.v0",
				"--local", "context=" + dir, "--local", "dockerfile=" + filepath.Join(dir, "build")}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "build"), 0o755); err != nil {
				t.Fatal(err)
			}
			goshfile := "# syntax=" + frontend + "\napiVersion: 1\nimage: " + base + "\n" +
				"labels: {kind: test}\ncmd: [cat, /out/hello.txt]\nsteps:\n" +
				"  - {name: add, copy: {src: hello.txt, dest: /out/}}\n" +
				"  - {name: append, run: {command: [/bin/sh, -c, 'echo built >> /out/hello.txt']}}\n"
			for name, content := range map[string]string{"build/app.yaml": goshfile, "hello.txt": "hello\n"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ref := d.Registry.Host + "/frontend-test:" + strings.ReplaceAll(tc.name, " ", "-")
			meta := filepath.Join(t.TempDir(), "meta.json")
			args := append([]string{"build"}, tc.args(dir)...)
			args = append(args, "--opt", "filename=app.yaml", "--opt", "label:WALLET_PUBLIC=ab12",
				"--output", "type=image,name="+ref+",push=true,registry.insecure=true",
				"--metadata-file", meta)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if out, err := d.Buildctl(ctx, args...); err != nil {
				t.Fatalf("%v\n%s\ndaemon log:\n%s", err, out, d.Log())
			}

			var m map[string]any
			b, err := os.ReadFile(meta)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			img, err := buildkittest.Image(ref)
			if err != nil {
				t.Fatal(err)
			}
			dg, err := img.Digest()
			if err != nil {
				t.Fatal(err)
			}
			if m["containerimage.digest"] != dg.String() {
				t.Errorf("metadata digest %v, pushed %s", m["containerimage.digest"], dg)
			}
			got, err := buildkittest.ReadFile(img, "/out/hello.txt")
			if err != nil || string(got) != "hello\nbuilt\n" {
				t.Errorf("/out/hello.txt = %q, %v; want the copied file with the step's line", got, err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"kind": "test", "WALLET_PUBLIC": "ab12"}; !reflect.DeepEqual(cf.Config.Labels, want) {
				t.Errorf("labels %v, want %v", cf.Config.Labels, want)
			}
			if want := []string{"cat", "/out/hello.txt"}; !reflect.DeepEqual(cf.Config.Cmd, want) {
				t.Errorf("cmd %q, want %q", cf.Config.Cmd, want)
			}
		})
	}
}

func TestFrontendReportsGoshfileErrors(t *testing.T) {
	d := buildkittest.Shared(t)
	frontend := d.FrontendImage(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "goshfile.yaml"), []byte("apiVersion: 1\nimage: busybox\nstep: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := d.Buildctl(ctx, "build", "--frontend", "gateway.v0", "--opt", "source="+frontend,
		"--local", "context="+dir, "--local", "dockerfile="+dir)
	if err == nil {
		t.Fatalf("build of an invalid goshfile succeeded:\n%s", out)
	}
	if want := `goshfile.yaml:3:1: unknown field "step" in the goshfile (did you mean "steps"?)`; !strings.Contains(out, want) {
		t.Errorf("buildctl said:\n%s\nwant %q", out, want)
	}
}
