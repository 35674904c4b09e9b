package render

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

// Label keys shared with Backstage, Argo CD and the plugin generator.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelComponent = "app.kubernetes.io/component"
	LabelBackstage = "backstage.io/kubernetes-id"
	LabelOwner     = appspec.Group + "/owner"
	LabelRole      = "idp-role"

	managedBy = "idp-cmp"
)

// selector is the stable subset that pods are selected by; it never changes
// for the life of an app, since a Deployment's selector is immutable.
func selector(app *appspec.App) map[string]string {
	return map[string]string{
		LabelName:     app.Metadata.Name,
		LabelInstance: app.Metadata.Name,
	}
}

// labels go on every object: Backstage's Kubernetes plugin finds the app's
// objects by LabelBackstage.
func labels(app *appspec.App) map[string]string {
	l := selector(app)
	l[LabelPartOf] = app.Metadata.Name
	l[LabelManagedBy] = managedBy
	l[LabelBackstage] = app.Metadata.Name
	l[LabelOwner] = app.Spec.Owner
	return l
}

func meta(app *appspec.App, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: app.Metadata.Name, Labels: labels(app)}
}

func withLabels(base map[string]string, extra map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, extra)
	return out
}

func ptr[T any](v T) *T { return &v }
