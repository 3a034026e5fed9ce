package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := Write(path, []byte("one"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two"), 0o600, false); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second write without overwrite: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Fatalf("existing file changed to %q", b)
	}
	if err := Write(path, []byte("three"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "three" || st.Mode().Perm() != 0o644 {
		t.Fatalf("overwrite gave %q mode %v", b, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil, 0o600, false); err == nil {
		t.Fatal("wrote into a missing directory")
	}
}

// TestWriteNeverReplacesNonRegular: overwrite replaces a regular file and
// nothing else, so that --force cannot turn a device, a directory, a FIFO or
// a link into a file holding a secret.
func TestWriteNeverReplacesNonRegular(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{link, fifo, sub, "/dev/null"} {
		before, _ := os.Lstat(path)
		if err := Write(path, []byte("secret"), 0o600, true); !errors.Is(err, ErrNotRegular) {
			t.Errorf("overwriting %s: %v, want ErrNotRegular", path, err)
		}
		after, err := os.Lstat(path)
		if err != nil || after.Mode() != before.Mode() {
			t.Errorf("%s changed from %v to %v (%v)", path, before.Mode(), after.Mode(), err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "kept" {
		t.Fatalf("the link's target now holds %q", b)
	}
}

// TestWriteRemovesStaleTemporaries: a writer killed between creating its
// temporary file and renaming it leaves the file behind; the next write of
// the same path removes it, and leaves a live writer's alone.
func TestWriteRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("no process to outlive: %v", err)
	}
	dead := filepath.Join(dir, tempPrefix("state.json", cmd.Process.Pid)+"123.tmp")
	live := filepath.Join(dir, tempPrefix("state.json", 1)+"456.tmp") // init never exits
	other := filepath.Join(dir, tempPrefix("other.json", cmd.Process.Pid)+"789.tmp")
	for _, p := range []string{dead, live, other} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(path, []byte("{}"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{dead: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
