package render_test

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/internal/apptest"
)

type rendered struct {
	ns       *corev1.Namespace
	deploy   *appsv1.Deployment
	svc      *corev1.Service
	ing      *networkingv1.Ingress
	es       *render.ExternalSecret
	sm       *monitoringv1.ServiceMonitor
	roles    []*rbacv1.Role
	bindings []*rbacv1.RoleBinding
	pols     map[string]*networkingv1.NetworkPolicy
	all      []render.Object
}

func index(objs []render.Object) rendered {
	r := rendered{pols: map[string]*networkingv1.NetworkPolicy{}, all: objs}
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.Namespace:
			r.ns = v
		case *appsv1.Deployment:
			r.deploy = v
		case *corev1.Service:
			r.svc = v
		case *networkingv1.Ingress:
			r.ing = v
		case *render.ExternalSecret:
			r.es = v
		case *monitoringv1.ServiceMonitor:
			r.sm = v
		case *rbacv1.Role:
			r.roles = append(r.roles, v)
		case *rbacv1.RoleBinding:
			r.bindings = append(r.bindings, v)
		case *networkingv1.NetworkPolicy:
			r.pols[v.Name] = v
		}
	}
	return r
}

// TestRenderInvariants: for any valid app the core objects exist and agree
// on names, ports and selectors.
func TestRenderInvariants(t *testing.T) {
	p := testPlatform()
	rapid.Check(t, func(t *rapid.T) {
		app := apptest.GenApp(t, p)
		name := app.Metadata.Name
		r := index(render.App(app, p))
		if r.ns == nil || r.deploy == nil || r.svc == nil || len(r.roles) != 1 || len(r.bindings) != 1 {
			t.Fatalf("missing a core object: %+v", r)
		}
		if *app.Spec.Ingress.Enabled != (r.ing != nil) || *app.Spec.Metrics.Enabled != (r.sm != nil) {
			t.Fatal("ingress or monitoring does not follow the spec")
		}
		for _, o := range r.all {
			m := metaOf(o)
			if m.GetName() == "" || (r.ns != o && m.GetNamespace() != name) {
				t.Fatalf("%T %s/%s is outside the app's namespace", o, m.GetNamespace(), m.GetName())
			}
			if m.GetLabels()[render.LabelBackstage] != name {
				t.Fatalf("%T %s lacks the Backstage label", o, m.GetName())
			}
		}
		podLabels := labels.Set(r.deploy.Spec.Template.Labels)
		sel := labels.SelectorFromSet(r.deploy.Spec.Selector.MatchLabels)
		if !sel.Matches(podLabels) || !labels.SelectorFromSet(r.svc.Spec.Selector).Matches(podLabels) {
			t.Fatal("Deployment or Service selector misses the pods")
		}
		c := r.deploy.Spec.Template.Spec.Containers[0]
		named := map[string]int32{}
		for _, cp := range c.Ports {
			named[cp.Name] = cp.ContainerPort
		}
		for _, sp := range r.svc.Spec.Ports {
			if named[sp.TargetPort.StrVal] != sp.Port {
				t.Fatalf("service port %s does not reach the container", sp.Name)
			}
		}
		if named["http"] != app.Spec.Port {
			t.Fatalf("http port %d, want %d", named["http"], app.Spec.Port)
		}
		if r.ing != nil {
			paths := r.ing.Spec.Rules[0].HTTP.Paths
			b := paths[len(paths)-1].Backend.Service // the app's own rule comes last
			if b.Name != r.svc.Name || !slices.ContainsFunc(r.svc.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == b.Port.Name }) {
				t.Fatal("Ingress backend is not the Service")
			}
			host := r.ing.Spec.Rules[0].Host
			if host != p.Host(name) {
				t.Fatalf("host %s is not the app's own", host)
			}
			alb := r.pols["allow-alb"]
			if alb == nil || alb.Spec.Ingress[0].Ports[0].Port.IntVal != app.Spec.Port {
				t.Fatal("ALB cannot reach the app port")
			}
		}
		if r.sm != nil {
			if named[r.sm.Spec.Endpoints[0].Port] != app.Spec.Metrics.Port {
				t.Fatal("ServiceMonitor scrapes the wrong port")
			}
			if r.pols["allow-prometheus"].Spec.Ingress[0].Ports[0].Port.IntVal != app.Spec.Metrics.Port {
				t.Fatal("Prometheus cannot reach the metrics port")
			}
		}
		checkSecrets(t, app, r, p)
		checkMetricsPrivate(t, app, r)
		if r.ns.Labels["elbv2.k8s.aws/pod-readiness-gate-inject"] != "enabled" {
			t.Fatal("the namespace does not ask for the ALB readiness gate")
		}
		checkNetworkPolicies(t, r, p)
		checkRBAC(t, r)
		checkDeterministic(t, app, p)
	})
}

