package render

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

const (
	ingressClass = "alb"
	// tlsPolicy allows TLS 1.2 and 1.3 only.
	tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
)

// ingress joins the app to the shared ALB group: one load balancer for every
// app, HTTPS only, HTTP redirected.
func ingress(app *appspec.App, p appspec.Platform) *networkingv1.Ingress {
	in := app.Spec.Ingress
	if !*in.Enabled {
		return nil
	}
	annotations := map[string]string{
		"alb.ingress.kubernetes.io/group.name": p.ALBGroup,
		// One name for the group's ALB, the one Terraform's DNS module
		// points the wildcard record at.
		"alb.ingress.kubernetes.io/load-balancer-name": p.ALBGroup,
		"alb.ingress.kubernetes.io/scheme":             "internet-facing",
		"alb.ingress.kubernetes.io/target-type":        "ip",
		"alb.ingress.kubernetes.io/listen-ports":       `[{"HTTP":80},{"HTTPS":443}]`,
		"alb.ingress.kubernetes.io/ssl-redirect":       "443",
		"alb.ingress.kubernetes.io/ssl-policy":         tlsPolicy,
		"alb.ingress.kubernetes.io/healthcheck-path":   app.Spec.Health.Path,
		"alb.ingress.kubernetes.io/success-codes":      "200-299",
	}
	if p.CertificateARN != "" {
		annotations["alb.ingress.kubernetes.io/certificate-arn"] = p.CertificateARN
	}
	m := meta(app, app.Metadata.Name)
	m.Annotations = annotations
	prefix := networkingv1.PathTypePrefix
	return &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: m,
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr(ingressClass),
			TLS:              []networkingv1.IngressTLS{{Hosts: []string{in.Host}}},
			Rules: []networkingv1.IngressRule{{
				Host: in.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     in.Path,
						PathType: &prefix,
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: app.Metadata.Name,
							Port: networkingv1.ServiceBackendPort{Name: portHTTP},
						}},
					}},
				}},
			}},
		},
	}
}
