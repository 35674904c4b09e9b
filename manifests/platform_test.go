package manifests

// Tests of manifests/platform (namespaces, NetworkPolicies, cluster roles,
// the ECR push policy template) and manifests/backstage. Every identifier
// here starts with "platform": manifests_test.go shares the package.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"pgregory.net/rapid"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/backstageconfig"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
)

// The platform's fixed addresses besides appspec's settings: the VPC
// (terraform's vpc_cidr default) and the instance metadata service.
const (
	// platformSecretStore serves the platform's namespaces; apps read
	// appspec's SecretStore.
	platformSecretStore = "aws-secrets-manager-platform"
	platformVPCCIDR     = "10.0.0.0/16"
	platformIMDS        = "169.254.169.254/32"
)

// platformNamespaces are the namespaces manifests/platform owns, with the
// Pod Security level each enforces (namespaces.yaml says why).
var platformNamespaces = map[string]string{
	"backstage":        "restricted",
	"argocd":           "restricted",
	"external-secrets": "restricted",
	"monitoring":       "privileged",
}

func platformBuild(t testing.TB, base string) []*unstructured.Unstructured {
	t.Helper()
	return manifesttest.Build(t, filepath.Join(kubetest.RepoRoot(t), "manifests", base))
}

// platformDecoder decodes every built-in kind strictly: an unknown or
// duplicate field is an error.
var platformDecoder = sync.OnceValue(func() runtime.Decoder {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
})

// platformTyped decodes o strictly into its k8s.io/api type.
func platformTyped(t testing.TB, o *unstructured.Unstructured, into runtime.Object) {
	t.Helper()
	data, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := platformDecoder().Decode(data, nil, into); err != nil {
		t.Fatalf("%s/%s: %v", o.GetKind(), o.GetName(), err)
	}
}

// TestPlatformBasesBuildAndDecodeStrictly: both bases build; every object
// of a built-in kind decodes strictly into its k8s.io/api type; the custom
// resources are External Secrets' and the Grafana Operator's Grafana
// (judged by their CRDs on the API server below); every namespaced object
// names its namespace.
func TestPlatformBasesBuildAndDecodeStrictly(t *testing.T) {
	dec := platformDecoder()
	clusterScoped := []string{"Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterSecretStore"}
	for _, base := range []string{"platform", "backstage"} {
		t.Run(base, func(t *testing.T) {
			objs := platformBuild(t, base)
			if len(objs) == 0 {
				t.Fatal("no objects")
			}
			for _, o := range objs {
				data, err := o.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				switch o.GetAPIVersion() {
				case "external-secrets.io/v1":
					if k := o.GetKind(); k != "ExternalSecret" && k != "ClusterSecretStore" {
						t.Errorf("unexpected kind %s", k)
					}
				case "grafana.integreatly.org/v1beta1":
					if k := o.GetKind(); k != "Grafana" {
						t.Errorf("unexpected kind %s", k)
					}
				default:
					if _, _, err := dec.Decode(data, nil, nil); err != nil {
						t.Errorf("%s/%s: %v", o.GetKind(), o.GetName(), err)
					}
				}
				if slices.Contains(clusterScoped, o.GetKind()) != (o.GetNamespace() == "") {
					t.Errorf("%s/%s: namespace %q", o.GetKind(), o.GetName(), o.GetNamespace())
				}
			}
		})
	}
}

// TestPlatformNamespaces: the four platform namespaces carry idp-role:
// platform and their Pod Security level, and each has a total default deny
// and DNS.
func TestPlatformNamespaces(t *testing.T) {
	objs := platformBuild(t, "platform")
	pols := platformPolicies(t, objs)
	for name, level := range platformNamespaces {
		var ns corev1.Namespace
		platformTyped(t, manifesttest.Find(t, objs, "Namespace", name), &ns)
		want := map[string]string{
			"idp-role":                                   "platform",
			"pod-security.kubernetes.io/enforce":         level,
			"pod-security.kubernetes.io/enforce-version": "latest",
		}
		for k, v := range want {
			if ns.Labels[k] != v {
				t.Errorf("namespace %s: label %s = %q, want %q", name, k, ns.Labels[k], v)
			}
		}
		deny := platformPolicy(t, pols, name, "default-deny")
		if len(deny.Spec.PodSelector.MatchLabels)+len(deny.Spec.PodSelector.MatchExpressions) != 0 ||
			!slices.Equal(deny.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) ||
			len(deny.Spec.Ingress)+len(deny.Spec.Egress) != 0 {
			t.Errorf("%s/default-deny does not deny everything both ways: %+v", name, deny.Spec)
		}
		platformPolicy(t, pols, name, "allow-dns")
	}
	// Audit and warn are never weaker than enforce, and restricted where
	// enforce is.
	for _, o := range objs {
		if o.GetKind() != "Namespace" {
			continue
		}
		l := o.GetLabels()
		if l["pod-security.kubernetes.io/enforce"] == "restricted" && (l["pod-security.kubernetes.io/audit"] != "restricted" || l["pod-security.kubernetes.io/warn"] != "restricted") {
			t.Errorf("namespace %s: audit/warn weaker than enforce", o.GetName())
		}
	}
}

// TestPlatformMatchesTheEmbeddedPlatformSettings: the manifests use the
// same settings as cmp and the plugin generator (appspec.DefaultPlatform):
// ALB subnets, service range, ALB group, secret store, monitoring
// namespace, base domain.
func TestPlatformMatchesTheEmbeddedPlatformSettings(t *testing.T) {
	p := appspec.DefaultPlatform()
	objs := append(platformBuild(t, "platform"), platformBuild(t, "backstage")...)
	pols := platformPolicies(t, objs)
	var alb []string
	for _, c := range p.IngressCIDRs {
		alb = append(alb, c.String())
	}
	apiServer := p.ServiceCIDR.Addr().Next().String() + "/32"
	for _, np := range pols {
		for _, r := range np.Spec.Ingress {
			if r.From != nil && r.From[0].IPBlock != nil && strings.HasPrefix(np.Name, "allow-alb") {
				if got := platformBlocks(r.From); !slices.Equal(got, alb) {
					t.Errorf("%s/%s: ALB sources %v, want IDP_INGRESS_CIDRS %v", np.Namespace, np.Name, got, alb)
				}
			}
		}
		for _, r := range np.Spec.Egress {
			for _, peer := range r.To {
				if b := peer.IPBlock; b != nil && b.CIDR == "0.0.0.0/0" && !slices.Equal(b.Except, []string{p.ServiceCIDR.String(), platformIMDS}) {
					t.Errorf("%s/%s: egress excepts %v, want the service range and IMDS", np.Namespace, np.Name, b.Except)
				}
			}
			if np.Name == "allow-apiserver" && !slices.Equal(platformBlocks(r.To), []string{apiServer, platformVPCCIDR}) {
				t.Errorf("%s/allow-apiserver: %v, want %s and the VPC", np.Namespace, platformBlocks(r.To), apiServer)
			}
		}
	}
	ing := manifesttest.Find(t, objs, "Ingress", "backstage")
	if g := ing.GetAnnotations()["alb.ingress.kubernetes.io/group.name"]; g != p.ALBGroup {
		t.Errorf("Ingress group %q, want %q", g, p.ALBGroup)
	}
	rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
	if host := rules[0].(map[string]any)["host"]; host != "backstage."+p.BaseDomain {
		t.Errorf("Backstage host %v, want backstage.%s", host, p.BaseDomain)
	}
	manifesttest.Find(t, objs, "ClusterSecretStore", p.SecretStore)
	for _, o := range objs {
		if o.GetKind() != "ExternalSecret" {
			continue
		}
		// The platform's secrets are not the apps': their own store.
		if name, _, _ := unstructured.NestedString(o.Object, "spec", "secretStoreRef", "name"); name != platformSecretStore {
			t.Errorf("ExternalSecret %s reads store %q, want %q", o.GetName(), name, platformSecretStore)
		}
		keys, err := platformExtractKeys(o)
		if err != nil {
			t.Error(err)
		}
		for _, key := range keys {
			if strings.HasPrefix(key, p.SecretKeyPrefix+"/") {
				t.Errorf("ExternalSecret %s reads %s, under the apps' prefix %s", o.GetName(), key, p.SecretKeyPrefix)
			}
		}
	}
	manifesttest.Find(t, objs, "Namespace", p.MonitoringNamespace)
}