// checkSecrets: no ExternalSecret (and no envFrom) without spec.secrets;
// with it, one whose key is the app's own, read by the Deployment.
func checkSecrets(t *rapid.T, app *appspec.App, r rendered, p appspec.Platform) {
	c := r.deploy.Spec.Template.Spec.Containers[0]
	if app.Spec.Secrets == nil {
		if r.es != nil || len(c.EnvFrom) != 0 {
			t.Fatal("an app without spec.secrets renders an ExternalSecret or envFrom")
		}
		return
	}
	if r.es == nil {
		t.Fatal("spec.secrets renders no ExternalSecret")
	}
	key, own := r.es.Spec.DataFrom[0].Extract.Key, p.SecretKey(app.Metadata.Name)
	if key != own && !strings.HasPrefix(key, own+"/") {
		t.Fatalf("secret key %s outside the app's prefix", key)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != r.es.Spec.Target.Name {
		t.Fatal("the Deployment does not read the synced Secret")
	}
}

// checkMetricsPrivate: the Ingress never routes to the metrics port, the
// ALB's sources never reach it, and when an app serves metrics on its app
// port the ALB answers the metrics path itself. The same app is checked in
// both layouts.
func checkMetricsPrivate(t *rapid.T, app *appspec.App, r rendered) {
	checkLayout(t, app, r)
	if *app.Spec.Metrics.Enabled && app.Spec.Metrics.Port != app.Spec.Port {
		old := *app
		m := *app.Spec.Metrics
		m.Port = app.Spec.Port
		old.Spec.Metrics = &m
		checkLayout(t, &old, index(render.App(&old, testPlatform())))
	}
}

func checkLayout(t *rapid.T, app *appspec.App, r rendered) {
	s := app.Spec
	if got := envValue(r.deploy.Spec.Template.Spec.Containers[0], "METRICS_PORT"); got != strconv.Itoa(int(s.Metrics.Port)) {
		t.Fatalf("METRICS_PORT = %q, want %d", got, s.Metrics.Port)
	}
	if r.ing == nil {
		return
	}
	svcPorts := map[string]int32{}
	for _, sp := range r.svc.Spec.Ports {
		svcPorts[sp.Name] = sp.Port
	}
	blocked := false
	for _, path := range r.ing.Spec.Rules[0].HTTP.Paths {
		b := path.Backend.Service
		if b.Port.Name == "use-annotation" {
			blocked = blocked || path.Path == s.Metrics.Path
			continue
		}
		if b.Port.Name != "http" || (svcPorts[b.Port.Name] == s.Metrics.Port && s.Metrics.Port != s.Port) {
			t.Fatalf("the Ingress routes to port %+v", b.Port)
		}
	}
	if *s.Metrics.Enabled && s.Metrics.Port == s.Port && (!blocked || r.ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port.Name != "use-annotation") {
		t.Fatal("metrics on the app port, and the ALB does not answer the metrics path first")
	}
	for _, rule := range r.pols["allow-alb"].Spec.Ingress {
		for _, port := range rule.Ports {
			if port.Port.IntVal != s.Port {
				t.Fatalf("the ALB reaches port %d", port.Port.IntVal)
			}
		}
	}
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// TestShutdownInvariants: for any grace period, the kubelet never kills
// mid-preStop, and the ALB's drain ends before the kill.
func TestShutdownInvariants(t *testing.T) {
	p := testPlatform()
	rapid.Check(t, func(t *rapid.T) {
		app := apptest.GenApp(t, p)
		if rapid.Bool().Draw(t, "setGrace") {
			app.Spec.Lifecycle.TerminationGracePeriodSeconds = ptr(rapid.Int64Range(1, 600).Draw(t, "grace"))
		}
		r := index(render.App(app, p))
		ps := r.deploy.Spec.Template.Spec
		grace := *ps.TerminationGracePeriodSeconds
		var preStop int64
		if l := ps.Containers[0].Lifecycle; l != nil && l.PreStop != nil {
			preStop = l.PreStop.Sleep.Seconds
			if preStop < 1 {
				t.Fatalf("preStop sleeps %d s", preStop)
			}
		}
		if preStop >= grace {
			t.Fatalf("preStop %d s, grace %d s", preStop, grace)
		}
		if r.ing == nil {
			return
		}
		_, v, _ := strings.Cut(r.ing.Annotations["alb.ingress.kubernetes.io/target-group-attributes"], "deregistration_delay.timeout_seconds=")
		drain, err := strconv.ParseInt(v, 10, 64)
		if err != nil || drain < 0 || preStop+drain >= grace {
			t.Fatalf("grace %d s, preStop %d s, drain %q: %v", grace, preStop, v, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// checkNetworkPolicies: default deny is always there, and no rule admits
// traffic from another app's namespace.
func checkNetworkPolicies(t *rapid.T, r rendered, p appspec.Platform) {
	dd := r.pols["default-deny"]
	if dd == nil || len(dd.Spec.PodSelector.MatchLabels) != 0 || len(dd.Spec.PolicyTypes) != 2 || dd.Spec.Ingress != nil || dd.Spec.Egress != nil {
		t.Fatal("default-deny is missing or not total")
	}
	for _, pol := range r.pols {
		for _, rule := range pol.Spec.Ingress {
			for _, peer := range rule.From {
				if peer.NamespaceSelector != nil && peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != p.MonitoringNamespace {
					t.Fatalf("%s admits namespace %v", pol.Name, peer.NamespaceSelector)
				}
				if peer.NamespaceSelector == nil && peer.IPBlock == nil {
					t.Fatalf("%s admits a pod selector without a namespace", pol.Name)
				}
			}
		}
	}
}

// checkRBAC: the app's Role never grants Secrets or a write verb.
func checkRBAC(t *rapid.T, r rendered) {
	for _, role := range r.roles {
		for _, rule := range role.Rules {
			if slices.Contains(rule.Resources, "secrets") || slices.Contains(rule.Resources, "*") {
				t.Fatalf("role %s reads secrets", role.Name)
			}
			for _, v := range rule.Verbs {
				if !slices.Contains(render.ReadVerbs, v) {
					t.Fatalf("role %s grants %s", role.Name, v)
				}
			}
		}
	}
	b := r.bindings[0]
	if b.RoleRef.Kind != "Role" || len(b.Subjects) != 1 || b.Subjects[0].Namespace != r.ns.Name {
		t.Fatalf("binding %+v reaches beyond the app", b)
	}
}

func checkDeterministic(t *rapid.T, app *appspec.App, p appspec.Platform) {
	a, err := render.YAML(render.App(app, p))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := render.YAML(render.App(app, p))
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of one app differ")
	}
}

// TestProjectConfines: for any app and repository, the AppProject allows
// exactly one destination namespace and one source repository.
func TestProjectConfines(t *testing.T) {
	p := testPlatform()
	rapid.Check(t, func(t *rapid.T) {
		app := apptest.GenApp(t, p)
		repo := "https://gitlab.example.com/" + rapid.StringMatching(`[a-z]{1,8}(/[a-z]{1,8}){0,2}`).Draw(t, "group") + "/" + app.Metadata.Name + ".git"
		objs, err := render.Project(app, p, repo)
		if err != nil {
			t.Fatal(err)
		}
		proj := objs[0].(*render.AppProject)
		s := proj.Spec
		if len(s.Destinations) != 1 || s.Destinations[0].Namespace != app.Metadata.Name || s.Destinations[0].Server != p.DestinationServer {
			t.Fatalf("destinations %v", s.Destinations)
		}
		if !slices.Equal(s.SourceRepos, []string{repo}) {
			t.Fatalf("sourceRepos %v", s.SourceRepos)
		}
		if len(s.ClusterResourceWhitelist) != 1 || s.ClusterResourceWhitelist[0] != (render.ClusterResource{Kind: "Namespace", Name: app.Metadata.Name}) {
			t.Fatalf("cluster resources %v", s.ClusterResourceWhitelist)
		}
		for _, gk := range s.NamespaceResourceWhitelist {
			if gk.Kind == "Secret" || gk.Kind == "*" || gk.Group == "*" {
				t.Fatalf("project allows %v", gk)
			}
		}
		// Every kind the app renders is allowed, or the app could not sync.
		for _, o := range render.App(app, p) {
			gvk := o.GetObjectKind().GroupVersionKind()
			gk := render.GroupKind{Group: gvk.Group, Kind: gvk.Kind}
			if gk.Kind != "Namespace" && !slices.Contains(s.NamespaceResourceWhitelist, gk) {
				t.Fatalf("rendered %v is not allowed by the project", gk)
			}
		}
	})
}
