package goshfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mode(m uint32) *uint32 { return &m }

func TestParseValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want *File
	}{{
		name: "seed example",
		src:  string(readTestdata(t, "seed.yaml")),
		want: &File{
			APIVersion: 1,
			Image:      "bash:latest",
			ImagePos:   Position{Line: 4, Column: 8},
			Steps: []Step{{
				Name: "print date",
				Pos:  Position{Line: 6, Column: 5},
				Run: &Run{
					Command: []string{"/usr/local/bin/bash"},
					Args:    []string{"-c", `(date +'%s %H:%M:%S %Z'; echo "Hi there") | tee /message.txt`},
				},
			}},
		},
	}, {
		name: "every field",
		src:  string(readTestdata(t, "full.yaml")),
		want: &File{
			APIVersion: 1,
			Image:      "golang:1.26",
			ImagePos:   Position{Line: 3, Column: 8},
			Env:        []EnvVar{{"CGO_ENABLED", "0"}, {"GOFLAGS", "-trimpath"}},
			Workdir:    "/src",
			User:       "65532:65532",
			Entrypoint: []string{"/usr/local/bin/app"},
			Cmd:        []string{"--help"},
			Labels: map[string]string{
				"org.opencontainers.image.source": "https://example.com/app",
				"maintainer":                      "ops@example.com",
			},
			Steps: []Step{{
				Name: "sources",
				Pos:  Position{Line: 15, Column: 5},
				Copy: &Copy{Src: []string{"go.mod", "go.sum", "./cmd"}, Dest: "./", Chown: "1000:1000", Mode: mode(0o644)},
			}, {
				Name:    "build",
				Pos:     Position{Line: 21, Column: 5},
				Workdir: "cmd",
				Env:     []EnvVar{{"GOOS", "linux"}},
				User:    "root",
				Run: &Run{
					Command: []string{"go"},
					Args:    []string{"build", "-o", "/usr/local/bin/app", "."},
					Cache: []CacheMount{
						{Target: "/root/.cache/go-build", ID: "gobuild", Sharing: SharingLocked},
						{Target: "/go/pkg/mod", ID: "/go/pkg/mod", Sharing: SharingShared},
					},
				},
			}, {
				Pos:  Position{Line: 34, Column: 5},
				Copy: &Copy{Src: []string{"config/app.yaml"}, Dest: "/etc/app/"},
			}},
		},
	}, {
		name: "scratch with no steps",
		src:  "apiVersion: 1\nimage: scratch\n",
		want: &File{APIVersion: 1, Image: "scratch", ImagePos: Position{Line: 2, Column: 8}},
	}, {
		name: "empty steps, digest-pinned base, numbers and booleans taken as text",
		src: "apiVersion: 1\nimage: alpine@sha256:" + strings.Repeat("ab", 32) + "\n" +
			"env: {N: 1, B: true, F: 1.5, E: ''}\nuser: 1000\nsteps: []\n",
		want: &File{APIVersion: 1, Image: "alpine@sha256:" + strings.Repeat("ab", 32), ImagePos: Position{Line: 2, Column: 8},
			Env: []EnvVar{{"N", "1"}, {"B", "true"}, {"F", "1.5"}, {"E", ""}}, User: "1000", Steps: []Step{}},
	}, {
		name: "aliases, octal mode written as a YAML number, flow style",
		src: `apiVersion: 1
image: busybox
steps:
  - {name: a, run: {command: &sh [/bin/sh, -c], args: ["echo a"]}}
  - {name: b, run: {command: *sh, args: ["echo b"]}}
  - {copy: {src: ., dest: /app, mode: 0755}}
`,
		want: &File{APIVersion: 1, Image: "busybox", ImagePos: Position{Line: 2, Column: 8}, Steps: []Step{
			{Name: "a", Pos: Position{Line: 4, Column: 5}, Run: &Run{Command: []string{"/bin/sh", "-c"}, Args: []string{"echo a"}}},
			{Name: "b", Pos: Position{Line: 5, Column: 5}, Run: &Run{Command: []string{"/bin/sh", "-c"}, Args: []string{"echo b"}}},
			{Pos: Position{Line: 6, Column: 5}, Copy: &Copy{Src: []string{"."}, Dest: "/app", Mode: mode(0o755)}},
		}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("goshfile.yaml", []byte(tc.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			normalize(got)
			normalize(tc.want)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse =\n%s\nwant\n%s", dump(got), dump(tc.want))
			}
		})
	}
}

