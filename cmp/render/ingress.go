package render

import (
	"encoding/json"
	"strconv"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

const (
	ingressClass = "alb"
	// tlsPolicy allows TLS 1.2 and 1.3 only.
	tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	// blockMetrics names the ALB action that answers an app's metrics path
	// when the app serves it on its app port (see metricsBlock).
	blockMetrics = "block-metrics"
	// useAnnotation is the backend port name that makes the AWS Load
	// Balancer Controller take the action from the actions.<name> annotation.
	useAnnotation = "use-annotation"
	albAnnotation = "alb.ingress.kubernetes.io/"
)

// ingresses joins the app to its shard's ALB group (see appspec.ALBLayout),
// HTTPS only, HTTP redirected, its host's DNS record made by ExternalDNS.
// While the shard count changes, an app the old layout placed on another
// ALB keeps an Ingress there that makes no DNS record: clients that still
// resolve the old ALB are served until the record's TTL has passed.
func ingresses(app *appspec.App, p appspec.Platform) []*networkingv1.Ingress {
	if !*app.Spec.Ingress.Enabled {
		return nil
	}
	group := p.AppALBs.GroupOf(app.Metadata.Name)
	out := []*networkingv1.Ingress{ingress(app, p, app.Metadata.Name, group)}
	if p.PreviousAppALBs != nil {
		if old := p.PreviousAppALBs.GroupOf(app.Metadata.Name); old != group {
			prev := ingress(app, p, app.Metadata.Name+"-previous", old)
			prev.Annotations[externalDNSAnnotation+"ingress-hostname-source"] = "annotation-only"
			out = append(out, prev)
		}
	}
	return out
}

// externalDNSAnnotation prefixes ExternalDNS's Ingress annotations.
const externalDNSAnnotation = "external-dns.alpha.kubernetes.io/"

// dnsTTL is short, so a DNS record follows an app to another ALB quickly.
const dnsTTL = "60"

// ingress routes the http port only: metrics are never on the internet.
func ingress(app *appspec.App, p appspec.Platform, name, group string) *networkingv1.Ingress {
	in := app.Spec.Ingress
	m := meta(app, name)
	m.Annotations = ingressAnnotations(app, p, group)
	paths := []networkingv1.HTTPIngressPath{ingressPath(in.Path, app.Metadata.Name, portHTTP)}
	if metricsOnAppPort(app) {
		// First in the list, and longer than any app path it lies below:
		// the controller orders Prefix rules longest first.
		paths = append([]networkingv1.HTTPIngressPath{ingressPath(app.Spec.Metrics.Path, blockMetrics, useAnnotation)}, paths...)
		m.Annotations[albAnnotation+"actions."+blockMetrics] = notFoundAction()
	}
	return &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: m,
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr(ingressClass),
			TLS:              []networkingv1.IngressTLS{{Hosts: []string{in.Host}}},
			Rules: []networkingv1.IngressRule{{
				Host:             in.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}},
			}},
		},
	}
}

func ingressAnnotations(app *appspec.App, p appspec.Platform, group string) map[string]string {
	a := map[string]string{
		albAnnotation + "group.name": group,
		// The group's name for its ALB too, so an operator finds it.
		albAnnotation + "load-balancer-name": group,
		externalDNSAnnotation + "ttl":        dnsTTL,
		albAnnotation + "scheme":             "internet-facing",
		albAnnotation + "target-type":        "ip",
		albAnnotation + "listen-ports":       `[{"HTTP":80},{"HTTPS":443}]`,
		albAnnotation + "ssl-redirect":       "443",
		albAnnotation + "ssl-policy":         tlsPolicy,
		albAnnotation + "healthcheck-path":   app.Spec.Health.Path,
		albAnnotation + "success-codes":      "200-299",
		// In-flight requests to a deregistered pod finish within the drain,
		// which ends before the kubelet kills the pod (see shutdownFor).
		albAnnotation + "target-group-attributes": "deregistration_delay.timeout_seconds=" +
			strconv.FormatInt(shutdownFor(*app.Spec.Lifecycle.TerminationGracePeriodSeconds).drain, 10),
	}
	if p.CertificateARN != "" {
		a[albAnnotation+"certificate-arn"] = p.CertificateARN
	}
	return a
}

func ingressPath(path, service, port string) networkingv1.HTTPIngressPath {
	return networkingv1.HTTPIngressPath{
		Path:     path,
		PathType: ptr(networkingv1.PathTypePrefix),
		Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: service,
			Port: networkingv1.ServiceBackendPort{Name: port},
		}},
	}
}

// albAction is the AWS Load Balancer Controller's actions.<name> annotation
// value, here only ever a fixed response.
type albAction struct {
	Type                string           `json:"type"`
	FixedResponseConfig albFixedResponse `json:"fixedResponseConfig"`
}

type albFixedResponse struct {
	ContentType string `json:"contentType"`
	StatusCode  string `json:"statusCode"`
	MessageBody string `json:"messageBody"`
}

// notFoundAction answers like an unknown path, without revealing that the
// path exists.
func notFoundAction() string {
	// A struct of strings always marshals.
	out, _ := json.Marshal(albAction{
		Type:                "fixed-response",
		FixedResponseConfig: albFixedResponse{ContentType: "text/plain", StatusCode: "404", MessageBody: "Not Found"},
	})
	return string(out)
}

// metricsOnAppPort is the old layout (metrics.port set to the app port):
// still valid, but then the app port serves the metrics path, and only the
// ALB can keep the internet from it.
func metricsOnAppPort(app *appspec.App) bool {
	return metricsEnabled(app) && app.Spec.Metrics.Port == app.Spec.Port
}
