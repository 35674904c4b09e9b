package render

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

// ReadVerbs are the only verbs the app's Role grants.
var ReadVerbs = []string{"get", "list", "watch"}

// serviceAccount does not mount its token: apps do not call the Kubernetes
// API unless a platform team opts them in, and AWS access goes through IRSA.
func serviceAccount(app *appspec.App) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   meta(app, app.Metadata.Name),
		AutomountServiceAccountToken: ptr(false),
	}
}

// role reads the app's own namespace: never Secrets, never a write.
func role(app *appspec.App) *rbacv1.Role {
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: meta(app, app.Metadata.Name+"-read"),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"configmaps", "endpoints", "events", "pods", "services"}, Verbs: ReadVerbs},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: ReadVerbs},
		},
	}
}

func roleBinding(app *appspec.App) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: meta(app, app.Metadata.Name+"-read"),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: app.Metadata.Name + "-read"},
		Subjects: []rbacv1.Subject{{
			Kind: rbacv1.ServiceAccountKind, Name: app.Metadata.Name, Namespace: app.Metadata.Name,
		}},
	}
}