// ---------------------------------------------------------------------------
// NetworkPolicies, judged by a model of Kubernetes' NetworkPolicy semantics:
// a pod is isolated in a direction once a policy of its namespace selects
// it for that direction; it then sends (receives) only what some selecting
// policy's rule allows; traffic flows when the sender's egress and the
// receiver's ingress both allow it. ipBlocks match by address (as Calico
// does, pods included).

type platformPeer struct {
	name      string
	namespace string // "" outside the cluster (or a node)
	nsLabels  map[string]string
	labels    map[string]string
	ip        netip.Addr
}

func (p platformPeer) String() string { return p.name }

func platformPod(name, ns string, nsLabels, podLabels map[string]string, ip string) platformPeer {
	l := map[string]string{"kubernetes.io/metadata.name": ns}
	for k, v := range nsLabels {
		l[k] = v
	}
	return platformPeer{name: name, namespace: ns, nsLabels: l, labels: podLabels, ip: netip.MustParseAddr(ip)}
}

func platformHost(name, ip string) platformPeer {
	return platformPeer{name: name, ip: netip.MustParseAddr(ip)}
}

func platformAllows(pols []networkingv1.NetworkPolicy, from, to platformPeer, proto corev1.Protocol, port int32) bool {
	return platformSide(pols, from, to, proto, port, networkingv1.PolicyTypeEgress) &&
		platformSide(pols, to, from, proto, port, networkingv1.PolicyTypeIngress)
}

// platformSide: may self send to (egress) or receive from (ingress) other?
func platformSide(pols []networkingv1.NetworkPolicy, self, other platformPeer, proto corev1.Protocol, port int32, dir networkingv1.PolicyType) bool {
	if self.namespace == "" {
		return true
	}
	isolated := false
	for _, np := range pols {
		if np.Namespace != self.namespace || !slices.Contains(np.Spec.PolicyTypes, dir) || !platformSelects(&np.Spec.PodSelector, self.labels) {
			continue
		}
		isolated = true
		if dir == networkingv1.PolicyTypeEgress {
			for _, r := range np.Spec.Egress {
				if platformPeersMatch(r.To, np.Namespace, other) && platformPortsMatch(r.Ports, proto, port) {
					return true
				}
			}
		} else {
			for _, r := range np.Spec.Ingress {
				if platformPeersMatch(r.From, np.Namespace, other) && platformPortsMatch(r.Ports, proto, port) {
					return true
				}
			}
		}
	}
	return !isolated
}

func platformPeersMatch(peers []networkingv1.NetworkPolicyPeer, policyNS string, ep platformPeer) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		if p.IPBlock != nil {
			if platformInBlock(p.IPBlock, ep.ip) {
				return true
			}
			continue
		}
		if ep.namespace == "" {
			continue
		}
		if p.NamespaceSelector == nil && ep.namespace != policyNS {
			continue
		}
		if p.NamespaceSelector != nil && !platformSelects(p.NamespaceSelector, ep.nsLabels) {
			continue
		}
		if p.PodSelector == nil || platformSelects(p.PodSelector, ep.labels) {
			return true
		}
	}
	return false
}

func platformInBlock(b *networkingv1.IPBlock, ip netip.Addr) bool {
	if !netip.MustParsePrefix(b.CIDR).Contains(ip) {
		return false
	}
	for _, e := range b.Except {
		if netip.MustParsePrefix(e).Contains(ip) {
			return false
		}
	}
	return true
}

func platformPortsMatch(ports []networkingv1.NetworkPolicyPort, proto corev1.Protocol, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		if p.Port == nil {
			return true
		}
		lo := p.Port.IntVal
		hi := lo
		if p.EndPort != nil {
			hi = *p.EndPort
		}
		if port >= lo && port <= hi {
			return true
		}
	}
	return false
}

func platformSelects(sel *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		panic(err)
	}
	return s.Matches(labels.Set(l))
}

func platformPolicies(t testing.TB, objs []*unstructured.Unstructured) []networkingv1.NetworkPolicy {
	t.Helper()
	var pols []networkingv1.NetworkPolicy
	for _, o := range objs {
		if o.GetKind() != "NetworkPolicy" {
			continue
		}
		var np networkingv1.NetworkPolicy
		platformTyped(t, o, &np)
		pols = append(pols, np)
	}
	return pols
}

func platformPolicy(t testing.TB, pols []networkingv1.NetworkPolicy, ns, name string) *networkingv1.NetworkPolicy {
	t.Helper()
	for i := range pols {
		if pols[i].Namespace == ns && pols[i].Name == name {
			return &pols[i]
		}
	}
	t.Fatalf("no NetworkPolicy %s/%s", ns, name)
	return nil
}

func platformBlocks(peers []networkingv1.NetworkPolicyPeer) []string {
	var out []string
	for _, p := range peers {
		if p.IPBlock != nil {
			out = append(out, p.IPBlock.CIDR)
		}
	}
	return out
}

var (
	platformRole             = map[string]string{"idp-role": "platform"}
	platformAppRole          = map[string]string{"idp-role": "app"}
	platformBackstagePod     = platformPod("backstage", "backstage", platformRole, map[string]string{"app.kubernetes.io/name": "backstage"}, "10.0.20.10")
	platformArgoServerPod    = platformPod("argocd-server", "argocd", platformRole, map[string]string{"app.kubernetes.io/name": "argocd-server"}, "10.0.20.20")
	platformArgoRepoPod      = platformPod("argocd-repo-server", "argocd", platformRole, map[string]string{"app.kubernetes.io/name": "argocd-repo-server"}, "10.0.20.21")
	platformPrometheusPod    = platformPod("prometheus", "monitoring", platformRole, map[string]string{"app.kubernetes.io/name": "prometheus"}, "10.0.20.30")
	platformAlloyPod         = platformPod("alloy", "monitoring", platformRole, map[string]string{"app.kubernetes.io/name": "alloy"}, "10.0.20.31")
	platformESOPod           = platformPod("external-secrets", "external-secrets", platformRole, map[string]string{"app.kubernetes.io/name": "external-secrets"}, "10.0.20.40")
	platformKubeDNSPod       = platformPod("coredns", "kube-system", nil, map[string]string{"k8s-app": "kube-dns"}, "10.0.20.50")
	platformAppPod           = platformPod("hello-world", "hello-world", platformAppRole, map[string]string{"app.kubernetes.io/name": "hello-world"}, "10.0.21.10")
	platformDefaultPod       = platformPod("default pod", "default", nil, map[string]string{"run": "debug"}, "10.0.21.20")
	platformALB              = platformHost("ALB", "10.0.1.23")
	platformInternet         = platformHost("internet host", "140.82.112.3")
	platformAPIServerVIP     = platformHost("kubernetes Service", "172.20.0.1")
	platformAPIServerENI     = platformHost("API server ENI", "10.0.17.5")
	platformOtherService     = platformHost("another ClusterIP", "172.20.44.4")
	platformIMDSHost         = platformHost("instance metadata", "169.254.169.254")
	platformRDS              = platformHost("PostgreSQL", "10.0.33.7")
	platformNode             = platformHost("node", "10.0.18.9")
	platformPublicDNS        = platformHost("public DNS", "8.8.8.8")
	platformUDP, platformTCP = corev1.ProtocolUDP, corev1.ProtocolTCP
)

type platformFact struct {
	from, to platformPeer
	proto    corev1.Protocol
	port     int32
	want     bool
}

func (f platformFact) String() string {
	verb := "must not reach"
	if f.want {
		verb = "must reach"
	}
	return fmt.Sprintf("%s %s %s %d/%s", f.from, verb, f.to, f.port, f.proto)
}

