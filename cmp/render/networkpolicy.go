package render

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/vibe-coder-biz/idp/appspec"
)

// imds is the EC2 instance metadata service: pods use IRSA, never node
// credentials.
const imds = "169.254.169.254/32"

const nsNameLabel = "kubernetes.io/metadata.name"

// networkPolicies deny everything, then allow exactly: the ALB to the app
// port, DNS, HTTPS out of the cluster, and Prometheus to the metrics port.
// Other apps' pods are never an allowed source, so no app reaches another.
func networkPolicies(app *appspec.App, p appspec.Platform) []Object {
	pols := []Object{
		netpol(app, "default-deny", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		}),
		netpol(app, "allow-dns", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selector(app)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{nsNameLabel: "kube-system"}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
				}},
				Ports: []networkingv1.NetworkPolicyPort{tcp(53, corev1.ProtocolUDP), tcp(53, corev1.ProtocolTCP)},
			}},
		}),
	}
	if *app.Spec.Ingress.Enabled {
		pols = append(pols, netpol(app, "allow-alb", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selector(app)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  ipBlocks(p),
				Ports: []networkingv1.NetworkPolicyPort{tcp(app.Spec.Port, corev1.ProtocolTCP)},
			}},
		}))
	}
	if *app.Spec.Egress.HTTPS {
		pols = append(pols, netpol(app, "allow-https-egress", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selector(app)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{
					CIDR:   "0.0.0.0/0",
					Except: []string{p.ServiceCIDR.String(), imds},
				}}},
				Ports: []networkingv1.NetworkPolicyPort{tcp(443, corev1.ProtocolTCP)},
			}},
		}))
	}
	if metricsEnabled(app) {
		pols = append(pols, netpol(app, "allow-prometheus", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selector(app)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{nsNameLabel: p.MonitoringNamespace}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: "prometheus"}},
				}},
				Ports: []networkingv1.NetworkPolicyPort{tcp(app.Spec.Metrics.Port, corev1.ProtocolTCP)},
			}},
		}))
	}
	return pols
}

func netpol(app *appspec.App, name string, spec networkingv1.NetworkPolicySpec) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: meta(app, name),
		Spec:       spec,
	}
}

func ipBlocks(p appspec.Platform) []networkingv1.NetworkPolicyPeer {
	var peers []networkingv1.NetworkPolicyPeer
	for _, c := range p.IngressCIDRs {
		peers = append(peers, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: c.String()}})
	}
	return peers
}

func tcp(port int32, proto corev1.Protocol) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: ptr(intstr.FromInt32(port))}
}
