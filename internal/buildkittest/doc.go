// Package buildkittest runs end-to-end build tests against a real BuildKit
// daemon, the way net/http/httptest runs them against a real HTTP server.
//
// A test package starts at most one daemon (buildkitd with runc, a unique
// socket, state directory and configuration) and one in-memory registry on
// loopback, which the daemon reaches over plain HTTP; both are started by
// the first test that asks for them and stopped when the package's tests
// end:
//
//	func TestMain(m *testing.M) { os.Exit(buildkittest.Main(m)) }
//
//	func TestBuild(t *testing.T) {
//		d := buildkittest.Shared(t)         // skips without buildkitd and runc
//		base := d.BaseImage(t)              // busybox and bash, linux/amd64
//		...
//	}
//
// The daemon needs root (runc), buildkitd, buildctl and runc, and the base
// image needs Debian's busybox-static and bash-static. Without them a test
// is skipped with a message saying how to get them (`CI=1 make ci-deps` as
// root); when the CI environment variable is set it fails instead, so a
// missing tool never passes silently.
package buildkittest