// platformFacts are the NetworkPolicy properties, one line each.
func platformFacts() []platformFact {
	allow := func(from, to platformPeer, proto corev1.Protocol, port int32) platformFact {
		return platformFact{from, to, proto, port, true}
	}
	deny := func(from, to platformPeer, proto corev1.Protocol, port int32) platformFact {
		return platformFact{from, to, proto, port, false}
	}
	return []platformFact{
		// backstage: ALB ingress on 7007 only.
		allow(platformALB, platformBackstagePod, platformTCP, 7007),
		deny(platformALB, platformBackstagePod, platformTCP, 7008),
		deny(platformInternet, platformBackstagePod, platformTCP, 7007),
		deny(platformAppPod, platformBackstagePod, platformTCP, 7007),
		deny(platformArgoServerPod, platformBackstagePod, platformTCP, 7007),
		deny(platformPrometheusPod, platformBackstagePod, platformTCP, 7007),
		// backstage: DNS, HTTPS, the API server, PostgreSQL; nothing else.
		allow(platformBackstagePod, platformKubeDNSPod, platformUDP, 53),
		allow(platformBackstagePod, platformKubeDNSPod, platformTCP, 53),
		deny(platformBackstagePod, platformPublicDNS, platformUDP, 53),
		allow(platformBackstagePod, platformInternet, platformTCP, 443),
		deny(platformBackstagePod, platformInternet, platformTCP, 80),
		deny(platformBackstagePod, platformIMDSHost, platformTCP, 80),
		deny(platformBackstagePod, platformIMDSHost, platformTCP, 443),
		allow(platformBackstagePod, platformAPIServerVIP, platformTCP, 443),
		allow(platformBackstagePod, platformAPIServerENI, platformTCP, 443),
		deny(platformBackstagePod, platformOtherService, platformTCP, 443),
		allow(platformBackstagePod, platformRDS, platformTCP, 5432),
		deny(platformBackstagePod, platformInternet, platformTCP, 5432),
		deny(platformBackstagePod, platformAppPod, platformTCP, 3000),
		deny(platformBackstagePod, platformArgoServerPod, platformTCP, 8080),
		deny(platformBackstagePod, platformArgoServerPod, platformTCP, 443),
		// argocd: namespace-local traffic; from outside, the ALB to the server.
		allow(platformArgoServerPod, platformArgoRepoPod, platformTCP, 8081),
		allow(platformArgoRepoPod, platformArgoServerPod, platformTCP, 8080),
		allow(platformALB, platformArgoServerPod, platformTCP, 8080),
		deny(platformALB, platformArgoRepoPod, platformTCP, 8081),
		deny(platformBackstagePod, platformArgoRepoPod, platformTCP, 8081),
		deny(platformAppPod, platformArgoServerPod, platformTCP, 8080),
		deny(platformPrometheusPod, platformArgoRepoPod, platformTCP, 8081),
		// argocd: DNS, the API server, HTTPS out; nothing else.
		allow(platformArgoRepoPod, platformKubeDNSPod, platformUDP, 53),
		allow(platformArgoRepoPod, platformAPIServerVIP, platformTCP, 443),
		allow(platformArgoRepoPod, platformAPIServerENI, platformTCP, 443),
		allow(platformArgoRepoPod, platformInternet, platformTCP, 443),
		deny(platformArgoRepoPod, platformInternet, platformTCP, 22),
		deny(platformArgoRepoPod, platformIMDSHost, platformTCP, 80),
		deny(platformArgoRepoPod, platformOtherService, platformTCP, 443),
		deny(platformArgoServerPod, platformAppPod, platformTCP, 3000),
		// monitoring: Prometheus scrapes apps (any TCP port; the app's own
		// policy narrows it), never other namespaces; Grafana Cloud HTTPS.
		allow(platformPrometheusPod, platformAppPod, platformTCP, 3000),
		allow(platformPrometheusPod, platformAppPod, platformTCP, 9464),
		deny(platformPrometheusPod, platformDefaultPod, platformTCP, 8080),
		deny(platformPrometheusPod, platformBackstagePod, platformTCP, 7007),
		deny(platformAlloyPod, platformAppPod, platformTCP, 3000),
		allow(platformPrometheusPod, platformInternet, platformTCP, 443),
		allow(platformAlloyPod, platformInternet, platformTCP, 443),
		deny(platformPrometheusPod, platformInternet, platformTCP, 80),
		deny(platformPrometheusPod, platformIMDSHost, platformTCP, 80),
		allow(platformPrometheusPod, platformAPIServerVIP, platformTCP, 443),
		allow(platformPrometheusPod, platformNode, platformTCP, 10250),
		allow(platformPrometheusPod, platformNode, platformTCP, 9100),
		allow(platformPrometheusPod, platformKubeDNSPod, platformTCP, 9153),
		allow(platformAlloyPod, platformPrometheusPod, platformTCP, 9090),
		deny(platformAppPod, platformPrometheusPod, platformTCP, 9090),
		deny(platformBackstagePod, platformPrometheusPod, platformTCP, 9090),
		// kube-system: DNS from every namespace and from the nodes.
		allow(platformAppPod, platformKubeDNSPod, platformUDP, 53),
		allow(platformAppPod, platformKubeDNSPod, platformTCP, 53),
		allow(platformDefaultPod, platformKubeDNSPod, platformUDP, 53),
		allow(platformESOPod, platformKubeDNSPod, platformUDP, 53),
		allow(platformPrometheusPod, platformKubeDNSPod, platformUDP, 53),
		allow(platformNode, platformKubeDNSPod, platformUDP, 53),
		deny(platformInternet, platformKubeDNSPod, platformUDP, 53),
		deny(platformAppPod, platformKubeDNSPod, platformTCP, 9153),
		// external-secrets: AWS over HTTPS, the API server, its webhook.
		allow(platformESOPod, platformInternet, platformTCP, 443),
		allow(platformESOPod, platformAPIServerVIP, platformTCP, 443),
		deny(platformESOPod, platformIMDSHost, platformTCP, 80),
		deny(platformESOPod, platformAppPod, platformTCP, 3000),
		deny(platformESOPod, platformInternet, platformTCP, 80),
		allow(platformAPIServerENI, platformPod("external-secrets-webhook", "external-secrets", platformRole, map[string]string{"app.kubernetes.io/name": "external-secrets-webhook"}, "10.0.20.41"), platformTCP, 10250),
		deny(platformAPIServerENI, platformESOPod, platformTCP, 8080),
		deny(platformBackstagePod, platformESOPod, platformTCP, 8080),
	}
}

func platformViolations(pols []networkingv1.NetworkPolicy, facts []platformFact) []string {
	var out []string
	for _, f := range facts {
		if platformAllows(pols, f.from, f.to, f.proto, f.port) != f.want {
			out = append(out, f.String())
		}
	}
	return out
}

// TestPlatformNetworkPolicies: every fact holds; each policy's ports are
// numeric with an explicit protocol, so the model above is exact.
func TestPlatformNetworkPolicies(t *testing.T) {
	pols := platformPolicies(t, platformBuild(t, "platform"))
	for _, v := range platformViolations(pols, platformFacts()) {
		t.Error(v)
	}
	for _, np := range pols {
		var ports []networkingv1.NetworkPolicyPort
		for _, r := range np.Spec.Ingress {
			ports = append(ports, r.Ports...)
		}
		for _, r := range np.Spec.Egress {
			ports = append(ports, r.Ports...)
		}
		for _, p := range ports {
			if p.Protocol == nil || (p.Port != nil && p.Port.Type != intstr.Int) {
				t.Errorf("%s/%s: port %+v must be numeric with a protocol", np.Namespace, np.Name, p)
			}
		}
	}
}

