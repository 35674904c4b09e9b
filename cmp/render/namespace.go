package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

// RoleApp is the idp-role of every app namespace; platform policies select
// app namespaces by it.
const RoleApp = "app"

func namespace(app *appspec.App) *corev1.Namespace {
	l := withLabels(labels(app), map[string]string{
		LabelRole:                                    RoleApp,
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
		"pod-security.kubernetes.io/audit":           "restricted",
		"pod-security.kubernetes.io/warn":            "restricted",
	})
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: app.Metadata.Name, Labels: l},
	}
}
