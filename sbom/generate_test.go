package sbom

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// want formats an entry as summary prints it, for linux/amd64.
func want(repo, tag string, d v1.Hash, rel string) string {
	return "pkg:oci/" + repo + "?arch=amd64&repository_url=REG/" + repo + "&tag=" + tag + " " + d.String() + " (" + rel + ")"
}

func TestGenerateDockerfile(t *testing.T) {
	r := newTestRegistry(t)
	base := r.push(t, "base:1")
	base2 := r.push(t, "base:2")
	tool := r.push(t, "tool:1")
	data := r.push(t, "data:1")
	unused := r.push(t, "unused:1")
	_ = unused

	const (
		desc = "DESCENDANT_OF"
		dep  = "BUILD_DEPENDENCY_OF"
	)
	tests := []struct {
		name       string
		dockerfile string
		args       map[string]string
		target     string
		want       []string
	}{{
		name:       "base image",
		dockerfile: "FROM REG/base:1\nRUN true\n",
		want:       []string{want("base", "1", base, desc)},
	}, {
		name:       "ARG in FROM, default",
		dockerfile: "ARG V=1\nFROM REG/base:${V}\n",
		want:       []string{want("base", "1", base, desc)},
	}, {
		name:       "ARG in FROM, build argument",
		dockerfile: "ARG V=1\nFROM REG/base:${V}\n",
		args:       map[string]string{"V": "2"},
		want:       []string{want("base", "2", base2, desc)},
	}, {
		name:       "stages",
		dockerfile: "FROM REG/tool:1 AS build\nRUN make\nFROM REG/base:1\nCOPY --from=build /out /out\n",
		want:       []string{want("base", "1", base, desc), want("tool", "1", tool, dep)},
	}, {
		name:       "a stage as base",
		dockerfile: "FROM REG/base:1 AS common\nRUN true\nFROM common\nRUN true\n",
		want:       []string{want("base", "1", base, desc)},
	}, {
		name:       "unreached stage",
		dockerfile: "FROM REG/unused:1 AS other\nFROM REG/base:1\n",
		want:       []string{want("base", "1", base, desc)},
	}, {
		name:       "target stage",
		dockerfile: "FROM REG/tool:1 AS build\nFROM REG/base:1\n",
		target:     "build",
		want:       []string{want("tool", "1", tool, desc)},
	}, {
		name:       "COPY --from an image",
		dockerfile: "FROM REG/base:1\nCOPY --from=REG/data:1 /x /x\n",
		want:       []string{want("base", "1", base, desc), want("data", "1", data, dep)},
	}, {
		name:       "COPY --link --from an image",
		dockerfile: "FROM REG/base:1\nCOPY --link --from=REG/data:1 /x /x\n",
		want:       []string{want("base", "1", base, desc), want("data", "1", data, dep)},
	}, {
		name:       "RUN --mount=from",
		dockerfile: "FROM REG/base:1\nRUN --mount=from=REG/tool:1,target=/t /t/run\n",
		want:       []string{want("base", "1", base, desc), want("tool", "1", tool, dep)},
	}, {
		name:       "scratch",
		dockerfile: "FROM scratch\nCOPY --from=REG/data:1 /x /x\n",
		want:       []string{want("data", "1", data, dep)},
	}, {
		name:       "scratch alone",
		dockerfile: "FROM scratch\nCOPY a /a\n",
		want:       nil,
	}, {
		// One image read twice is one source in the LLB: the base.
		name:       "base image also copied from",
		dockerfile: "FROM REG/base:1\nCOPY --from=REG/base:1 /x /y\n",
		want:       []string{want("base", "1", base, desc)},
	}, {
		name:       "pinned by digest",
		dockerfile: "FROM REG/base@" + base.String() + "\n",
		want:       []string{"pkg:oci/base?arch=amd64&repository_url=REG/base " + base.String() + " (DESCENDANT_OF)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := r.generate(t, "Dockerfile", tt.dockerfile, func(o *Options) {
				o.BuildArgs = tt.args
				o.Target = tt.target
			})
			if err != nil {
				t.Fatal(err)
			}
			got := r.summary(t, doc)
			w := slices.Clone(tt.want)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
		})
	}
}