// TestPlatformNetworkPolicyChecksCanFail: a policy that loses one rule
// fails exactly the facts that rule serves.
func TestPlatformNetworkPolicyChecksCanFail(t *testing.T) {
	mutations := map[string]struct {
		ns, name string
		mutate   func(*networkingv1.NetworkPolicy)
		want     string
	}{
		"backstage loses DNS over UDP": {"backstage", "allow-dns", func(np *networkingv1.NetworkPolicy) {
			np.Spec.Egress[0].Ports = np.Spec.Egress[0].Ports[1:]
		}, "backstage must reach coredns 53/UDP"},
		"Prometheus may scrape every namespace": {"monitoring", "allow-scrape", func(np *networkingv1.NetworkPolicy) {
			np.Spec.Egress[0].To[0].NamespaceSelector = &metav1.LabelSelector{}
		}, "prometheus must not reach default pod 8080/TCP"},
		"backstage HTTPS reaches the metadata service": {"backstage", "allow-https-egress", func(np *networkingv1.NetworkPolicy) {
			np.Spec.Egress[0].To[0].IPBlock.Except = nil
		}, "backstage must not reach instance metadata 443/TCP"},
	}
	for name, m := range mutations {
		t.Run(name, func(t *testing.T) {
			pols := platformPolicies(t, platformBuild(t, "platform"))
			m.mutate(platformPolicy(t, pols, m.ns, m.name))
			got := platformViolations(pols, platformFacts())
			if !slices.Contains(got, m.want) {
				t.Fatalf("violations %q, want %q among them", got, m.want)
			}
		})
	}
}

var platformOurNamespaces = []string{"backstage", "argocd", "monitoring", "external-secrets", "kube-system"}

// platformDrawPod draws any pod: in one of our namespaces or another, with
// arbitrary labels (sometimes a real component's), at a pod address in the
// private subnets.
func platformDrawPod(t *rapid.T, label string) platformPeer {
	ns := rapid.OneOf(rapid.SampledFrom(platformOurNamespaces), rapid.StringMatching(`team-[a-z]{1,6}`)).Draw(t, label+" namespace")
	role := rapid.SampledFrom([]string{"", "app", "platform", "other"}).Draw(t, label+" role")
	nsLabels := map[string]string{}
	if role != "" {
		nsLabels["idp-role"] = role
	}
	if slices.Contains(platformOurNamespaces, ns) {
		nsLabels = map[string]string{"idp-role": "platform"}
		if ns == "kube-system" {
			nsLabels = nil
		}
	}
	name := rapid.SampledFrom([]string{"backstage", "argocd-server", "argocd-repo-server", "prometheus", "alloy", "external-secrets", "external-secrets-webhook", "x"}).Draw(t, label+" name")
	podLabels := map[string]string{"app.kubernetes.io/name": name}
	if rapid.Bool().Draw(t, label+" kube-dns") {
		podLabels = map[string]string{"k8s-app": "kube-dns"}
	}
	ip := netip.AddrFrom4([4]byte{10, 0, byte(rapid.IntRange(16, 63).Draw(t, label+" ip3")), byte(rapid.IntRange(1, 254).Draw(t, label+" ip4"))})
	return platformPod(label, ns, nsLabels, podLabels, ip.String())
}

// platformInNamespace moves a drawn pod into namespace ns.
func platformInNamespace(p platformPeer, ns string, nsLabels map[string]string) platformPeer {
	return platformPod(p.name, ns, nsLabels, p.labels, p.ip.String())
}

func platformDrawAddr(t *rapid.T, label string) netip.Addr {
	special := []string{"10.0.1.23", "10.0.5.9", "10.0.3.255", "10.0.8.1", "172.20.0.1", "172.20.9.9", "169.254.169.254", "140.82.112.3", "10.0.40.2"}
	if rapid.Bool().Draw(t, label+" special") {
		return netip.MustParseAddr(rapid.SampledFrom(special).Draw(t, label))
	}
	var b [4]byte
	for i := range b {
		b[i] = byte(rapid.IntRange(0, 255).Draw(t, fmt.Sprintf("%s byte %d", label, i)))
	}
	return netip.AddrFrom4(b)
}

func platformDrawPort(t *rapid.T) (corev1.Protocol, int32) {
	proto := rapid.SampledFrom([]corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP}).Draw(t, "protocol")
	port := rapid.OneOf(rapid.SampledFrom([]int32{22, 53, 80, 443, 3000, 5432, 7007, 8080, 8081, 9090, 9100, 9153, 10250}), rapid.Int32Range(1, 65535)).Draw(t, "port")
	return proto, port
}

// TestPlatformNetworkPolicyProperties: the same properties for any pod,
// any address and any port (rapid, 100 cases each).
func TestPlatformNetworkPolicyProperties(t *testing.T) {
	pols := platformPolicies(t, platformBuild(t, "platform"))
	alb := appspec.DefaultPlatform().IngressCIDRs
	inALB := func(a netip.Addr) bool {
		return slices.ContainsFunc(alb, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	svc := appspec.DefaultPlatform().ServiceCIDR
	vpc := netip.MustParsePrefix(platformVPCCIDR)
	imds := netip.MustParsePrefix(platformIMDS)

	t.Run("backstage accepts the ALB on 7007 and nothing else", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			var from platformPeer
			if rapid.Bool().Draw(t, "from a pod") {
				from = platformDrawPod(t, "from")
			} else {
				from = platformPeer{name: "host", ip: platformDrawAddr(t, "from")}
			}
			proto, port := platformDrawPort(t)
			want := inALB(from.ip) && proto == corev1.ProtocolTCP && port == 7007
			if got := platformSide(pols, platformBackstagePod, from, proto, port, networkingv1.PolicyTypeIngress); got != want {
				t.Fatalf("%s (%s) → backstage %d/%s: allowed %v, want %v", from.name, from.ip, port, proto, got, want)
			}
		})
	})
	t.Run("backstage sends only DNS, HTTPS out, the API server and PostgreSQL", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			to := platformPeer{name: "host", ip: platformDrawAddr(t, "to")}
			proto, port := platformDrawPort(t)
			tcp := proto == corev1.ProtocolTCP
			want := tcp && port == 443 && !svc.Contains(to.ip) && !imds.Contains(to.ip) ||
				tcp && port == 443 && to.ip == svc.Addr().Next() ||
				tcp && port == 5432 && vpc.Contains(to.ip)
			if got := platformSide(pols, platformBackstagePod, to, proto, port, networkingv1.PolicyTypeEgress); got != want {
				t.Fatalf("backstage → %s %d/%s: allowed %v, want %v", to.ip, port, proto, got, want)
			}
		})
	})
	t.Run("no pod outside argocd reaches an Argo CD pod", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			from := platformDrawPod(t, "from")
			if from.namespace == "argocd" {
				t.Skip("namespace-local")
			}
			to := platformInNamespace(platformDrawPod(t, "to"), "argocd", platformRole)
			proto, port := platformDrawPort(t)
			if platformAllows(pols, from, to, proto, port) {
				t.Fatalf("%s/%s → argocd/%s %d/%s is allowed", from.namespace, from.labels, to.labels, port, proto)
			}
		})
	})
	t.Run("every pod reaches DNS", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			from := platformDrawPod(t, "from")
			proto := rapid.SampledFrom([]corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP}).Draw(t, "protocol")
			if !platformAllows(pols, from, platformKubeDNSPod, proto, 53) {
				t.Fatalf("%s/%s cannot resolve names over %s", from.namespace, from.labels, proto)
			}
		})
	})
	t.Run("Prometheus scrapes app and platform namespaces only", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			// Our namespaces are the facts' business: draw another one.
			role := rapid.SampledFrom([]string{"", "app", "platform", "other"}).Draw(t, "role")
			nsLabels := map[string]string{}
			if role != "" {
				nsLabels["idp-role"] = role
			}
			to := platformInNamespace(platformDrawPod(t, "to"), rapid.StringMatching(`team-[a-z]{1,6}`).Draw(t, "namespace"), nsLabels)
			// Ports the VPC-wide rules (API server, kubelet, node-exporter)
			// open to any address are the facts' business too.
			port := rapid.Int32Range(1, 65535).Filter(func(p int32) bool { return !slices.Contains([]int32{443, 9100, 10250}, p) }).Draw(t, "port")
			want := role == "app" || role == "platform"
			if got := platformAllows(pols, platformPrometheusPod, to, corev1.ProtocolTCP, port); got != want {
				t.Fatalf("prometheus → %s (idp-role %q) %d: allowed %v, want %v", to.namespace, role, port, got, want)
			}
		})
	})
	t.Run("no platform pod reaches the instance metadata service", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			ns := rapid.SampledFrom(slices.Sorted(maps.Keys(platformNamespaces))).Draw(t, "namespace")
			from := platformInNamespace(platformDrawPod(t, "from"), ns, platformRole)
			proto, port := platformDrawPort(t)
			if platformAllows(pols, from, platformIMDSHost, proto, port) {
				t.Fatalf("%s/%s reaches %s %d/%s", from.namespace, from.labels, platformIMDSHost.ip, port, proto)
			}
		})
	})
}

