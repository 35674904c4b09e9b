package argocd

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v3/cmpserver"
	"github.com/argoproj/argo-cd/v3/cmpserver/plugin"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	"github.com/argoproj/argo-cd/v3/reposerver/repository"
	"github.com/argoproj/argo-cd/v3/util/git"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

const pluginName = "idp-cmp"

// startCMPServer runs Argo CD's own cmp-server, in process, with our
// plugin.yaml and our cmp binary on its PATH, as the repo-server sidecar
// does. It returns once the plugin's socket exists.
func startCMPServer(t *testing.T) {
	t.Helper()
	root := kubetest.RepoRoot(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "cmp"), "./cmp")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cmp: %v\n%s", err, out)
	}
	configDir, sockDir := t.TempDir(), t.TempDir()
	data, err := os.ReadFile(filepath.Join(root, "cmp", "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(configDir, common.PluginConfigFileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(common.EnvPluginSockFilePath, sockDir)
	t.Setenv(common.EnvCMPWorkDir, t.TempDir())
	cfg, err := plugin.ReadPluginConfig(configDir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := cmpserver.NewServer(plugin.CMPServerInitConstants{PluginConfig: *cfg})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run()
	sock := filepath.Join(sockDir, pluginName+".sock")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cmp-server did not create %s", sock)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// generate asks for manifests exactly as the repo-server does for an
// Application whose source names our plugin.
func generate(t *testing.T, repoDir, appPath string, pluginEnv v1alpha1.Env, namespace string) (*apiclient.ManifestResponse, error) {
	t.Helper()
	q := &apiclient.ManifestRequest{
		Repo:        &v1alpha1.Repository{Repo: "https://gitlab.example.com/gitops/hello-world.git"},
		AppName:     "hello-world",
		Namespace:   namespace,
		ProjectName: "hello-world",
		ApplicationSource: &v1alpha1.ApplicationSource{
			RepoURL: "https://gitlab.example.com/gitops/hello-world.git", Path: appPath, TargetRevision: "main",
			Plugin: &v1alpha1.ApplicationSourcePlugin{Name: pluginName, Env: pluginEnv},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return repository.GenerateManifests(ctx, filepath.Join(repoDir, appPath), repoDir, "3f2a1bc9", q, false, &git.NoopCredsStore{}, resource.MustParse("0"), nil)
}

// TestCMPServerMatchesRender: Argo CD's cmp-server serving our plugin.yaml
// returns exactly the objects `cmp render` prints, in order, for the app and
// for its AppProject; and a broken app.yaml fails the generation with the
// field in the message instead of returning nothing.
func TestCMPServerMatchesRender(t *testing.T) {
	startCMPServer(t)
	root := kubetest.RepoRoot(t)
	repo := t.TempDir()
	app := filepath.Join(repo, "app.yaml")
	copyFile(t, filepath.Join(root, "examples", "hello-world", "app.yaml"), app)

	cases := []struct {
		name      string
		env       v1alpha1.Env
		namespace string
		args      []string
	}{
		{"app", v1alpha1.Env{{Name: "IDP_APP_NAME", Value: "hello-world"}}, "hello-world", []string{"render", app}},
		{"project", v1alpha1.Env{{Name: "IDP_RENDER", Value: "project"}, {Name: "IDP_APP_NAME", Value: "hello-world"}}, "argocd",
			[]string{"render", "-project", "-repo-url", "https://gitlab.example.com/gitops/hello-world.git", app}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := generate(t, repo, ".", c.env, c.namespace)
			if err != nil {
				t.Fatal(err)
			}
			want := renderObjects(t, c.args...)
			var got []map[string]any
			for _, m := range resp.Manifests {
				var obj map[string]any
				if err := json.Unmarshal([]byte(m), &obj); err != nil {
					t.Fatal(err)
				}
				got = append(got, obj)
			}
			if len(got) != len(want) {
				t.Fatalf("cmp-server returned %d objects, cmp render %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("object %d differs:\n got %v\nwant %v", i, got[i], want[i])
				}
			}
		})
	}

	t.Run("invalid app.yaml", func(t *testing.T) {
		bad := t.TempDir()
		if err := os.WriteFile(filepath.Join(bad, "app.yaml"), []byte("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: hello-world\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc\n  port: 3000\n  replicas: 500\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		resp, err := generate(t, bad, ".", nil, "hello-world")
		if err == nil {
			t.Fatalf("generation succeeded with %d manifests", len(resp.Manifests))
		}
		if !strings.Contains(err.Error(), "spec.replicas") {
			t.Fatalf("error does not name the field: %v", err)
		}
	})
}