func TestGenerateGoshfile(t *testing.T) {
	r := newTestRegistry(t)
	base := r.push(t, "bash:5")
	doc, err := r.generate(t, "goshfile.yaml", "apiVersion: 1\nimage: REG/bash:5\nsteps:\n  - run: {command: [date]}\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.summary(t, doc)
	if w := []string{want("bash", "5", base, "DESCENDANT_OF")}; !slices.Equal(got, w) {
		t.Errorf("entries %q, want %q", got, w)
	}

	doc, err = r.generate(t, "goshfile.yaml", "apiVersion: 1\nimage: scratch\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.summary(t, doc); len(got) != 0 {
		t.Errorf("scratch goshfile: entries %q, want none", got)
	}
}

func TestGeneratePlatforms(t *testing.T) {
	r := newTestRegistry(t)
	amd := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm := v1.Platform{OS: "linux", Architecture: "arm64"}
	_, digests := r.pushIndex(t, "multi:1", amd, arm)
	doc, err := r.generate(t, "Dockerfile", "FROM REG/multi:1\n", func(o *Options) {
		o.Platforms = []ocispecs.Platform{{OS: "linux", Architecture: "arm64"}, {OS: "linux", Architecture: "amd64"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	got := r.summary(t, doc)
	w := []string{
		"pkg:oci/multi?arch=amd64&repository_url=REG/multi&tag=1 " + digests["linux/amd64"].String() + " (DESCENDANT_OF)",
		"pkg:oci/multi?arch=arm64&repository_url=REG/multi&tag=1 " + digests["linux/arm64"].String() + " (DESCENDANT_OF)",
	}
	if !slices.Equal(got, w) {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
	}
	plats, err := Platforms(doc)
	if err != nil || !slices.Equal(plats, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("Platforms = %q, %v", plats, err)
	}
	for _, p := range doc.Packages[1:] {
		if !strings.HasPrefix(p.PackageComment, "index sha256:") {
			t.Errorf("package %s: comment %q does not name the index", p.PackageName, p.PackageComment)
		}
	}

	_, err = r.generate(t, "Dockerfile", "FROM REG/multi:1\n", func(o *Options) {
		o.Platforms = []ocispecs.Platform{{OS: "linux", Architecture: "s390x"}}
	})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("platform missing from the index: err = %v, want ErrInvalid", err)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	r := newTestRegistry(t)
	r.push(t, "base:1")
	r.push(t, "tool:1")
	r.push(t, "data:1")
	const dockerfile = "FROM REG/tool:1 AS build\nFROM REG/base:1\nCOPY --from=REG/data:1 /x /x\nCOPY --from=build /y /y\n"
	var outs [][]byte
	for range 3 {
		doc, err := r.generate(t, "Dockerfile", dockerfile, func(o *Options) {
			o.BuildArgs = map[string]string{"B": "2", "A": "1"}
			o.Created = time.Unix(1700000000, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	for _, b := range outs[1:] {
		if !bytes.Equal(b, outs[0]) {
			t.Fatalf("two generations differ:\n%s\n---\n%s", outs[0], b)
		}
	}
	s := string(outs[0])
	for _, frag := range []string{
		`"created": "2023-11-14T22:13:20Z"`,
		`"primaryPackagePurpose": "CONTAINER"`,
		`"comment": "build-arg:A=1"`,
		`"comment": "platform=linux/amd64"`,
		`"relationshipType": "DESCRIBES"`,
		`"documentNamespace": "https://spdx.gosh.sh/sign-cli/sbom/app-`,
		`@sha256%3A`,
	} {
		if !strings.Contains(s, frag) {
			t.Errorf("document lacks %s", frag)
		}
	}

	// Other inputs, another namespace.
	doc, err := r.generate(t, "Dockerfile", dockerfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Marshal(doc)
	if bytes.Equal(b, outs[0]) || !strings.Contains(string(b), `"created": "1970-01-01T00:00:00Z"`) {
		t.Errorf("no build arguments and no time: the document should differ and be dated 1970:\n%s", b)
	}
}

func TestGenerateErrors(t *testing.T) {
	r := newTestRegistry(t)
	r.push(t, "base:1")
	tests := []struct {
		name, file, content string
		want                error
	}{
		{"syntax", "Dockerfile", "FROM REG/base:1\nNOPE x\n", ErrInvalid},
		{"missing image", "Dockerfile", "FROM REG/absent:1\n", ErrImageNotFound},
		{"missing tag", "Dockerfile", "FROM REG/base:9\n", ErrImageNotFound},
		{"bad goshfile", "goshfile.yaml", "apiVersion: 2\nimage: REG/base:1\n", ErrInvalid},
		{"unreachable registry", "Dockerfile", "FROM 127.0.0.1:1/base:1\n", ErrResolve},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.generate(t, tt.file, tt.content, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") && tt.file == "Dockerfile" {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
	if _, err := Generate(context.Background(), Options{Filename: "Dockerfile", Data: []byte("FROM scratch\n")}); err == nil {
		t.Error("Generate without a Resolver succeeded")
	}
}

// refuseTLS fails every HTTPS request at once, as a registry that speaks
// only plain HTTP would.
type refuseTLS struct{}

func (refuseTLS) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "https" {
		return nil, errors.New("TLS handshake failed")
	}
	return nil, errors.New("plain HTTP went out")
}

func TestRegistryResolverPlainHTTP(t *testing.T) {
	// go-containerregistry falls back to plain HTTP for private
	// addresses; only loopback may (or --insecure-registry).
	ref, err := reference.ParseNormalizedNamed("10.1.2.3:5000/team/base:1")
	if err != nil {
		t.Fatal(err)
	}
	r := &RegistryResolver{Transport: refuseTLS{}}
	_, err = r.Resolve(context.Background(), ref, DefaultPlatform)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "plain HTTP is allowed only") {
		t.Fatalf("err = %v, want plain HTTP refused as bad input", err)
	}
	r = &RegistryResolver{Transport: refuseTLS{}, Insecure: true}
	_, err = r.Resolve(context.Background(), ref, DefaultPlatform)
	if !errors.Is(err, ErrResolve) || !strings.Contains(err.Error(), "plain HTTP went out") {
		t.Fatalf("insecure: err = %v, want the plain HTTP request made", err)
	}
}