// ---------------------------------------------------------------------------
// RBAC, statically: developer-readonly names every resource and verb.

func TestPlatformClusterRolesAreExplicit(t *testing.T) {
	objs := platformBuild(t, "platform")
	var dev, admin rbacv1.ClusterRole
	platformTyped(t, manifesttest.Find(t, objs, "ClusterRole", "developer-readonly"), &dev)
	platformTyped(t, manifesttest.Find(t, objs, "ClusterRole", "platform-admin"), &admin)
	for _, r := range dev.Rules {
		for _, v := range r.Verbs {
			if !slices.Contains([]string{"get", "list", "watch"}, v) {
				t.Errorf("developer-readonly grants %q on %v", v, r.Resources)
			}
		}
		for _, res := range append(append([]string{}, r.Resources...), r.APIGroups...) {
			if strings.Contains(res, "*") {
				t.Errorf("developer-readonly uses a wildcard: %q", res)
			}
		}
		for _, res := range r.Resources {
			if res == "secrets" || strings.HasSuffix(res, "/exec") || strings.HasSuffix(res, "/attach") || strings.HasSuffix(res, "/portforward") || strings.HasSuffix(res, "/proxy") {
				t.Errorf("developer-readonly grants %s", res)
			}
		}
		if len(r.ResourceNames)+len(r.NonResourceURLs) != 0 {
			t.Errorf("unexpected rule %+v", r)
		}
	}
	for _, r := range admin.Rules {
		for _, v := range r.Verbs {
			if v == "*" || v == "escalate" || v == "bind" || v == "impersonate" {
				t.Errorf("platform-admin grants %q", v)
			}
		}
		if slices.Contains(r.APIGroups, "*") {
			t.Error("platform-admin covers every API group")
		}
	}
}

// ---------------------------------------------------------------------------
// Backstage.

var platformImageRef = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[a-z0-9-]+(:[0-9a-f]{40}|@sha256:[0-9a-f]{64})$`)

// TestPlatformBackstageDeployment: pinned image, restricted security
// context, probes, resources, one config file, and exactly the environment
// the config check declares, from the settings and the synced Secret.
func TestPlatformBackstageDeployment(t *testing.T) {
	objs := platformBuild(t, "backstage")
	var d appsv1.Deployment
	platformTyped(t, manifesttest.Find(t, objs, "Deployment", "backstage"), &d)
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers", len(spec.Containers))
	}
	c := spec.Containers[0]
	if !platformImageRef.MatchString(c.Image) {
		t.Errorf("image %q is not an ECR image pinned by commit SHA or digest", c.Image)
	}
	psc, sc := spec.SecurityContext, c.SecurityContext
	if psc == nil || sc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("security context not restricted: pod %+v, container %+v", psc, sc)
	}
	if c.StartupProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe == nil {
		t.Error("startup, readiness and liveness probes are required")
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v", c.Resources)
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 7007 {
		t.Errorf("ports %+v, want 7007", c.Ports)
	}
	var configs []string
	for i, a := range c.Args {
		if a == "--config" && i+1 < len(c.Args) {
			configs = append(configs, c.Args[i+1])
		}
	}
	if !slices.Equal(configs, []string{"/etc/backstage/app-config.production.yaml"}) {
		t.Errorf("--config %v: the mounted production config must be the only one (an image's app-config.yaml would merge guest sign-in back)", configs)
	}

	es := manifesttest.Find(t, objs, "ExternalSecret", "backstage-secrets")
	target, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name")
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
		if strings.HasPrefix(e.Name, "APP_CONFIG_") {
			t.Errorf("%s overrides the checked config at run time", e.Name)
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name != target {
			t.Errorf("%s reads Secret %s, not the synced %s", e.Name, e.ValueFrom.SecretKeyRef.Name, target)
		}
	}
	if len(c.EnvFrom) != 0 {
		t.Error("envFrom would pass every key of a Secret, APP_CONFIG_* included")
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == "NODE_ENV" || n == "NODE_OPTIONS" })
	slices.Sort(names)
	want := slices.Sorted(slices.Values(backstageconfig.ProductionEnv))
	if !slices.Equal(names, want) {
		t.Errorf("the Deployment sets %v\nthe config check declares %v", names, want)
	}

	// The mounted config is the checked file, and it passes the check.
	var cm corev1.ConfigMap
	for _, o := range objs {
		if o.GetKind() == "ConfigMap" && strings.HasPrefix(o.GetName(), "backstage-app-config-") {
			platformTyped(t, o, &cm)
		}
	}
	file, err := os.ReadFile("backstage/app-config.production.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data["app-config.production.yaml"] != string(file) {
		t.Error("the ConfigMap does not hold app-config.production.yaml")
	}
	mounted := false
	for _, v := range spec.Volumes {
		mounted = mounted || v.ConfigMap != nil && v.ConfigMap.Name == cm.Name
	}
	if !mounted {
		t.Errorf("ConfigMap %s is not mounted", cm.Name)
	}
	cfg, err := backstageconfig.Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := backstageconfig.CheckProduction(cfg, nil); err != nil {
		t.Error(err)
	}
}

// TestPlatformBackstageObjects: Service, Ingress on the shared ALB, and
// manifests/platform's two ClusterSecretStores.
func TestPlatformBackstageObjects(t *testing.T) {
	objs := platformBuild(t, "backstage")
	var svc corev1.Service
	platformTyped(t, manifesttest.Find(t, objs, "Service", "backstage"), &svc)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 7007 || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("service %+v", svc.Spec)
	}
	var ing networkingv1.Ingress
	platformTyped(t, manifesttest.Find(t, objs, "Ingress", "backstage"), &ing)
	for k, v := range map[string]string{
		"alb.ingress.kubernetes.io/group.name":   "idp-shared",
		"alb.ingress.kubernetes.io/listen-ports": `[{"HTTP":80},{"HTTPS":443}]`,
		"alb.ingress.kubernetes.io/ssl-redirect": "443",
		"alb.ingress.kubernetes.io/target-type":  "ip",
	} {
		if ing.Annotations[k] != v {
			t.Errorf("Ingress %s = %q, want %q", k, ing.Annotations[k], v)
		}
	}
	if !strings.HasPrefix(ing.Annotations["alb.ingress.kubernetes.io/certificate-arn"], "arn:aws:acm:") {
		t.Error("no ACM certificate")
	}
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "alb" || len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].Hosts[0] != ing.Spec.Rules[0].Host {
		t.Errorf("ingress %+v", ing.Spec)
	}

	for _, store := range []*unstructured.Unstructured{
		manifesttest.Find(t, platformBuild(t, "platform"), "ClusterSecretStore", "aws-secrets-manager"),
		manifesttest.Find(t, platformBuild(t, "platform"), "ClusterSecretStore", "aws-secrets-manager-platform"),
	} {
		// Each store has an identity of its own (seams_test.go).
		sa := map[string]string{"aws-secrets-manager": "external-secrets", "aws-secrets-manager-platform": "external-secrets-platform"}[store.GetName()]
		for path, want := range map[string]string{
			"spec.provider.aws.service":                              "SecretsManager",
			"spec.provider.aws.region":                               "us-east-2",
			"spec.provider.aws.auth.jwt.serviceAccountRef.name":      sa,
			"spec.provider.aws.auth.jwt.serviceAccountRef.namespace": "external-secrets",
		} {
			if got, _, _ := unstructured.NestedString(store.Object, strings.Split(path, ".")...); got != want {
				t.Errorf("ClusterSecretStore %s %s = %q, want %q", store.GetName(), path, got, want)
			}
		}
	}
}

// platformStoreServes mirrors External Secrets' shouldProcessSecret
// (pkg/controllers/secretstore/client_manager.go, v0.16.2): no conditions
// serve every namespace; otherwise any condition's selector or name list
// matching the namespace does.
func platformStoreServes(t *testing.T, store *unstructured.Unstructured, nsLabels map[string]string) bool {
	t.Helper()
	conds, _, _ := unstructured.NestedSlice(store.Object, "spec", "conditions")
	if len(conds) == 0 {
		return true
	}
	for _, c := range conds {
		data, _ := json.Marshal(c)
		var cond struct {
			NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector"`
			Namespaces        []string              `json:"namespaces"`
			NamespaceRegexes  []string              `json:"namespaceRegexes"`
		}
		if err := json.Unmarshal(data, &cond); err != nil {
			t.Fatal(err)
		}
		if len(cond.NamespaceRegexes) > 0 {
			t.Fatal("namespaceRegexes are not modelled")
		}
		if cond.NamespaceSelector != nil && platformSelects(cond.NamespaceSelector, nsLabels) {
			return true
		}
		if slices.Contains(cond.Namespaces, nsLabels["kubernetes.io/metadata.name"]) {
			return true
		}
	}
	return false
}

