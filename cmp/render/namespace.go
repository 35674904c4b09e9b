package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

// RoleApp is the idp-role of every app namespace; platform policies select
// app namespaces by it.
const RoleApp = "app"

// LabelReadinessGate makes the AWS Load Balancer Controller's webhook add
// its target-health readiness gate to the namespace's pods: a new pod is
// Ready only once the ALB reports its target healthy, so a rollout never
// removes the last healthy target (the controller's "Pod readiness gate"
// docs; it needs target-type ip, which the Ingress sets).
const LabelReadinessGate = "elbv2.k8s.aws/pod-readiness-gate-inject"

func namespace(app *appspec.App) *corev1.Namespace {
	l := withLabels(labels(app), map[string]string{
		LabelRole:                                    RoleApp,
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
		"pod-security.kubernetes.io/audit":           "restricted",
		"pod-security.kubernetes.io/warn":            "restricted",
		LabelReadinessGate:                           "enabled",
	})
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: app.Metadata.Name, Labels: l},
	}
}
