package render_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

// These tests pin what the platform promises app teams (README.app-contract.md);
// the rapid properties in property_test.go check the same rules for any app.

const (
	readinessGateLabel  = "elbv2.k8s.aws/pod-readiness-gate-inject"
	targetGroupAttrs    = "alb.ingress.kubernetes.io/target-group-attributes"
	deregistrationDelay = "deregistration_delay.timeout_seconds="
)

func renderApp(t *testing.T, app *appspec.App) rendered {
	t.Helper()
	return index(render.App(app, testPlatform()))
}

func withSpec(t *testing.T, extra string) *appspec.App {
	t.Helper()
	src := "apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: hello-world\nspec:\n  owner: team-a\n" +
		"  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc\n  port: 3000\n" + extra
	app, err := appspec.Load("app.yaml", []byte(src), testPlatform())
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestSecretsOnlyWhenAsked: nothing creates a store entry for an app that
// did not ask for one, and Argo CD reports an ExternalSecret whose entry is
// missing as Degraded; so no spec.secrets, no ExternalSecret and no envFrom.
func TestSecretsOnlyWhenAsked(t *testing.T) {
	r := renderApp(t, load(t, "testdata/hello-world"))
	if r.es != nil {
		t.Errorf("hello-world has no spec.secrets but renders ExternalSecret %s (key %s)", r.es.Name, r.es.Spec.DataFrom[0].Extract.Key)
	}
	if c := r.deploy.Spec.Template.Spec.Containers[0]; len(c.EnvFrom) != 0 {
		t.Errorf("hello-world reads Secret %s through envFrom", c.EnvFrom[0].SecretRef.Name)
	}
	for name, app := range map[string]*appspec.App{"secrets: {}": withSpec(t, "  secrets: {}\n"), "full": load(t, "testdata/full")} {
		r := renderApp(t, app)
		if r.es == nil {
			t.Fatalf("%s: no ExternalSecret", name)
		}
		c := r.deploy.Spec.Template.Spec.Containers[0]
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != r.es.Spec.Target.Name {
			t.Errorf("%s: envFrom %+v does not read the synced Secret %s", name, c.EnvFrom, r.es.Spec.Target.Name)
		}
	}
}

// TestNamespaceInjectsReadinessGate: the AWS Load Balancer Controller only
// injects its target-health readiness gate into pods of labelled
// namespaces; without it a rollout can replace every pod before the ALB has
// one healthy target.
func TestNamespaceInjectsReadinessGate(t *testing.T) {
	for _, dir := range cases(t) {
		r := renderApp(t, load(t, dir))
		if got := r.ns.Labels[readinessGateLabel]; got != "enabled" {
			t.Errorf("%s: namespace label %s = %q, want enabled", dir, readinessGateLabel, got)
		}
	}
}

// TestShutdownOutlastsTheALB: with the default grace period, the preStop
// outlasts the ALB's deregistration, the ALB drains in-flight requests for
// the deregistration delay, and the kubelet kills only after both.
func TestShutdownOutlastsTheALB(t *testing.T) {
	r := renderApp(t, load(t, "testdata/hello-world"))
	grace, preStop, drain := timeline(t, r)
	if preStop < 15 {
		t.Errorf("preStop sleeps %d s; the ALB needs about 15 s to stop routing to a deregistered target", preStop)
	}
	if drain < 30 {
		t.Errorf("deregistration delay %d s, want at least 30 s to drain in-flight requests", drain)
	}
	if grace <= preStop+drain {
		t.Errorf("terminationGracePeriodSeconds %d does not exceed preStop %d + drain %d", grace, preStop, drain)
	}
}

// TestShortGracePeriodsNeverCutThePreStop: an old app.yaml with a short
// grace period still renders a preStop the kubelet lets finish, and a drain
// that ends before the kill.
func TestShortGracePeriodsNeverCutThePreStop(t *testing.T) {
	for g := int64(1); g <= 600; g++ {
		app := load(t, "testdata/hello-world")
		app.Spec.Lifecycle.TerminationGracePeriodSeconds = &g
		grace, preStop, drain := timeline(t, renderApp(t, app))
		if grace != g || preStop >= grace || preStop+drain >= grace || drain < 0 {
			t.Fatalf("grace %d: rendered grace %d, preStop %d, drain %d", g, grace, preStop, drain)
		}
	}
}

// timeline reads the grace period, the preStop sleep (0 without one) and
// the ALB deregistration delay from a render.
func timeline(t *testing.T, r rendered) (grace, preStop, drain int64) {
	t.Helper()
	ps := r.deploy.Spec.Template.Spec
	grace = *ps.TerminationGracePeriodSeconds
	if l := ps.Containers[0].Lifecycle; l != nil && l.PreStop != nil {
		preStop = l.PreStop.Sleep.Seconds
	}
	attrs := r.ing.Annotations[targetGroupAttrs]
	_, v, ok := strings.Cut(attrs, deregistrationDelay)
	if !ok {
		t.Fatalf("Ingress has no %s%s annotation: %q", targetGroupAttrs, deregistrationDelay, attrs)
	}
	drain, err := strconv.ParseInt(strings.Split(v, ",")[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return grace, preStop, drain
}

// TestMetricsPortIsPrivate: by default /metrics is served on its own port,
// which only Prometheus reaches, and the Ingress routes the http port only.
func TestMetricsPortIsPrivate(t *testing.T) {
	app := load(t, "testdata/hello-world")
	r := renderApp(t, app)
	c := r.deploy.Spec.Template.Spec.Containers[0]
	if !slices.Contains(c.Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: appspec.DefaultMetricsPort, Protocol: corev1.ProtocolTCP}) {
		t.Errorf("container ports %+v lack metrics:%d", c.Ports, appspec.DefaultMetricsPort)
	}
	if !slices.Contains(c.Env, corev1.EnvVar{Name: "METRICS_PORT", Value: strconv.Itoa(int(appspec.DefaultMetricsPort))}) {
		t.Errorf("env %+v lacks METRICS_PORT", c.Env)
	}
	if !slices.ContainsFunc(r.svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == "metrics" && p.TargetPort.StrVal == "metrics" }) {
		t.Errorf("Service ports %+v lack metrics", r.svc.Spec.Ports)
	}
	if got := r.sm.Spec.Endpoints[0].Port; got != "metrics" {
		t.Errorf("ServiceMonitor scrapes port %q, want metrics", got)
	}
	if got := policyPorts(r.pols["allow-prometheus"]); !slices.Equal(got, []int32{appspec.DefaultMetricsPort}) {
		t.Errorf("allow-prometheus admits ports %v, want only %d", got, appspec.DefaultMetricsPort)
	}
	if got := policyPorts(r.pols["allow-alb"]); !slices.Equal(got, []int32{app.Spec.Port}) {
		t.Errorf("allow-alb admits ports %v, want only %d", got, app.Spec.Port)
	}
	for _, p := range r.ing.Spec.Rules[0].HTTP.Paths {
		if p.Backend.Service.Port.Name != "http" {
			t.Errorf("Ingress path %s routes to port %+v", p.Path, p.Backend.Service.Port)
		}
	}
}

// TestMetricsOnAppPortBlockedAtALB: an app that keeps the old layout
// (metrics.port = port) stays valid, and the ALB answers its metrics path
// with a fixed 404 before the app's own rule can forward it.
func TestMetricsOnAppPortBlockedAtALB(t *testing.T) {
	app := withSpec(t, "  metrics:\n    port: 3000\n    path: /internal/metrics\n")
	r := renderApp(t, app)
	action, ok := r.ing.Annotations["alb.ingress.kubernetes.io/actions.block-metrics"]
	if !ok {
		t.Fatalf("no fixed-response action; annotations %v", r.ing.Annotations)
	}
	var a struct {
		Type                string
		FixedResponseConfig struct{ StatusCode string }
	}
	if err := json.Unmarshal([]byte(action), &a); err != nil || a.Type != "fixed-response" || a.FixedResponseConfig.StatusCode != "404" {
		t.Fatalf("action %s: %v", action, err)
	}
	paths := r.ing.Spec.Rules[0].HTTP.Paths
	i := slices.IndexFunc(paths, func(p networkingv1.HTTPIngressPath) bool {
		return p.Backend.Service.Name == "block-metrics" && p.Backend.Service.Port.Name == "use-annotation"
	})
	if i < 0 || paths[i].Path != "/internal/metrics" || *paths[i].PathType != networkingv1.PathTypePrefix {
		t.Fatalf("no use-annotation rule for /internal/metrics: %+v", paths)
	}
	// The controller orders Prefix rules longest first; the metrics path is
	// only reachable through the app's rule when it lies below it, and is
	// then the longer one.
	if i != 0 {
		t.Errorf("the block rule is path %d, not first", i)
	}
}

func policyPorts(pol *networkingv1.NetworkPolicy) []int32 {
	var out []int32
	if pol == nil {
		return out
	}
	for _, rule := range pol.Spec.Ingress {
		for _, p := range rule.Ports {
			out = append(out, p.Port.IntVal)
		}
	}
	return out
}

// TestProjectOwnerRole: the owning team is the SSO group the platform maps
// the owner to, and may read, sync, read logs and restart its own app.
func TestProjectOwnerRole(t *testing.T) {
	p := testPlatform()
	app := load(t, "testdata/hello-world")
	objs, err := render.Project(app, p, "https://gitlab.example.com/gitops/hello-world.git")
	if err != nil {
		t.Fatal(err)
	}
	role := objs[0].(*render.AppProject).Spec.Roles[0]
	if want := []string{p.SSOGroup("team-a")}; !slices.Equal(role.Groups, want) || want[0] == "team-a" {
		t.Errorf("groups %v, want %v", role.Groups, want)
	}
	for _, want := range []string{
		"p, proj:hello-world:owner, applications, get, hello-world/*, allow",
		"p, proj:hello-world:owner, applications, sync, hello-world/*, allow",
		"p, proj:hello-world:owner, logs, get, hello-world/*, allow",
		"p, proj:hello-world:owner, applications, action/apps/Deployment/restart, hello-world/*, allow",
	} {
		if !slices.Contains(role.Policies, want) {
			t.Errorf("policies %q lack %q", role.Policies, want)
		}
	}
}