// platformExtractKeys returns the ExternalSecret's dataFrom.extract keys,
// or an error if it reads in any other way (spec.data, find, generators).
func platformExtractKeys(es *unstructured.Unstructured) ([]string, error) {
	spec, _, _ := unstructured.NestedMap(es.Object, "spec")
	if _, ok := spec["data"]; ok {
		return nil, fmt.Errorf("ExternalSecret %s lists spec.data", es.GetName())
	}
	from, _, _ := unstructured.NestedSlice(es.Object, "spec", "dataFrom")
	if len(from) == 0 {
		return nil, fmt.Errorf("ExternalSecret %s has no dataFrom", es.GetName())
	}
	var keys []string
	for _, f := range from {
		m, _ := f.(map[string]any)
		ex, ok := m["extract"].(map[string]any)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("ExternalSecret %s: dataFrom %v, want extract only", es.GetName(), m)
		}
		keys = append(keys, fmt.Sprint(ex["key"]))
	}
	return keys, nil
}

// TestPlatformExternalSecretAlwaysExtracts: whatever image and settings a
// deployment sets (the deploy script's `kustomize edit set image` and `set
// configmap`, drawn at random), the built Backstage ExternalSecret extracts
// idp/platform/backstage whole into exactly the Secret the Deployment
// reads, the Deployment runs exactly the drawn image, and the settings
// reach the Ingress and the store.
func TestPlatformExternalSecretAlwaysExtracts(t *testing.T) {
	dir := filepath.Join(kubetest.RepoRoot(t), "manifests", "backstage")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if files[e.Name()], err = os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	var kust map[string]any
	if err := yaml.Unmarshal(files["kustomization.yaml"], &kust); err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(rt *rapid.T) {
		account := rapid.StringMatching(`[0-9]{12}`).Draw(rt, "account")
		region := rapid.SampledFrom([]string{"us-east-1", "us-east-2", "eu-west-1", "ap-northeast-1"}).Draw(rt, "region")
		repo := rapid.StringMatching(`[a-z][a-z0-9-]{0,20}[a-z0-9]`).Draw(rt, "repository")
		domain := rapid.StringMatching(`[a-z][a-z0-9]{0,10}\.[a-z]{2,6}`).Draw(rt, "domain")
		name := account + ".dkr.ecr." + region + ".amazonaws.com/" + repo
		image := map[string]any{"name": "backstage", "newName": name}
		want := name
		if rapid.Bool().Draw(rt, "digest") {
			digest := "sha256:" + rapid.StringMatching(`[0-9a-f]{64}`).Draw(rt, "sha256")
			image["digest"], want = digest, name+"@"+digest
		} else {
			sha := rapid.StringMatching(`[0-9a-f]{40}`).Draw(rt, "commit")
			image["newTag"], want = sha, name+":"+sha
		}
		k := platformDeepCopy(kust)
		k["images"] = []any{image}
		for _, g := range k["configMapGenerator"].([]any) {
			g := g.(map[string]any)
			if g["name"] != "backstage-settings" {
				continue
			}
			lits := g["literals"].([]any)
			for i, l := range lits {
				key, _, _ := strings.Cut(l.(string), "=")
				switch key {
				case "BACKSTAGE_HOST":
					lits[i] = key + "=backstage." + domain
				case "AWS_REGION":
					lits[i] = key + "=" + region
				}
			}
		}
		fs := filesys.MakeFsInMemory()
		for n, data := range files {
			if n == "kustomization.yaml" {
				if data, err = yaml.Marshal(k); err != nil {
					rt.Fatal(err)
				}
			}
			if err := fs.WriteFile("/backstage/"+n, data); err != nil {
				rt.Fatal(err)
			}
		}
		res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/backstage")
		if err != nil {
			rt.Fatal(err)
		}
		out, err := res.AsYaml()
		if err != nil {
			rt.Fatal(err)
		}
		objs, err := kubetest.Decode(out)
		if err != nil {
			rt.Fatal(err)
		}
		var es, deploy, ing *unstructured.Unstructured
		for _, o := range objs {
			switch o.GetKind() {
			case "ExternalSecret":
				es = o
			case "Deployment":
				deploy = o
			case "Ingress":
				ing = o
			}
		}
		if keys, err := platformExtractKeys(es); err != nil || !slices.Equal(keys, []string{"idp/platform/backstage"}) {
			rt.Fatalf("extracts %v (%v)", keys, err)
		}
		target, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name")
		var d appsv1.Deployment
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(deploy.Object, &d); err != nil {
			rt.Fatal(err)
		}
		c := d.Spec.Template.Spec.Containers[0]
		if c.Image != want || !platformImageRef.MatchString(c.Image) {
			rt.Fatalf("image %s, want %s", c.Image, want)
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name != target {
				rt.Fatalf("%s reads Secret %s, the ExternalSecret writes %s", e.Name, e.ValueFrom.SecretKeyRef.Name, target)
			}
		}
		rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
		if host := rules[0].(map[string]any)["host"]; host != "backstage."+domain {
			rt.Fatalf("host %v", host)
		}
	})
	// The platform's own ExternalSecret (Grafana Cloud) extracts too.
	for _, o := range platformBuild(t, "platform") {
		if o.GetKind() != "ExternalSecret" {
			continue
		}
		if keys, err := platformExtractKeys(o); err != nil || len(keys) != 1 {
			t.Errorf("%s extracts %v (%v)", o.GetName(), keys, err)
		}
	}
}

func platformDeepCopy(m map[string]any) map[string]any {
	return runtime.DeepCopyJSON(m)
}

// ---------------------------------------------------------------------------
// On a real kube-apiserver with the CRDs.

