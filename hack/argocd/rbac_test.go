package argocd

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/server/rbacpolicy"
	"github.com/argoproj/argo-cd/v3/util/assets"
	"github.com/argoproj/argo-cd/v3/util/rbac"
	"github.com/golang-jwt/jwt/v5"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes/fake"
	kjson "sigs.k8s.io/json"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

// TestOwnerRBACWithArgoCDEnforcer judges the rendered AppProjects with the
// enforcer Argo CD's API server builds (util/rbac with the built-in policy,
// server/rbacpolicy consulting the projects' roles; no policy.default, as
// upstream ships it): a member of the owner's mapped SSO group operates its
// own app, and nothing of another team's; the bare owner name, which no SSO
// maps, grants nothing.
func TestOwnerRBACWithArgoCDEnforcer(t *testing.T) {
	p := appspec.DefaultPlatform()
	own := argoProject(t, p, "hello-world", "team-a")
	other := argoProject(t, p, "payments", "team-b")
	enf := argoEnforcer(t, own, other)

	member := user("alice", p.SSOGroup("team-a"), p.SSOGroup("team-a")+":developer")
	rawOwner := user("bob", "team-a")
	outsider := user("carol", p.SSOGroup("team-c"))

	type check struct {
		resource, action, object string
	}
	allowed := []check{
		{rbac.ResourceApplications, rbac.ActionGet, "hello-world/hello-world"},
		{rbac.ResourceApplications, rbac.ActionSync, "hello-world/hello-world"},
		{rbac.ResourceLogs, rbac.ActionGet, "hello-world/hello-world"},
		{rbac.ResourceApplications, "action/apps/Deployment/restart", "hello-world/hello-world"},
		{rbac.ResourceProjects, rbac.ActionGet, "hello-world"},
	}
	// What the owner may never do in Argo CD: app.yaml in Git is the only
	// way to change its app.
	deniedOwn := []check{
		{rbac.ResourceApplications, rbac.ActionUpdate, "hello-world/hello-world"},
		{rbac.ResourceApplications, rbac.ActionDelete, "hello-world/hello-world"},
		{rbac.ResourceApplications, "delete/apps/Deployment/hello-world/hello-world", "hello-world/hello-world"},
		{rbac.ResourceApplications, rbac.ActionOverride, "hello-world/hello-world"},
		{rbac.ResourceApplications, "action/apps/Deployment/pause", "hello-world/hello-world"},
		{rbac.ResourceExec, rbac.ActionCreate, "hello-world/hello-world"},
		{rbac.ResourceProjects, rbac.ActionUpdate, "hello-world"},
	}
	var foreign []check
	for _, c := range allowed {
		obj := "payments/payments"
		if c.resource == rbac.ResourceProjects {
			obj = "payments"
		}
		foreign = append(foreign, check{c.resource, c.action, obj})
	}

	for _, c := range allowed {
		if err := enf.EnforceErr(member, c.resource, c.action, c.object); err != nil {
			t.Errorf("member of %s: %s %s %s refused: %v", p.SSOGroup("team-a"), c.resource, c.action, c.object, err)
		}
	}
	for _, c := range append(deniedOwn, foreign...) {
		if enf.Enforce(member, c.resource, c.action, c.object) {
			t.Errorf("member of %s: %s %s %s allowed", p.SSOGroup("team-a"), c.resource, c.action, c.object)
		}
	}
	for _, u := range []jwt.MapClaims{rawOwner, outsider} {
		for _, c := range append(allowed, foreign...) {
			if enf.Enforce(u, c.resource, c.action, c.object) {
				t.Errorf("%s with groups %v: %s %s %s allowed", u["sub"], u["groups"], c.resource, c.action, c.object)
			}
		}
	}
}

// TestSSOGroupFormatReachesArgoCD: a platform's own group format (here a
// GitLab subgroup path) is what Argo CD's enforcer matches.
func TestSSOGroupFormatReachesArgoCD(t *testing.T) {
	p, err := appspec.PlatformFromEnv(func(k string) (string, bool) {
		return "acme/engineering/{owner}", k == appspec.EnvSSOGroupFormat
	})
	if err != nil {
		t.Fatal(err)
	}
	enf := argoEnforcer(t, argoProject(t, p, "hello-world", "team-a"))
	if !enf.Enforce(user("alice", "acme/engineering/team-a"), rbac.ResourceLogs, rbac.ActionGet, "hello-world/hello-world") {
		t.Error("a member of acme/engineering/team-a cannot read its app's logs")
	}
	if enf.Enforce(user("bob", "platform/team-a"), rbac.ResourceApplications, rbac.ActionGet, "hello-world/hello-world") {
		t.Error("the default format's group still grants access")
	}
}

// argoProject renders an app's AppProject, decodes it strictly into Argo
// CD's type, and has Argo CD validate it as the API server does on create.
func argoProject(t *testing.T, p appspec.Platform, name, owner string) *v1alpha1.AppProject {
	t.Helper()
	src := fmt.Sprintf("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: %s\n  image: %s:3f2a1bc\n  port: 3000\n",
		name, owner, p.AppRepository(name))
	app, err := appspec.Load("app.yaml", []byte(src), p)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := render.Project(app, p, "https://gitlab.example.com/gitops/"+name+".git")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(objs[0])
	var proj v1alpha1.AppProject
	if strict, err := kjson.UnmarshalStrict(raw, &proj); err != nil || len(strict) > 0 {
		t.Fatalf("decode into Argo CD's AppProject: %v %v", err, strict)
	}
	if err := proj.ValidateProject(); err != nil {
		t.Fatalf("Argo CD refuses the AppProject: %v", err)
	}
	return &proj
}

// argoEnforcer wires the enforcer as argocd-server does: built-in policy,
// an argocd-rbac-cm without policy.default, and the project-aware claims
// enforcer over the given projects.
func argoEnforcer(t *testing.T, projects ...*v1alpha1.AppProject) *rbac.Enforcer {
	t.Helper()
	enf := rbac.NewEnforcer(fake.NewClientset(), "argocd", common.ArgoCDRBACConfigMapName, nil)
	if err := enf.SetBuiltinPolicy(assets.BuiltinPolicyCSV); err != nil {
		t.Fatal(err)
	}
	enf.SetClaimsEnforcerFunc(rbacpolicy.NewRBACPolicyEnforcer(enf, projectLister(projects)).EnforceClaims)
	return enf
}

// user is an SSO login as Dex hands it to Argo CD: groups in the groups
// claim (Argo CD's default scope).
func user(sub string, groups ...string) jwt.MapClaims {
	gs := make([]any, len(groups))
	for i, g := range groups {
		gs[i] = g
	}
	return jwt.MapClaims{"sub": sub, "iss": "https://argocd.example.com/api/dex", "groups": gs}
}

// projectLister serves projects from memory, as the server's informer
// cache would.
type projectLister []*v1alpha1.AppProject

func (l projectLister) List(labels.Selector) ([]*v1alpha1.AppProject, error) { return l, nil }

func (l projectLister) Get(name string) (*v1alpha1.AppProject, error) {
	for _, p := range l {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, apierrors.NewNotFound(v1alpha1.Resource("appprojects"), name)
}
