package buildkittest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRepositoryDockerfile builds the repository's Dockerfile with
// BuildKit's own Dockerfile frontend, both targets, with a stand-in for
// Docker Hub's golang image, and then uses what it built: the sign-cli
// image runs sign-cli, and the frontend image builds a goshfile.
func TestRepositoryDockerfile(t *testing.T) {
	// Both images are compiled from scratch inside the build: minutes on
	// two cores. CI always runs it.
	if os.Getenv("CI") == "" && os.Getenv("SIGN_CLI_TEST_DOCKERFILE") == "" {
		t.Skip("skipping the build of the repository's Dockerfile (several minutes); set SIGN_CLI_TEST_DOCKERFILE=1 (or CI=1) to run it")
	}
	if testing.Short() {
		t.Skip("skipping the build of the repository's Dockerfile in -short mode")
	}
	d := Shared(t)
	base := d.BaseImage(t)
	golang := d.GolangImage(t)
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	build := func(t *testing.T, dir, out string, opts ...string) string {
		t.Helper()
		args := []string{"build", "--progress", "plain", "--frontend", "dockerfile.v0",
			"--local", "context=" + dir, "--local", "dockerfile=" + dir,
			"--output", "type=image,name=" + out + ",push=true,registry.insecure=true"}
		for _, o := range opts {
			args = append(args, "--opt", o)
		}
		start := time.Now()
		log, err := d.Buildctl(ctx, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		t.Logf("built %s in %s", out, time.Since(start))
		return log
	}
	golangCtx := "context:golang:1.26=docker-image://" + golang

	images := map[string]string{}
	for _, target := range []string{"goshfile-frontend", "sign-cli"} {
		images[target] = d.Registry.Host + "/dockerfile/" + target + ":test"
		build(t, root, images[target], "target="+target, golangCtx)
	}

	t.Run("sign-cli", func(t *testing.T) {
		img, err := Image(images["sign-cli"])
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cf.Config.Entrypoint, " "); got != "/usr/local/bin/sign-cli" || cf.Config.User != "65532:65532" {
			t.Errorf("entrypoint %q user %q", got, cf.Config.User)
		}
		for _, p := range []string{"/etc/ssl/certs/ca-certificates.crt", "/usr/local/bin/sign-cli", "/etc/passwd"} {
			if _, err := ReadFile(img, p); err != nil {
				t.Errorf("sign-cli image: %v", err)
			}
		}
		if _, err := ReadFile(img, "/bin/sh"); err == nil {
			t.Error("sign-cli image has a shell; want only the static binary")
		}
		// The static binary runs on its own, as the image's user.
		dir := t.TempDir()
		df := "FROM " + images["sign-cli"] + "\nRUN [\"/usr/local/bin/sign-cli\", \"version\"]\nRUN [\"/usr/local/bin/sign-cli\", \"keygen\", \"--out\", \"/tmp/key.json\"]\n"
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		log := build(t, dir, d.Registry.Host+"/dockerfile/uses-sign-cli:test", "no-cache=")
		// The plain display prefixes a process's output with its step and
		// time: "#6 0.052 sign-cli devel".
		if !regexp.MustCompile(`(?m)^#\d+ \d+\.\d+ sign-cli devel$`).MatchString(log) {
			t.Errorf("sign-cli version printed nothing:\n%s", log)
		}
	})

	t.Run("goshfile-frontend", func(t *testing.T) {
		dir := t.TempDir()
		goshfile := "apiVersion: 1\nimage: " + base + "\nsteps:\n  - name: hello\n    run:\n      command: [\"/bin/bash\"]\n      args: [\"-c\", \"echo built by the frontend image > /message.txt\"]\n"
		if err := os.WriteFile(filepath.Join(dir, "goshfile.yaml"), []byte(goshfile), 0o644); err != nil {
			t.Fatal(err)
		}
		out := d.Registry.Host + "/dockerfile/built-by-frontend:test"
		if log, err := d.Buildctl(ctx, "build", "--frontend", "gateway.v0", "--opt", "source="+images["goshfile-frontend"],
			"--local", "context="+dir, "--local", "dockerfile="+dir,
			"--output", "type=image,name="+out+",push=true,registry.insecure=true"); err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		img, err := Image(out)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := ReadFile(img, "/message.txt")
		if err != nil || !bytes.Equal(msg, []byte("built by the frontend image\n")) {
			t.Fatalf("/message.txt = %q, %v", msg, err)
		}
	})
}
