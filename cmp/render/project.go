package render

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/vibe-coder-biz/idp/appspec"
)

// AppProject is the subset of Argo CD's argoproj.io/v1alpha1 AppProject that
// confines one app. Argo CD's Go module forces replace directives on its
// importers, so the fields are mirrored here and the tests under hack/ decode
// every render strictly into Argo CD's own type.
type AppProject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AppProjectSpec `json:"spec"`
}

// AppProjectSpec mirrors Argo CD's field names.
type AppProjectSpec struct {
	Description                string                  `json:"description,omitempty"`
	SourceRepos                []string                `json:"sourceRepos"`
	Destinations               []ProjectDestination    `json:"destinations"`
	ClusterResourceWhitelist   []ClusterResource       `json:"clusterResourceWhitelist"`
	NamespaceResourceWhitelist []GroupKind             `json:"namespaceResourceWhitelist"`
	Roles                      []ProjectRole           `json:"roles,omitempty"`
	OrphanedResources          *OrphanedResourcesCheck `json:"orphanedResources,omitempty"`
}

// ProjectDestination is a cluster and namespace an Application may target.
type ProjectDestination struct {
	Server    string `json:"server"`
	Namespace string `json:"namespace"`
}

// GroupKind is a Kubernetes API group and kind.
type GroupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// ClusterResource is a cluster-scoped kind, limited to one name when Name
// is set (Argo CD v3 matches it as a glob).
type ClusterResource struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
}

// ProjectRole grants Argo CD RBAC policies to SSO groups.
type ProjectRole struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Policies    []string `json:"policies"`
	Groups      []string `json:"groups"`
}

// OrphanedResourcesCheck makes Argo CD warn about objects nobody declared.
type OrphanedResourcesCheck struct {
	Warn *bool `json:"warn,omitempty"`
}

// DeepCopyObject makes AppProject a runtime.Object.
func (a *AppProject) DeepCopyObject() runtime.Object {
	out := *a
	a.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return &out
}

// ProjectFinalizer keeps a project until no Application uses it.
const ProjectFinalizer = "resources-finalizer.argocd.argoproj.io"

// AppKinds are the namespaced kinds an app's Application may sync: exactly
// what App renders, so nothing else can be smuggled into the namespace.
var AppKinds = []GroupKind{
	{"", "LimitRange"},
	{"", "ResourceQuota"},
	{"", "Service"},
	{"", "ServiceAccount"},
	{"apps", "Deployment"},
	{"autoscaling", "HorizontalPodAutoscaler"},
	{"external-secrets.io", "ExternalSecret"},
	{"grafana.integreatly.org", "GrafanaDashboard"},
	{"monitoring.coreos.com", "PrometheusRule"},
	{"monitoring.coreos.com", "ServiceMonitor"},
	{"networking.k8s.io", "Ingress"},
	{"networking.k8s.io", "NetworkPolicy"},
	{"policy", "PodDisruptionBudget"},
	{"rbac.authorization.k8s.io", "Role"},
	{"rbac.authorization.k8s.io", "RoleBinding"},
}

// appProject confines the app's Application to its namespace, its GitOps
// repository, and the kinds App renders; the only cluster-scoped object it
// may sync is its own Namespace. The owning team operates its app in Argo CD
// (ownerRole).
func appProject(app *appspec.App, p appspec.Platform, repoURL string) *AppProject {
	name := app.Metadata.Name
	m := metav1.ObjectMeta{Name: name, Namespace: p.ArgoCDNamespace, Labels: labels(app), Finalizers: []string{ProjectFinalizer}}
	return &AppProject{
		TypeMeta:   metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "AppProject"},
		ObjectMeta: m,
		Spec: AppProjectSpec{
			Description:                "Confines app " + name + " (owner " + app.Spec.Owner + ") to its namespace and GitOps repository.",
			SourceRepos:                []string{repoURL},
			Destinations:               []ProjectDestination{{Server: p.DestinationServer, Namespace: name}},
			ClusterResourceWhitelist:   []ClusterResource{{Kind: "Namespace", Name: name}},
			NamespaceResourceWhitelist: AppKinds,
			Roles:                      []ProjectRole{ownerRole(app, p)},
			OrphanedResources:          &OrphanedResourcesCheck{Warn: ptr(true)},
		},
	}
}

// ownerPermissions are what the owning team may do to its own Application,
// as Argo CD 3 checks them: "applications, get" shows the app, its resource
// tree, live manifests and events; "logs, get" its pods' logs (enforced
// since Argo CD 3.0); the restart action rolls its Deployment. No update,
// delete or exec: app.yaml in Git is the only way to change the app.
var ownerPermissions = [][2]string{
	{"applications", "get"},
	{"applications", "sync"},
	{"logs", "get"},
	{"applications", "action/apps/Deployment/restart"},
}

// ownerRole grants ownerPermissions, on this project's Applications only, to
// the SSO group the platform maps the owner to (appspec.Platform.SSOGroup):
// the owner's Backstage name alone is not a group any SSO sends.
func ownerRole(app *appspec.App, p appspec.Platform) ProjectRole {
	name := app.Metadata.Name
	subject := "proj:" + name + ":owner"
	var policies []string
	for _, perm := range ownerPermissions {
		policies = append(policies, "p, "+subject+", "+perm[0]+", "+perm[1]+", "+name+"/*, allow")
	}
	return ProjectRole{
		Name:        "owner",
		Description: "The owning team views, syncs and restarts its app and reads its logs.",
		Policies:    policies,
		Groups:      []string{p.SSOGroup(app.Spec.Owner)},
	}
}
