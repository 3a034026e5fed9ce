package goshfile

import (
	"reflect"
	"strings"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParseFrontendOptions(t *testing.T) {
	arm := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	amd := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for _, tc := range []struct {
		name    string
		opts    map[string]string
		want    BuildOptions
		wantErr string
	}{
		{"none", nil, BuildOptions{}, ""},
		{"filename", map[string]string{"filename": "build/app.yaml"}, BuildOptions{Filename: "build/app.yaml"}, ""},
		{"no-cache as docker buildx sends it", map[string]string{"no-cache": ""}, BuildOptions{NoCache: true}, ""},
		{"no-cache true", map[string]string{"no-cache": "true"}, BuildOptions{NoCache: true}, ""},
		{"no-cache false", map[string]string{"no-cache": "false"}, BuildOptions{}, ""},
		{"platform", map[string]string{"platform": "linux/arm64"}, BuildOptions{Platform: &arm}, ""},
		{"platform normalized", map[string]string{"platform": "linux/x86_64"}, BuildOptions{Platform: &amd}, ""},
		{"labels", map[string]string{"label:WALLET_PUBLIC": "ab", "label:a.b": ""}, BuildOptions{Labels: map[string]string{"WALLET_PUBLIC": "ab", "a.b": ""}}, ""},
		{"options of other frontends ignored", map[string]string{"build-arg:X": "1", "target": "t", "image-resolve-mode": "default"}, BuildOptions{}, ""},
		{"two platforms", map[string]string{"platform": "linux/amd64,linux/arm64"}, BuildOptions{}, "one platform at a time"},
		{"bad platform", map[string]string{"platform": "no/such/thing/here"}, BuildOptions{}, "platform"},
		{"label without a name", map[string]string{"label:": "x"}, BuildOptions{}, "names no label"},
		{"wallet_public as the seed passes it", map[string]string{"wallet_public": strings.Repeat("AB", 32)}, BuildOptions{Labels: map[string]string{"WALLET_PUBLIC": strings.Repeat("ab", 32)}}, ""},
		{"wallet_public and the same label", map[string]string{"wallet_public": strings.Repeat("ab", 32), "label:WALLET_PUBLIC": strings.Repeat("ab", 32)}, BuildOptions{Labels: map[string]string{"WALLET_PUBLIC": strings.Repeat("ab", 32)}}, ""},
		{"wallet_public and another label", map[string]string{"wallet_public": strings.Repeat("ab", 32), "label:WALLET_PUBLIC": strings.Repeat("cd", 32)}, BuildOptions{}, "given twice"},
		{"wallet_public not a key", map[string]string{"wallet_public": "me"}, BuildOptions{}, "64 hex"},
		{"wallet_secret", map[string]string{"wallet_secret": strings.Repeat("ab", 32)}, BuildOptions{}, "carries a secret"},
		{"a secret as a build argument", map[string]string{"build-arg:WALLET_SECRET": "x"}, BuildOptions{}, "build's records"},
		{"a phrase as a label", map[string]string{"label:seed_phrase": "x"}, BuildOptions{}, "carries a secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFrontendOptions(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			// What a client sends is read back as the same options.
			back, err := ParseFrontendOptions(got.FrontendOptions())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, got) {
				t.Errorf("round trip %+v, want %+v", back, got)
			}
		})
	}
}
