package argocd

import (
	"context"
	"path/filepath"
	"testing"

	plugin "github.com/argoproj/argo-cd/v3/applicationset/services/plugin"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

const pluginToken = "plugin-token-for-tests"

// TestArgoCDPluginClient: the ApplicationSet controller's own plugin client
// gets one parameter set per app, and gets an error, not an empty list,
// before the first scan and with a wrong token.
func TestArgoCDPluginClient(t *testing.T) {
	root := t.TempDir()
	example := filepath.Join(kubetest.RepoRoot(t), "examples", "hello-world", "app.yaml")
	copyFile(t, example, filepath.Join(root, "hello-world", "app.yaml"))
	store, url := serveAppsGenerator(t, root, pluginToken)
	ctx := context.Background()

	svc, err := plugin.NewPluginService("idp-apps", url, pluginToken, 25)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := svc.List(ctx, nil); err == nil {
		t.Fatalf("before the first scan Argo CD got %v, want an error", resp.Output.Parameters)
	}
	if err := store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := svc.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	params := resp.Output.Parameters
	if len(params) != 1 || params[0]["name"] != "hello-world" || params[0]["repoURL"] != gitopsRepo || params[0]["path"] != "hello-world" {
		t.Fatalf("parameters = %v", params)
	}
	narrowed, err := svc.List(ctx, v1alpha1.PluginParameters{"owner": apiextensionsv1.JSON{Raw: []byte(`"team-b"`)}})
	if err != nil || len(narrowed.Output.Parameters) != 0 {
		t.Fatalf("owner filter: %v %v", narrowed, err)
	}

	wrong, _ := plugin.NewPluginService("idp-apps", url, "not-the-token", 25)
	if resp, err := wrong.List(ctx, nil); err == nil {
		t.Fatalf("wrong token got %v", resp)
	}
}