// normalize makes empty and nil slices and maps compare equal.
func normalize(f *File) {
	if len(f.Env) == 0 {
		f.Env = nil
	}
	if len(f.Labels) == 0 {
		f.Labels = nil
	}
	for i := range f.Steps {
		s := &f.Steps[i]
		if len(s.Env) == 0 {
			s.Env = nil
		}
		if s.Run != nil && len(s.Run.Args) == 0 {
			s.Run.Args = nil
		}
	}
}

func dump(f *File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", *f)
	for _, s := range f.Steps {
		fmt.Fprintf(&b, "  step %+v", s)
		if s.Run != nil {
			fmt.Fprintf(&b, " run %+v", *s.Run)
		}
		if s.Copy != nil {
			fmt.Fprintf(&b, " copy %+v", *s.Copy)
			if s.Copy.Mode != nil {
				fmt.Fprintf(&b, " mode %o", *s.Copy.Mode)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestParseErrors(t *testing.T) {
	const head = "apiVersion: 1\nimage: busybox\n"
	for _, tc := range []struct {
		name string
		src  string
		// want holds one "LINE:COL: text" (or "LINE: text", or "text" for
		// a problem of the whole file) per expected error, in order; text
		// must occur in the message.
		want []string
	}{
		{"empty file", "", []string{"the file is empty"}},
		{"only a comment", "# syntax=x\n", []string{"the file is empty"}},
		{"not a mapping", "- a\n", []string{"1:1: the goshfile must be a mapping"}},
		{"unclosed flow list", "apiVersion: 1\nimage: [busybox\n", []string{"2: YAML syntax: did not find expected ',' or ']'"}},
		{"unclosed flow list on the first line", "apiVersion: [1\nimage: x\n", []string{"2: YAML syntax: did not find expected ',' or ']'"}},
		{"unclosed flow mapping", "apiVersion: 1\nimage: x\nsteps:\n  - {run: x\n", []string{"4: YAML syntax: did not find expected ',' or '}'"}},
		{"unterminated quote", "apiVersion: 1\nimage: 'x\n", []string{"2: YAML syntax: found unexpected end of stream"}},
		{"mapping in a scalar", "apiVersion: 1\nimage: a: b\n", []string{"2: YAML syntax: mapping values are not allowed"}},
		{"tab indentation", "apiVersion: 1\n\timage: x\n", []string{"2: YAML syntax"}},
		{"two documents", head + "---\napiVersion: 1\n", []string{"3:1: one YAML document"}},
		{"missing apiVersion and image", "steps: []\n", []string{"1:1: apiVersion is missing", "1:1: image is missing"}},
		{"apiVersion 2", "apiVersion: 2\nimage: x\n", []string{`1:13: apiVersion must be 1, found "2"`}},
		{"apiVersion as text", "apiVersion: \"1\"\nimage: x\n", []string{"1:13: apiVersion must be 1"}},
		{"unknown top-level field", head + "tags: [a]\n", []string{`3:1: unknown field "tags" in the goshfile (known fields: apiVersion, cmd, entrypoint, env, image, labels, steps, user, workdir)`}},
		{"misspelt field, one letter", head + "steps:\n  - run: {commnd: [a]}\n", []string{"4:10: step 1 run needs a command", `4:11: unknown field "commnd" in step 1 run (did you mean "command"?)`}},
		{"misspelt field, two letters", head + "entrypiont: [a]\n", []string{`3:1: unknown field "entrypiont" in the goshfile (did you mean "entrypoint"?)`}},
		{"misspelt field", head + "WorkDir: /x\n", []string{`3:1: unknown field "WorkDir" in the goshfile (did you mean "workdir"?)`}},
		{"repeated field", head + "image: x\n", []string{`3:1: field "image" repeated (first at line 2)`}},
		{"bad image reference", "apiVersion: 1\nimage: Busy Box\n", []string{`2:8: image "Busy Box" is not a valid image reference`}},
		{"image a list", "apiVersion: 1\nimage: [a]\n", []string{"2:8: image must be a string, found a list"}},
		{"image empty", "apiVersion: 1\nimage:\n", []string{"2:7: image must be a string, found nothing"}},
		{"relative workdir", head + "workdir: src\n", []string{`3:10: workdir "src" must be an absolute path`}},
		{"bad user", head + "user: a:b:c\n", []string{`3:7: user "a:b:c" must be a user`}},
		{"env a list", head + "env: [A=1]\n", []string{"3:6: env must be a mapping of names to values"}},
		{"env name with =", head + "env: {\"A=B\": 1}\n", []string{`3:7: env: variable name "A=B" must not contain`}},
		{"env repeated", head + "env:\n  A: 1\n  A: 2\n", []string{`5:3: env: variable "A" repeated (first at line 4)`}},
		{"env value a mapping", head + "env:\n  A: {b: c}\n", []string{"4:6: env value of A must be a string, found a mapping"}},
		{"entrypoint a string", head + "entrypoint: /app\n", []string{`3:13: entrypoint must be a list of strings, found "/app"`}},
		{"cmd item a list", head + "cmd: [a, [b]]\n", []string{"3:10: cmd[1] must be a string, found a list"}},
		{"labels a list", head + "labels: [a]\n", []string{"3:9: labels must be a mapping"}},
		{"empty label key", head + "labels: {'': x}\n", []string{"3:10: labels: a key must not be empty"}},
		{"steps a mapping", head + "steps: {a: b}\n", []string{"3:8: steps must be a list, found a mapping"}},
		{"step a string", head + "steps:\n  - echo hi\n", []string{`4:5: step 1 must be a mapping, found "echo hi"`}},
		{"step with neither run nor copy", head + "steps:\n  - name: x\n", []string{"4:5: step 1 (x) needs either run or copy"}},
		{"step with both", head + "steps:\n  - run: {command: [a]}\n    copy: {src: a, dest: b}\n", []string{"5:5: step 1 has both run and copy (first at line 4)"}},
		{"run without command", head + "steps:\n  - run:\n      args: [a]\n", []string{"5:7: step 1 run needs a command"}},
		{"empty command", head + "steps:\n  - run: {command: []}\n", []string{"4:20: step 1 command must not be empty"}},
		{"command a string", head + "steps:\n  - run: {command: ls}\n", []string{`4:20: step 1 command must be a list of strings, found "ls"`}},
		{"empty program", head + "steps:\n  - run: {command: ['']}\n", []string{"4:20: step 1 command: the program name must not be empty"}},
		{"unknown run field", head + "steps:\n  - run: {command: [a], shell: true}\n", []string{`4:25: unknown field "shell" in step 1 run`}},
		{"cache not a list", head + "steps:\n  - run: {command: [a], cache: /c}\n", []string{`4:32: step 1 cache must be a list of mounts`}},
		{"cache without target", head + "steps:\n  - run:\n      command: [a]\n      cache: [{id: x}]\n", []string{"6:15: step 1 cache[0] needs a target"}},
		{"cache relative target", head + "steps:\n  - run:\n      command: [a]\n      cache: [{target: c}]\n", []string{`6:24: step 1 cache[0] target "c" must be an absolute path`}},
		{"cache at root", head + "steps:\n  - run:\n      command: [a]\n      cache: [{target: /}]\n", []string{"6:24: step 1 cache[0] target must not be the root directory"}},
		{"cache twice at one target", head + "steps:\n  - run:\n      command: [a]\n      cache: [{target: /c}, {target: /c/}]\n", []string{`6:38: step 1 cache[1] target "/c" is already mounted (line 6)`}},
		{"bad sharing", head + "steps:\n  - run:\n      command: [a]\n      cache: [{target: /c, sharing: all}]\n", []string{`6:37: step 1 cache[0] sharing must be shared, private or locked, found "all"`}},
		{"copy without src and dest", head + "steps:\n  - copy: {}\n", []string{"4:11: step 1 copy needs src", "4:11: step 1 copy needs dest"}},
		{"copy out of the context", head + "steps:\n  - copy: {src: ../secret, dest: /}\n", []string{`4:17: step 1 copy src "../secret" leaves the build context`}},
		{"copy empty src list", head + "steps:\n  - copy: {src: [], dest: /}\n", []string{"4:17: step 1 copy src must not be empty"}},
		{"copy bad mode", head + "steps:\n  - copy: {src: a, dest: /, mode: rwx}\n", []string{`4:35: step 1 copy mode must be octal permissions such as "0644", found "rwx"`}},
		{"copy mode too large", head + "steps:\n  - copy: {src: a, dest: /, mode: 017777}\n", []string{"4:35: step 1 copy mode must be octal"}},
		{"copy bad chown", head + "steps:\n  - copy: {src: a, dest: /, chown: 'a b'}\n", []string{`4:36: step 1 copy chown "a b" must be a user`}},
		{"copy with env and user", head + "steps:\n  - copy: {src: a, dest: /}\n    env: {A: b}\n    user: x\n", []string{"5:5: step 1: env applies to run steps only", "6:5: step 1: user applies to run steps only"}},
		{"cargo on a copy step", head + "steps:\n  - copy: {src: a, dest: /}\n    cargo: true\n", []string{"5:5: step 1: cargo applies to run steps only"}},
		{"cargo not a boolean", head + "steps:\n  - run: {command: [a]}\n    cargo: yes\n", []string{`5:12: step 1 cargo must be true or false, found "yes"`}},
		{"merge key", head + "x: &x {name: a}\nsteps:\n  - <<: *x\n    run: {command: [a]}\n", []string{`3:1: unknown field "x"`, "5:5: merge keys (<<) are not supported"}},
		{"every problem reported, in order", "apiVersion: 3\nimage: UPPER\nfoo: 1\nsteps:\n  - run: {command: ls}\n  - copy: {dest: 1}\n    bar: 2\n", []string{
			"1:13: apiVersion must be 1",
			"2:8: image \"UPPER\" is not a valid image reference",
			`3:1: unknown field "foo"`,
			`5:20: step 1 command must be a list of strings`,
			"6:11: step 2 copy needs src",
			`7:5: unknown field "bar" in step 2`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("g.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", f)
			}
			if f != nil {
				t.Errorf("Parse returned a File with an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			if len(list) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(list), len(tc.want), err)
			}
			for i, e := range list {
				got, want := e.Error(), tc.want[i]
				pos, text, _ := strings.Cut(want, " ")
				if want[0] < '0' || want[0] > '9' {
					pos, text = "", want
				}
				if !strings.HasPrefix(got, "g.yaml:"+pos) || !strings.Contains(got, text) {
					t.Errorf("error %d = %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	src := "apiVersion: 1\nimage: x\n#" + strings.Repeat("x", MaxSize)
	_, err := Parse("g.yaml", []byte(src))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "the limit is") {
		t.Fatalf("Parse of %d bytes: %v", len(src), err)
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Filename: "a.yaml", Pos: Position{3, 7}, Msg: "bad"}, "a.yaml:3:7: bad"},
		{&Error{Filename: "a.yaml", Pos: Position{Line: 3}, Msg: "bad"}, "a.yaml:3: bad"},
		{&Error{Filename: "a.yaml", Msg: "bad"}, "a.yaml: bad"},
		{&Error{Msg: "bad"}, "goshfile.yaml: bad"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	list := ErrorList{{Filename: "a", Pos: Position{1, 1}, Msg: "x"}, {Filename: "a", Pos: Position{2, 1}, Msg: "y"}}
	if got, want := list.Error(), "a:1:1: x\na:2:1: y"; got != want {
		t.Errorf("ErrorList.Error() = %q, want %q", got, want)
	}
}
