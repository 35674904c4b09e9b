package argocd

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	log "github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

func TestMain(m *testing.M) {
	log.SetLevel(log.WarnLevel) // the cmp-server logs every gRPC call at info
	os.Exit(m.Run())
}

// TestAppProjectDecodesIntoArgoCDType: the mirrored AppProject fields are
// Argo CD's own, strictly, and Argo CD's own logic agrees on what the
// project permits.
func TestAppProjectDecodesIntoArgoCDType(t *testing.T) {
	data, err := os.ReadFile("../../examples/hello-world/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := appspec.DefaultPlatform()
	app, err := appspec.Load("app.yaml", data, p)
	if err != nil {
		t.Fatal(err)
	}
	repo := "https://gitlab.example.com/gitops/hello-world.git"
	objs, err := render.Project(app, p, repo)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(objs[0])
	var proj v1alpha1.AppProject
	strict, err := kjson.UnmarshalStrict(raw, &proj)
	if err != nil || len(strict) > 0 {
		t.Fatalf("decode into Argo CD's AppProject: %v %v", err, strict)
	}
	if !proj.IsSourcePermitted(v1alpha1.ApplicationSource{RepoURL: repo}) {
		t.Error("own repository refused")
	}
	if proj.IsSourcePermitted(v1alpha1.ApplicationSource{RepoURL: "https://gitlab.example.com/gitops/other.git"}) {
		t.Error("another repository permitted")
	}
	if !proj.IsGroupKindNamePermitted(schemaGK("", "Namespace"), "hello-world", false) {
		t.Error("own Namespace refused")
	}
	for _, c := range []struct{ group, kind, name string }{
		{"", "Namespace", "kube-system"},
		{"rbac.authorization.k8s.io", "ClusterRoleBinding", "x"},
		{"apiextensions.k8s.io", "CustomResourceDefinition", "x"},
	} {
		if proj.IsGroupKindNamePermitted(schemaGK(c.group, c.kind), c.name, false) {
			t.Errorf("cluster-scoped %s %s permitted", c.kind, c.name)
		}
	}
	if proj.IsGroupKindNamePermitted(schemaGK("", "Secret"), "x", true) {
		t.Error("Secrets permitted: the app's Secret must come from its ExternalSecret only")
	}
	if !proj.IsGroupKindNamePermitted(schemaGK("apps", "Deployment"), "hello-world", true) {
		t.Error("Deployment refused")
	}
}

func schemaGK(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }
