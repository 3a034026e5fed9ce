//go:build !lean

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/internal/depcheck"
)

// buildOnly are the module prefixes that only the build commands need; a
// lean sign-cli links none of them.
var buildOnly = []string{
	"github.com/moby/buildkit/",
	"google.golang.org/grpc",
	"go.opentelemetry.io/",
	"github.com/distribution/reference",
	"github.com/containerd/",
	"github.com/gosh-sh/sign-cli/sbom",
	"github.com/gosh-sh/sign-cli/goshfile",
	"github.com/gosh-sh/sign-cli/dockerbuild",
	"github.com/gosh-sh/sign-cli/anytree",
}

func TestLeanLinksNoBuildCode(t *testing.T) {
	g := depcheck.Load(t, ".", "lean")
	for p := range g {
		for _, prefix := range buildOnly {
			if strings.HasPrefix(p, prefix) && p != "github.com/gosh-sh/sign-cli/sbom/spdxdoc" {
				t.Errorf("sign-cli -tags lean links %s, imported by %s", p, strings.Join(g.Importers(p), ", "))
			}
		}
	}
	for _, p := range testOnly {
		if _, ok := g[p]; ok {
			t.Errorf("sign-cli -tags lean links %s", p)
		}
	}
}

// leanBinaries builds a lean sign-cli and sign-cli-build into a directory,
// as make build does.
func leanBinaries(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, b := range []struct{ name, tags string }{{"sign-cli", "lean"}, {companionName, ""}} {
		cmd := exec.Command("go", "build", "-tags", b.tags, "-o", filepath.Join(dir, b.name), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build -tags %q: %v\n%s", b.tags, err, out)
		}
	}
	return dir
}

// runBinary runs bin with args and an environment of only env, and
// returns its output and exit code.
func runBinary(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", bin, err)
	}
	return out.String(), errb.String(), code
}

func TestLeanRunsBuildCommandsThroughCompanion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := leanBinaries(t)
	lean := filepath.Join(dir, "sign-cli")
	env := []string{"PATH=/nonexistent", "HOME=" + t.TempDir()}

	tests := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		wantOut  string // in standard output
		wantErr  string // in standard error
	}{
		// --locked is a flag only sign-cli-build knows: its help is shown.
		{name: "flag help", args: []string{"build-and-sign", "--help"}, wantOut: "--locked"},
		{name: "help command", args: []string{"help", "build-and-sign"}, wantOut: "--locked"},
		{name: "global flag first", args: []string{"-q", "build-and-sign", "--help"}, wantOut: "--locked"},
		{name: "sbom generate help", args: []string{"sbom", "generate", "--help"}, wantOut: "--build-arg"},
		{name: "anytree help", args: []string{"anytree", "build", "--help"}, wantOut: "REPO_URL#COMMIT"},
		// Shell completion of the flags only sign-cli-build knows.
		{name: "completion", args: []string{"__complete", "build-and-sign", "--lo"}, wantOut: "--locked\t"},
		// Bad input is sign-cli-build's, with its message and exit code.
		{name: "bad input", args: []string{"build-and-sign", "--no-such-flag"}, wantCode: 2, wantErr: "sign-cli: unknown flag: --no-such-flag"},
		{name: "sbom verify without sbom", args: []string{"sbom", "verify", "."}, wantCode: 2, wantErr: "--sbom"},
		// SIGN_CLI_BUILD names the companion; a wrong name is one line.
		{name: "override", args: []string{"sbom", "generate", "--help"}, env: []string{companionEnv + "=" + filepath.Join(dir, companionName)}, wantOut: "--build-arg"},
		{name: "override missing", args: []string{"build-and-sign", "--help"}, env: []string{companionEnv + "=" + filepath.Join(dir, "nothing")}, wantCode: 2, wantErr: "sign-cli: " + companionEnv + "="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runBinary(t, lean, append(env, tt.env...), tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("sign-cli %s: exit %d, stdout %q, stderr %q; want exit %d, %q in stdout, %q in stderr",
					strings.Join(tt.args, " "), code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
			}
			if tt.args[0] != "__complete" && strings.Count(errOut, "\n") > 1 {
				t.Errorf("more than one line on standard error: %q", errOut)
			}
		})
	}

	t.Run("on PATH", func(t *testing.T) {
		alone := filepath.Join(t.TempDir(), "sign-cli")
		copyFile(t, lean, alone)
		out, _, code := runBinary(t, alone, []string{"PATH=" + dir}, "build-and-sign", "--help")
		if code != 0 || !strings.Contains(out, "--locked") {
			t.Fatalf("exit %d, stdout %q", code, out)
		}
	})

	t.Run("missing", func(t *testing.T) {
		alone := filepath.Join(t.TempDir(), "sign-cli")
		copyFile(t, lean, alone)
		for _, args := range [][]string{{"build-and-sign", "."}, {"help", "anytree"}} {
			_, errOut, code := runBinary(t, alone, env, args...)
			want := "sign-cli: " + companionName + " not found at " + filepath.Join(filepath.Dir(alone), companionName) + " or on PATH"
			if !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("sign-cli %s: stderr %q, want one line starting %q", strings.Join(args, " "), errOut, want)
			}
			if args[0] != "help" && code != 2 {
				t.Errorf("sign-cli %s: exit %d, want 2", strings.Join(args, " "), code)
			}
		}
		// What the lean binary does itself needs no companion.
		for _, args := range [][]string{{"sbom", "show", "--help"}, {"check", "--help"}, {"version"}} {
			if out, errOut, code := runBinary(t, alone, env, args...); code != 0 || errOut != "" || out == "" {
				t.Errorf("sign-cli %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out, errOut)
			}
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}