// TestPlatformAPIServer: both bases pass server-side dry-run with strict
// field validation and the CRD schemas, then are applied for real; Pod
// Security admits Backstage (and Argo CD's own pods) under restricted; the
// cluster roles are proved on the server.
func TestPlatformAPIServer(t *testing.T) {
	srv := kubetest.Start(t)
	srv.InstallCRDs(t, kubetest.CRDDir(t))
	ctx := context.Background()
	platform, backstage := platformBuild(t, "platform"), platformBuild(t, "backstage")

	// Namespaced dry-runs need their namespace: the Namespaces go first.
	for _, o := range platform {
		if o.GetKind() == "Namespace" {
			if err := srv.Apply(ctx, o, true); err != nil {
				t.Fatalf("dry-run Namespace %s: %v", o.GetName(), err)
			}
			if err := srv.Apply(ctx, o, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("server-side dry-run", func(t *testing.T) {
		for _, o := range append(append([]*unstructured.Unstructured{}, platform...), backstage...) {
			if err := srv.Apply(ctx, o, true); err != nil {
				t.Errorf("%s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			}
		}
	})
	for _, o := range append(append([]*unstructured.Unstructured{}, platform...), backstage...) {
		if err := srv.Apply(ctx, o, false); err != nil {
			t.Fatalf("apply %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}

	t.Run("dry-run rejects", func(t *testing.T) {
		mutations := map[string]struct {
			objs       []*unstructured.Unstructured
			kind, name string
			mutate     func(*unstructured.Unstructured)
			want       string
		}{
			"unknown NetworkPolicy field": {platform, "NetworkPolicy", "allow-dns", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, true, "spec", "allowAll")
			}, "field not declared in schema"},
			"store of another provider kind": {platform, "ClusterSecretStore", "aws-secrets-manager", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "ParameterStoreX", "spec", "provider", "aws", "service")
			}, "service"},
			"ExternalSecret without a store kind it knows": {backstage, "ExternalSecret", "backstage-secrets", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "Vault", "spec", "secretStoreRef", "kind")
			}, "kind"},
			"misspelled Grafana external field": {platform, "Grafana", "grafana-cloud", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "token", "spec", "external", "apiToken")
			}, "field not declared in schema"},
			"Grafana external without a URL": {platform, "Grafana", "grafana-cloud", func(u *unstructured.Unstructured) {
				unstructured.RemoveNestedField(u.Object, "spec", "external", "url")
			}, "url"},
		}
		for name, m := range mutations {
			t.Run(name, func(t *testing.T) {
				o := manifesttest.Find(t, m.objs, m.kind, m.name).DeepCopy()
				m.mutate(o)
				err := srv.Apply(ctx, o, true)
				if err == nil || !strings.Contains(err.Error(), m.want) {
					t.Fatalf("err = %v, want one mentioning %q", err, m.want)
				}
			})
		}
	})

	t.Run("Pod Security", func(t *testing.T) {
		deploy := manifesttest.Find(t, backstage, "Deployment", "backstage")
		if err := platformAdmit(ctx, srv, deploy, "backstage"); err != nil {
			t.Errorf("Backstage's pod is not admitted: %v", err)
		}
		bad := deploy.DeepCopy()
		cs, _, _ := unstructured.NestedSlice(bad.Object, "spec", "template", "spec", "containers")
		_ = unstructured.SetNestedStringSlice(cs[0].(map[string]any), []string{"NET_RAW"}, "securityContext", "capabilities", "add")
		_ = unstructured.SetNestedSlice(bad.Object, cs, "spec", "template", "spec", "containers")
		for _, ns := range []string{"backstage", "argocd", "external-secrets"} {
			if err := platformAdmit(ctx, srv, bad, ns); err == nil || !strings.Contains(err.Error(), "restricted") {
				t.Errorf("%s admits a pod adding NET_RAW: %v", ns, err)
			}
		}
		// monitoring enforces privileged: node-exporter's host namespaces.
		host := deploy.DeepCopy()
		_ = unstructured.SetNestedField(host.Object, true, "spec", "template", "spec", "hostNetwork")
		_ = unstructured.SetNestedField(host.Object, true, "spec", "template", "spec", "hostPID")
		if err := platformAdmit(ctx, srv, host, "monitoring"); err != nil {
			t.Errorf("monitoring refuses a node-exporter-like pod: %v", err)
		}
		if err := platformAdmit(ctx, srv, host, "backstage"); err == nil {
			t.Error("backstage admits hostNetwork and hostPID")
		}
	})

	t.Run("Argo CD's own pods pass restricted", func(t *testing.T) {
		install := platformArgoCDInstall(t)
		n := 0
		for _, o := range install {
			if o.GetKind() != "Deployment" && o.GetKind() != "StatefulSet" {
				continue
			}
			n++
			if err := platformAdmit(ctx, srv, o, "argocd"); err != nil {
				t.Errorf("%s %s: %v", o.GetKind(), o.GetName(), err)
			}
		}
		if n < 5 {
			t.Fatalf("only %d workloads in Argo CD's install.yaml", n)
		}
	})

	t.Run("developer-readonly is read-only", func(t *testing.T) {
		platformSeed(ctx, t, srv)
		bind := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "test-developer-readonly"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "developer-readonly"},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: kubetest.TestUser}},
		}
		if _, err := srv.Client.RbacV1().ClusterRoleBindings().Create(ctx, bind, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		user := kubernetes.NewForConfigOrDie(srv.User)
		platformEventually(t, func() error {
			_, err := user.CoreV1().Pods("hello-world").List(ctx, metav1.ListOptions{})
			return err
		})

		// Every resource and subresource the server serves, every verb.
		for _, v := range platformReadOnlyViolations(ctx, t, srv, user) {
			t.Error(v)
		}

		// Real requests.
		if _, err := user.AppsV1().Deployments("hello-world").Get(ctx, "hello-world", metav1.GetOptions{}); err != nil {
			t.Errorf("get deployment: %v", err)
		}
		if _, err := user.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); err != nil {
			t.Errorf("list pods in every namespace: %v", err)
		}
		forbidden := map[string]error{
			"get secret": func() error {
				_, err := user.CoreV1().Secrets("hello-world").Get(ctx, "hello-world", metav1.GetOptions{})
				return err
			}(),
			"list secrets": func() error {
				_, err := user.CoreV1().Secrets("").List(ctx, metav1.ListOptions{})
				return err
			}(),
			"create pod": func() error {
				_, err := user.CoreV1().Pods("hello-world").Create(ctx, platformPodObject(), metav1.CreateOptions{})
				return err
			}(),
			"pods/exec": user.CoreV1().RESTClient().Post().Namespace("hello-world").Resource("pods").Name("hello-world").SubResource("exec").
				Param("command", "sh").Param("stdout", "true").Do(ctx).Error(),
			"pods/portforward":  user.CoreV1().RESTClient().Post().Namespace("hello-world").Resource("pods").Name("hello-world").SubResource("portforward").Do(ctx).Error(),
			"pods/attach":       user.CoreV1().RESTClient().Post().Namespace("hello-world").Resource("pods").Name("hello-world").SubResource("attach").Do(ctx).Error(),
			"delete deployment": user.AppsV1().Deployments("hello-world").Delete(ctx, "hello-world", metav1.DeleteOptions{}),
			"scale deployment": func() error {
				_, err := user.AppsV1().Deployments("hello-world").Patch(ctx, "hello-world", "application/merge-patch+json", []byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{})
				return err
			}(),
			"bind cluster-admin": func() error {
				_, err := user.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
					ObjectMeta: metav1.ObjectMeta{Name: "steal"},
					RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
					Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: kubetest.TestUser}},
				}, metav1.CreateOptions{})
				return err
			}(),
		}
		for what, err := range forbidden {
			if !apierrors.IsForbidden(err) {
				t.Errorf("%s: err = %v, want Forbidden", what, err)
			}
		}

		// The shipped group binding and Backstage's binding grant the same.
		for _, who := range []platformSubject{
			{"alice", []string{"idp:developers", "system:authenticated"}},
			{"system:serviceaccount:backstage:backstage", []string{"system:serviceaccounts", "system:serviceaccounts:backstage", "system:authenticated"}},
		} {
			if !platformCan(ctx, t, srv, who, "list", "", "pods", "", "hello-world") || platformCan(ctx, t, srv, who, "get", "", "secrets", "", "hello-world") ||
				platformCan(ctx, t, srv, who, "create", "", "pods", "exec", "hello-world") {
				t.Errorf("%s: not exactly read-only", who.user)
			}
		}

		// The check can fail: a developer-readonly that reads Secrets.
		role, err := srv.Client.RbacV1().ClusterRoles().Get(ctx, "developer-readonly", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		original := role.DeepCopy()
		role.Rules[0].Resources = append(role.Rules[0].Resources, "secrets")
		if _, err := srv.Client.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		platformEventually(t, func() error {
			if v := platformReadOnlyViolations(ctx, t, srv, user); !slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, "get secrets") }) {
				return fmt.Errorf("no violation reported for secrets: %v", v)
			}
			return nil
		})
		original.ResourceVersion = ""
		if err := srv.Client.RbacV1().ClusterRoles().Delete(ctx, "developer-readonly", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Client.RbacV1().ClusterRoles().Create(ctx, original, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("platform-admin administers without escalating", func(t *testing.T) {
		admin := rest.CopyConfig(srv.Config)
		admin.Impersonate = rest.ImpersonationConfig{UserName: "pat", Groups: []string{"idp:platform-admins", "system:authenticated"}}
		pat := kubernetes.NewForConfigOrDie(admin)
		platformEventually(t, func() error {
			_, err := pat.AppsV1().Deployments("argocd").List(ctx, metav1.ListOptions{})
			return err
		})
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: "argocd"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "probe"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "probe"}}, Spec: platformPodObject().Spec},
			},
		}
		if _, err := pat.AppsV1().Deployments("argocd").Create(ctx, d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Errorf("create a Deployment in argocd: %v", err)
		}
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "team-read", Namespace: "hello-world"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "developer-readonly"},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "team-a"}},
		}
		if _, err := pat.RbacV1().RoleBindings("hello-world").Create(ctx, rb, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Errorf("bind developer-readonly (permissions held): %v", err)
		}
		crb := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "pat-cluster-admin"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "pat"}},
		}
		if _, err := pat.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
			t.Errorf("bind cluster-admin: err = %v, want Forbidden (no escalate or bind)", err)
		}
		who := platformSubject{"pat", []string{"idp:platform-admins", "system:authenticated"}}
		for _, denied := range [][4]string{
			{"impersonate", "", "users", ""},
			{"impersonate", "", "groups", ""},
			{"impersonate", "", "serviceaccounts", ""},
			{"escalate", "rbac.authorization.k8s.io", "clusterroles", ""},
			{"bind", "rbac.authorization.k8s.io", "clusterroles", ""},
			{"create", "certificates.k8s.io", "certificatesigningrequests", ""},
		} {
			if platformCan(ctx, t, srv, who, denied[0], denied[1], denied[2], denied[3], "") {
				t.Errorf("platform-admin may %s %s.%s", denied[0], denied[2], denied[1])
			}
		}
	})
}

