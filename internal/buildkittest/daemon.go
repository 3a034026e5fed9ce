package buildkittest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Daemon is a running buildkitd with its own socket, state directory and
// configuration, and the loopback registry it pushes to.
type Daemon struct {
	// Addr is the daemon's address for BuildKit clients (unix://...).
	Addr string
	// Registry is the loopback registry's host:port; the daemon talks to it
	// over plain HTTP.
	Registry *Registry
	// Dir holds the socket, the configuration, the state and the log.
	Dir   string
	Tools Tools

	cmd     *exec.Cmd
	waited  chan struct{}
	logPath string

	baseOnce sync.Once
	base     string
	baseErr  error

	frontOnce sync.Once
	front     string
	frontErr  error

	// cleanups run at Close, before the registry stops.
	cleanups []func()
}

// Start starts a registry and a daemon configured to reach it. The caller
// stops both with Close.
func Start(tools Tools) (*Daemon, error) {
	if err := checkPrivileges(); err != nil {
		return nil, err
	}
	// Unix socket paths are limited to about 100 bytes, so not t.TempDir.
	dir, err := os.MkdirTemp("", "buildkittest-")
	if err != nil {
		return nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	d := &Daemon{Dir: dir, Tools: tools, waited: make(chan struct{})}
	d.Registry = NewRegistry()
	d.Addr = "unix://" + filepath.Join(dir, "buildkitd.sock")
	if err := d.start(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Daemon) config() string {
	return fmt.Sprintf(`root = %q

[grpc]
  address = [%q]

[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  gc = false

[worker.containerd]
  enabled = false

[registry.%q]
  http = true
  insecure = true
`, filepath.Join(d.Dir, "root"), d.Addr, d.Registry.Host)
}

func (d *Daemon) start() error {
	cfg := filepath.Join(d.Dir, "buildkitd.toml")
	if err := os.WriteFile(cfg, []byte(d.config()), 0o644); err != nil {
		return fmt.Errorf("writing buildkitd.toml: %w", err)
	}
	d.logPath = filepath.Join(d.Dir, "buildkitd.log")
	logf, err := os.Create(d.logPath)
	if err != nil {
		return fmt.Errorf("creating buildkitd's log: %w", err)
	}
	defer logf.Close()
	d.cmd = exec.Command(d.Tools.Buildkitd, "--config", cfg)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	// buildkitd finds runc on PATH.
	d.cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(d.Tools.Runc)+string(os.PathListSeparator)+os.Getenv("PATH"))
	// Its own process group, so that a signal to the test binary's group
	// (Ctrl-C) does not kill it before Close unmounts its snapshots.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", d.Tools.Buildkitd, err)
	}
	go func() { d.cmd.Wait(); close(d.waited) }()
	return d.waitReady(30 * time.Second)
}

// waitReady polls until the daemon lists its workers.
func (d *Daemon) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	sock := strings.TrimPrefix(d.Addr, "unix://")
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-d.waited:
			return fmt.Errorf("buildkitd exited at start: %s", d.logTail())
		default:
		}
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			out, err := exec.CommandContext(ctx, d.Tools.Buildctl, "--addr", d.Addr, "debug", "workers").CombinedOutput()
			cancel()
			if err == nil && bytes.Contains(out, []byte("linux/amd64")) {
				return nil
			}
			last = fmt.Errorf("buildctl debug workers: %v: %s", err, bytes.TrimSpace(out))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("buildkitd not ready after %s (%v): %s", limit, last, d.logTail())
}

func (d *Daemon) logTail() string {
	b, _ := os.ReadFile(d.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// Log is the daemon's log so far, for test failure messages.
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(d.logPath)
	return string(b)
}

// Close stops the daemon by its process id (SIGTERM, then SIGKILL after ten
// seconds), stops the registry and removes the daemon's directory.
func (d *Daemon) Close() error {
	var errs []error
	if d.cmd != nil && d.cmd.Process != nil {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.waited:
		case <-time.After(10 * time.Second):
			_ = d.cmd.Process.Kill()
			<-d.waited
			errs = append(errs, fmt.Errorf("buildkitd (pid %d) did not stop on SIGTERM", d.cmd.Process.Pid))
		}
	}
	for _, c := range d.cleanups {
		c()
	}
	if d.Registry != nil {
		d.Registry.Close()
	}
	if d.Dir != "" {
		unmountUnder(d.Dir)
		if err := os.RemoveAll(d.Dir); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", d.Dir, err))
		}
	}
	return errors.Join(errs...)
}

// unmountUnder lazily unmounts whatever a killed daemon left mounted under
// dir, so that the directory can be removed.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			points = append(points, f[1])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		_ = syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}

// Buildctl runs buildctl against the daemon and returns its combined output.
func (d *Daemon) Buildctl(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.Tools.Buildctl, append([]string{"--addr", d.Addr}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("buildctl %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

var shared struct {
	mu sync.Mutex
	d  *Daemon
	// err is remembered so that every test of the package reports why the
	// daemon could not start without trying again.
	err error
}

// Shared returns the package's daemon, starting it on first use. The test is
// skipped (or, with CI set, failed) when tools or privileges are missing,
// and failed when the daemon does not start. Main stops it.
func Shared(t testing.TB) *Daemon {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.d == nil && shared.err == nil {
		tools, err := FindTools()
		if err == nil {
			err = checkPrivileges()
		}
		if err == nil {
			shared.d, err = Start(tools)
		}
		shared.err = err
	}
	if err := shared.err; err != nil {
		if errors.Is(err, ErrMissing) {
			unavailable(t, err)
		}
		t.Fatalf("starting BuildKit: %v", err)
	}
	return shared.d
}

// Main runs the package's tests and then stops the shared daemon, if one was
// started. Use it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.d != nil {
		if err := shared.d.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "buildkittest: %v\n", err)
		}
		shared.d = nil
	}
	return code
}
