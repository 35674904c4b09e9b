package appspec_test

import (
	"strings"
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
	"pgregory.net/rapid"
)

const registry = "123456789012.dkr.ecr.us-east-2.amazonaws.com/"

func appWithImage(name, image string) *appspec.App {
	return &appspec.App{APIVersion: appspec.APIVersion, Kind: appspec.Kind, Metadata: appspec.Metadata{Name: name},
		Spec: appspec.Spec{Owner: "team-a", Image: image, Port: 3000}}
}

// TestImageOwnRepository: an app runs images of its own repository,
// <registry><prefix>/<name>, and of the shared repositories the platform
// lists; every refusal names the repository the app may use.
func TestImageOwnRepository(t *testing.T) {
	shared := appspec.DefaultPlatform()
	shared.SharedImages = []string{registry + "shared/"}
	cases := []struct {
		name, app, image string
		p                appspec.Platform
		want             string // "" accepts; else a substring of the error
	}{
		{"own repository, tag", "hello-world", registry + "apps/hello-world:3f2a1bc", appspec.DefaultPlatform(), ""},
		{"own repository, digest", "hello-world", registry + "apps/hello-world@sha256:" + strings.Repeat("a", 64), appspec.DefaultPlatform(), ""},
		{"another app's repository", "hello-world", registry + "apps/orders-api:3f2a1bc", appspec.DefaultPlatform(), "belongs to another app's repository"},
		{"a longer name", "hello", registry + "apps/hello-world:3f2a1bc", appspec.DefaultPlatform(), registry + "apps/hello"},
		{"below its own repository", "hello-world", registry + "apps/hello-world/debug:3f2a1bc", appspec.DefaultPlatform(), "another app's repository"},
		{"outside the prefix", "hello-world", registry + "hello-world:3f2a1bc", appspec.DefaultPlatform(), "is not from app hello-world's repository " + registry + "apps/hello-world"},
		{"platform image", "hello-world", registry + "idp/cmp:3f2a1bc", appspec.DefaultPlatform(), "push it with the app's pipeline"},
		{"foreign registry", "hello-world", "docker.io/library/nginx:1.27", appspec.DefaultPlatform(), registry + "apps/hello-world"},
		{"registry prefix trick", "hello-world", "123456789012.dkr.ecr.us-east-2.amazonaws.com.evil.io/apps/hello-world:1", appspec.DefaultPlatform(), "is not from"},
		{"shared repository", "hello-world", registry + "shared/nginx:1.27", shared, ""},
		{"shared list named in the error", "hello-world", "docker.io/library/nginx:1.27", shared, "or use a shared repository (" + registry + "shared/)"},
		{"not shared: a longer prefix", "hello-world", registry + "shared-x/nginx:1.27", shared, "is not from"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := appspec.Validate(appWithImage(c.app, c.image), c.p).ToAggregate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && err == nil:
				t.Fatal("accepted")
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q does not say %q", err, c.want)
			case c.want != "" && !strings.Contains(err.Error(), "spec.image"):
				t.Fatalf("error %q does not point at spec.image", err)
			}
		})
	}
}

// TestImageNeverAnotherApps: for any two apps, one never runs the other's
// image, whatever tag, and always runs its own.
func TestImageNeverAnotherApps(t *testing.T) {
	p := appspec.DefaultPlatform()
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.StringMatching(`[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}`).Filter(func(s string) bool {
			return len(s) >= 2 && len(appspec.ValidateName(s, nil)) == 0
		}).Draw(t, "name")
		other := rapid.StringMatching(`[a-z][a-z0-9-]{0,20}[a-z0-9]`).Filter(func(s string) bool { return s != name }).Draw(t, "other")
		tag := rapid.StringMatching(`[0-9a-f]{7,40}`).Draw(t, "tag")
		if err := appspec.Validate(appWithImage(name, p.AppRepository(name)+":"+tag), p); len(err) > 0 {
			t.Fatalf("own image refused: %v", err)
		}
		if err := appspec.Validate(appWithImage(name, p.AppRepository(other)+":"+tag), p); len(err) == 0 {
			t.Fatalf("%s may run %s's image", name, other)
		}
	})
}

func TestImageSettings(t *testing.T) {
	lookup := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	p, err := appspec.PlatformFromEnv(lookup(map[string]string{
		appspec.EnvImagePrefix:  "/team-apps/",
		appspec.EnvSharedImages: registry + "mirror/, " + registry + "base/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.AppRepository("x"); got != registry+"team-apps/x" {
		t.Errorf("repository = %s", got)
	}
	if got := strings.Join(p.SharedImages, ","); got != registry+"base/,"+registry+"mirror/" {
		t.Errorf("shared = %s", got)
	}
	for name, env := range map[string]map[string]string{
		"shared covers the registry":   {appspec.EnvSharedImages: registry},
		"shared covers the apps":       {appspec.EnvSharedImages: registry + "apps/"},
		"shared inside the apps":       {appspec.EnvSharedImages: registry + "apps/base/"},
		"shared without a slash":       {appspec.EnvSharedImages: registry + "base"},
		"prefix not a repository path": {appspec.EnvImagePrefix: "Apps"},
	} {
		if _, err := appspec.PlatformFromEnv(lookup(env)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
