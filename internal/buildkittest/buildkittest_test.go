package buildkittest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestLayerRoundTrip(t *testing.T) {
	files := []File{
		{Path: "/bin", Dir: true},
		{Path: "/bin/tool", Mode: 0o755, Data: []byte("#!/bin/sh\n")},
		{Path: "/bin/alias", Link: "tool"},
		{Path: "/etc/motd", Data: []byte("hello\n")},
	}
	reg := NewRegistry()
	defer reg.Close()
	ref, err := reg.PushImage("layer:test", files, v1.Config{Env: []string{"A=b"}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || len(cf.Config.Env) != 1 {
		t.Fatalf("config %+v", cf)
	}
	tests := []struct {
		path    string
		want    string
		wantErr error
	}{
		{"/etc/motd", "hello\n", nil},
		{"bin/tool", "#!/bin/sh\n", nil},
		{"/etc/missing", "", ErrNoFile},
	}
	for _, tt := range tests {
		got, err := ReadFile(img, tt.path)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ReadFile(%s) error %v, want %v", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
	if _, err := ReadFile(img, "/bin/alias"); err == nil || errors.Is(err, ErrNoFile) {
		t.Errorf("ReadFile of a symbolic link: %v, want a not-a-regular-file error", err)
	}
}

// TestDaemon checks the whole harness with BuildKit's built-in Dockerfile
// frontend: a RUN step under runc in the base image, pushed to the registry,
// with the digest the daemon reports.
func TestDaemon(t *testing.T) {
	d := Shared(t)
	base := d.BaseImage(t)
	dir := t.TempDir()
	df := "FROM " + base + "\nRUN bash -c 'echo \"$BASH_VERSION\" > /version.txt' && ls /bin/sh\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, "meta.json")
	out := d.Registry.Host + "/harness:1"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if log, err := d.Buildctl(ctx, "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir,
		"--output", "type=image,name="+out+",push=true,registry.insecure=true",
		"--metadata-file", meta); err != nil {
		t.Fatalf("%v\n%s\ndaemon log:\n%s", err, log, d.Log())
	}
	t.Logf("build took %s", time.Since(start))
	var m map[string]any
	b, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	dg, _ := m["containerimage.digest"].(string)
	img, err := Image(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != dg {
		t.Fatalf("pushed digest %s, metadata says %q", got, dg)
	}
	v, err := ReadFile(img, "/version.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(v), "5.") {
		t.Fatalf("/version.txt = %q, want a bash 5 version", v)
	}
	if Shared(t) != d {
		t.Fatal("Shared started a second daemon")
	}
}