// platformAdmit dry-runs a Pod from a workload's template in ns: Pod
// Security admission judges pods, not Deployments.
func platformAdmit(ctx context.Context, srv *kubetest.Server, workload *unstructured.Unstructured, ns string) error {
	tmpl, _, _ := unstructured.NestedMap(workload.Object, "spec", "template")
	var pod corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(tmpl, &pod, true); err != nil {
		return err
	}
	pod.Name = workload.GetName() + "-probe"
	// Without a controller manager no service account exists by itself.
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	_, err := srv.Client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	_, err = srv.Client.CoreV1().Pods(ns).Create(ctx, &pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return err
}

// platformArgoCDInstall reads Argo CD v3.5.7's install.yaml from the Go
// module cache (hack/tools/crds.sh downloads that module for its CRDs).
func platformArgoCDInstall(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/argoproj/argo-cd/v3@v3.5.7")
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("Argo CD's module is not available: %v", err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download: %v %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(m.Dir, "manifests", "install.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kubetest.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// platformSeed makes an app namespace with a Deployment and a Secret to
// read (or not).
func platformSeed(ctx context.Context, t *testing.T, srv *kubetest.Server) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "hello-world", Labels: map[string]string{"idp-role": "app"}}}
	if _, err := srv.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "hello-world", Namespace: "hello-world"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "hello-world"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "hello-world"}}, Spec: platformPodObject().Spec},
		},
	}
	if _, err := srv.Client.AppsV1().Deployments("hello-world").Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "hello-world", Namespace: "hello-world"}, StringData: map[string]string{"TOKEN": "s3cr3t"}}
	if _, err := srv.Client.CoreV1().Secrets("hello-world").Create(ctx, s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func platformPodObject() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "probe-"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example/c:1"}}},
	}
}

type platformSubject struct {
	user   string
	groups []string
}

// platformCan asks the API server (SubjectAccessReview) whether who may.
func platformCan(ctx context.Context, t *testing.T, srv *kubetest.Server, who platformSubject, verb, group, resource, sub, ns string) bool {
	t.Helper()
	r, err := srv.Client.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: who.user, Groups: who.groups,
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: verb, Group: group, Resource: resource, Subresource: sub, Namespace: ns},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r.Status.Allowed
}

// platformSelfReviews are the "create"s every authenticated user has.
var platformSelfReviews = []string{"selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"}

// platformReadOnlyViolations asks the server, as user (SelfSubjectAccessReview),
// about every resource and subresource discovery lists, with every verb:
// any write, escalate, bind or impersonate, anything on Secrets, and any
// exec, attach, port-forward or proxy is a violation; so is failing to read
// what developers need.
func platformReadOnlyViolations(ctx context.Context, t *testing.T, srv *kubetest.Server, user kubernetes.Interface) []string {
	t.Helper()
	_, lists, err := srv.Client.Discovery().ServerGroupsAndResources()
	if err != nil {
		t.Fatal(err)
	}
	type query struct {
		verb, group, resource, sub string
		namespaced                 bool
	}
	var queries []query
	seen := map[string]bool{}
	for _, l := range lists {
		gv, err := platformGroupOf(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range l.APIResources {
			res, sub, _ := strings.Cut(r.Name, "/")
			key := gv + "/" + r.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			for _, verb := range []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "approve"} {
				queries = append(queries, query{verb, gv, res, sub, r.Namespaced})
			}
		}
	}
	mustRead := map[string]bool{"/pods": true, "/pods/log": true, "apps/deployments": true, "apps/replicasets": true, "/services": true, "/events": true, "networking.k8s.io/ingresses": true, "argoproj.io/applications": true}
	readable := map[string]bool{}
	var mu sync.Mutex
	var out []string
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, q := range queries {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ns := ""
			if q.namespaced {
				ns = "hello-world"
			}
			r, err := user.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: q.verb, Group: q.group, Resource: q.resource, Subresource: q.sub, Namespace: ns},
			}}, metav1.CreateOptions{})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out = append(out, fmt.Sprintf("%s %s: %v", q.verb, q.resource, err))
				return
			}
			name := q.resource
			if q.sub != "" {
				name += "/" + q.sub
			}
			if !r.Status.Allowed {
				return
			}
			read := q.verb == "get" || q.verb == "list" || q.verb == "watch"
			switch {
			case q.verb == "create" && slices.Contains(platformSelfReviews, q.resource):
				// Every authenticated user may ask about themselves
				// (system:basic-user); nothing is written.
			case !read:
				out = append(out, fmt.Sprintf("%s %s.%s is allowed", q.verb, name, q.group))
			case q.resource == "secrets" || slices.Contains([]string{"exec", "attach", "portforward", "proxy"}, q.sub):
				out = append(out, fmt.Sprintf("%s %s is allowed", q.verb, name))
			default:
				readable[q.group+"/"+name] = true
			}
		}()
	}
	wg.Wait()
	for k := range mustRead {
		if !readable[k] {
			out = append(out, "cannot read "+k)
		}
	}
	sort.Strings(out)
	return out
}

func platformGroupOf(groupVersion string) (string, error) {
	gv, err := schema.ParseGroupVersion(groupVersion)
	return gv.Group, err
}

// platformEventually retries f for up to 10 s: RBAC changes reach the
// authorizer through an informer.
func platformEventually(t *testing.T, f func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = f(); err == nil {
			return
		}
	}
	t.Fatal(err)
}
