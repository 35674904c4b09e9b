package appspec_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/appspec"
)

const minimal = `apiVersion: idp.vibe-coder.biz/v1alpha1
kind: App
metadata:
  name: hello-world
spec:
  owner: team-a
  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc
  port: 3000
`

func TestLoadMinimalDefaults(t *testing.T) {
	p := appspec.DefaultPlatform()
	app, err := appspec.Load("app.yaml", []byte(minimal), p)
	if err != nil {
		t.Fatal(err)
	}
	s := app.Spec
	checks := map[string][2]any{
		"replicas":        {*s.Replicas, appspec.DefaultReplicas},
		"health.path":     {s.Health.Path, "/health"},
		"metrics.path":    {s.Metrics.Path, "/metrics"},
		"metrics.port":    {s.Metrics.Port, appspec.DefaultMetricsPort},
		"ingress.host":    {s.Ingress.Host, "hello-world.apps.example.com"},
		"no secrets":      {s.Secrets == nil, true},
		"memory limit":    {s.Resources.Limits.Memory, "256Mi"},
		"cpu limit":       {s.Resources.Limits.CPU, ""},
		"grace period":    {*s.Lifecycle.TerminationGracePeriodSeconds, int64(50)},
		"https egress":    {*s.Egress.HTTPS, true},
		"ingress enabled": {*s.Ingress.Enabled, true},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
}

// TestSecretsOnlyWhenAsked: an app without spec.secrets reads no secret
// store entry (nothing creates one for it); "secrets: {}" asks for the
// app's own entry with every default.
func TestSecretsOnlyWhenAsked(t *testing.T) {
	p := appspec.DefaultPlatform()
	app, err := appspec.Load("app.yaml", []byte(minimal), p)
	if err != nil {
		t.Fatal(err)
	}
	if app.Spec.Secrets != nil {
		t.Fatalf("an app without spec.secrets got secrets %+v", app.Spec.Secrets)
	}
	app, err = appspec.Load("app.yaml", []byte(minimal+"  secrets: {}\n"), p)
	if err != nil {
		t.Fatal(err)
	}
	if s := app.Spec.Secrets; s == nil || s.Key != "idp/apps/hello-world" || s.RefreshInterval != appspec.DefaultRefreshInterval {
		t.Fatalf("secrets: {} = %+v, want the app's own key with defaults", s)
	}
}

// TestMetricsPortDefault: metrics default to their own port, never the app
// port the load balancer routes to, even when the app listens on 9464.
func TestMetricsPortDefault(t *testing.T) {
	for port, want := range map[string]int32{"3000": appspec.DefaultMetricsPort, "9464": appspec.DefaultMetricsPort + 1} {
		app, err := appspec.Load("app.yaml", []byte(strings.Replace(minimal, "port: 3000", "port: "+port, 1)), appspec.DefaultPlatform())
		if err != nil {
			t.Fatal(err)
		}
		if app.Spec.Metrics.Port != want || app.Spec.Metrics.Port == app.Spec.Port {
			t.Errorf("port %s: metrics.port = %d, want %d", port, app.Spec.Metrics.Port, want)
		}
	}
}

// TestOldLayoutsStayValid: app.yaml files written before the metrics port
// and the longer shutdown still load unchanged.
func TestOldLayoutsStayValid(t *testing.T) {
	for name, extra := range map[string]string{
		"metrics on the app port": "  metrics:\n    port: 3000\n",
		"one second grace period": "  lifecycle:\n    terminationGracePeriodSeconds: 1\n",
		"30 s grace period":       "  lifecycle:\n    terminationGracePeriodSeconds: 30\n",
	} {
		if _, err := appspec.Load("app.yaml", []byte(minimal+extra), appspec.DefaultPlatform()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMemoryLimitNeverBelowRequest(t *testing.T) {
	src := minimal + "  resources:\n    requests:\n      memory: 512Mi\n"
	app, err := appspec.Load("app.yaml", []byte(src), appspec.DefaultPlatform())
	if err != nil {
		t.Fatal(err)
	}
	if got := app.Spec.Resources.Limits.Memory; got != "512Mi" {
		t.Fatalf("limit = %s, want the request 512Mi", got)
	}
}

// TestRejects names every class of bad input and the field the error must
// point at, so that the person fixing app.yaml knows where to look.
func TestRejects(t *testing.T) {
	withName := func(n string) string { return strings.Replace(minimal, "name: hello-world", "name: "+n, 1) }
	withSpec := func(extra string) string { return minimal + extra }
	withImage := func(img string) string {
		return strings.Replace(minimal, "123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc", img, 1)
	}
	cases := []struct {
		name, src, want string
	}{
		{"reserved kube-", withName("kube-system"), "metadata.name"},
		{"reserved default", withName("default"), "metadata.name"},
		{"reserved argocd", withName("argocd"), "metadata.name"},
		{"reserved backstage", withName("backstage"), "metadata.name"},
		{"reserved monitoring", withName("monitoring"), "metadata.name"},
		{"reserved external-secrets", withName("external-secrets"), "metadata.name"},
		{"upper case", withName("Hello"), "metadata.name"},
		{"leading digit", withName("1app"), "metadata.name"},
		{"trailing dash", withName("app-"), "metadata.name"},
		{"too long", withName(strings.Repeat("a", 41)), "metadata.name"},
		{"too short", withName("a"), "metadata.name"},
		{"dot", withName("a.b"), "metadata.name"},
		{"unknown field", withSpec("  replica: 3\n"), `unknown field "spec.replica"`},
		{"unknown top field", minimal + "status: {}\n", `unknown field "status"`},
		{"wrong type", strings.Replace(minimal, "port: 3000", `port: "3000"`, 1), "spec.port"},
		{"wrong kind", strings.Replace(minimal, "kind: App", "kind: Deployment", 1), "kind"},
		{"wrong apiVersion", strings.Replace(minimal, "v1alpha1", "v1", 1), "apiVersion"},
		{"foreign registry", withImage("docker.io/library/nginx:1.27"), "spec.image"},
		{"registry prefix trick", withImage("123456789012.dkr.ecr.us-east-2.amazonaws.com.evil.io/x:1"), "spec.image"},
		{"no tag", withImage("123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world"), "spec.image"},
		{"latest", withImage("123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:latest"), "spec.image"},
		{"short image", withImage("hello-world:1"), "spec.image"},
		{"missing owner", strings.Replace(minimal, "  owner: team-a\n", "", 1), "spec.owner"},
		{"foreign host", withSpec("  ingress:\n    host: other.apps.example.com\n"), "spec.ingress.host"},
		{"host suffix trick", withSpec("  ingress:\n    host: xhello-world.apps.example.com\n"), "spec.ingress.host"},
		{"foreign secret", withSpec("  secrets:\n    key: idp/apps/other\n"), "spec.secrets.key"},
		{"secret prefix trick", withSpec("  secrets:\n    key: idp/apps/hello-world-admin\n"), "spec.secrets.key"},
		{"secret traversal", withSpec("  secrets:\n    key: idp/apps/hello-world/../other\n"), "spec.secrets.key"},
		{"negative replicas", withSpec("  replicas: -1\n"), "spec.replicas"},
		{"zero replicas", withSpec("  replicas: 0\n"), "spec.replicas"},
		{"absurd replicas", withSpec("  replicas: 5000\n"), "spec.replicas"},
		{"privileged port", strings.Replace(minimal, "port: 3000", "port: 80", 1), "spec.port"},
		{"port out of range", strings.Replace(minimal, "port: 3000", "port: 70000", 1), "spec.port"},
		{"int overflow", strings.Replace(minimal, "port: 3000", "port: 99999999999", 1), "spec.port"},
		{"absurd memory", withSpec("  resources:\n    limits:\n      memory: 1Ti\n"), "spec.resources.limits.memory"},
		{"limit below request", withSpec("  resources:\n    requests:\n      cpu: \"2\"\n    limits:\n      cpu: 500m\n"), "spec.resources.limits.cpu"},
		{"bad quantity", withSpec("  resources:\n    requests:\n      cpu: lots\n"), "spec.resources.requests.cpu"},
		{"env PORT", withSpec("  env:\n  - name: PORT\n    value: \"1\"\n"), "spec.env[0].name"},
		{"env METRICS_PORT", withSpec("  env:\n  - name: METRICS_PORT\n    value: \"9090\"\n"), "set spec.metrics.port instead"},
		{"env duplicate", withSpec("  env:\n  - name: A\n    value: x\n  - name: A\n    value: y\n"), "spec.env[1].name"},
		{"env control character", withSpec("  env:\n  - name: A\n    value: \"a\\x7fb\"\n"), "spec.env[0].value"},
		{"env bad name", withSpec("  env:\n  - name: 1A\n    value: x\n"), "spec.env[0].name"},
		{"bad health path", withSpec("  health:\n    path: health\n"), "spec.health.path"},
		{"refresh too often", withSpec("  secrets:\n    refreshInterval: 1s\n"), "spec.secrets.refreshInterval"},
		{"multi document", minimal + "---\n" + minimal, "more than one YAML document"},
		{"empty", "", "file is empty"},
		{"scalar", "hello\n", "want a mapping"},
		{"alias", "a: &x [1]\nb: *x\n", "anchors and aliases"},
		{"duplicate key", minimal + "kind: App\n", "already"},
		{"custom tag", strings.Replace(minimal, "owner: team-a", "owner: !secret team-a", 1), "custom YAML tag"},
		{"oversize", minimal + "#" + strings.Repeat("x", appspec.MaxFileBytes), "at most"},
		{"deep", minimal + "x: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", "nested deeper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, err := appspec.Load("gitops/app.yaml", []byte(c.src), appspec.DefaultPlatform())
			if err == nil {
				t.Fatalf("accepted: %+v", app)
			}
			if app != nil {
				t.Error("returned an app alongside the error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "gitops/app.yaml: ") {
				t.Errorf("error does not name the file: %s", msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not mention %q", msg, c.want)
			}
			var ae *appspec.Error
			if !errors.As(err, &ae) {
				t.Errorf("error is %T, want *appspec.Error", err)
			}
		})
	}
}

// TestAliasBombIsBounded: a billion-laughs document must fail fast, not
// expand.
func TestAliasBombIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	start := time.Now()
	_, err := appspec.Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "anchors and aliases") {
		t.Fatalf("err = %v", err)
	}
	// Not a timing assertion on the happy path: an expanded bomb takes
	// minutes and gigabytes, so this only catches expansion.
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestPlatformFromEnv(t *testing.T) {
	env := map[string]string{
		appspec.EnvBaseDomain:        "apps.acme.io",
		appspec.EnvAllowedRegistries: "b.io/, a.io/team/",
		appspec.EnvMonitoringLabels:  "release=prom,team=platform",
		appspec.EnvServiceCIDR:       "10.100.0.0/16",
		appspec.EnvIngressCIDRs:      "10.0.0.0/24,10.0.1.0/24",
		appspec.EnvSSOGroupFormat:    "acme/teams/{owner}",
	}
	p, err := appspec.PlatformFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if p.BaseDomain != "apps.acme.io" || p.Host("x") != "x.apps.acme.io" {
		t.Errorf("domain: %+v", p)
	}
	if got := strings.Join(p.AllowedRegistries, ","); got != "a.io/team/,b.io/" {
		t.Errorf("registries = %s", got)
	}
	if p.MonitoringLabels["team"] != "platform" || len(p.MonitoringLabels) != 2 {
		t.Errorf("labels = %v", p.MonitoringLabels)
	}
	if p.ServiceCIDR.String() != "10.100.0.0/16" || len(p.IngressCIDRs) != 2 {
		t.Errorf("cidrs: %v %v", p.ServiceCIDR, p.IngressCIDRs)
	}
	if got := p.SSOGroup("team-a"); got != "acme/teams/team-a" {
		t.Errorf("SSO group = %q", got)
	}
}

// TestDefaultSSOGroup: by default an owner maps to its GitLab group under
// the Backstage org group "platform" (GITLAB_ORG_GROUP), never to the bare
// owner name, which any SSO could send.
func TestDefaultSSOGroup(t *testing.T) {
	if got := appspec.DefaultPlatform().SSOGroup("team-a"); got != "platform/team-a" {
		t.Fatalf("SSO group = %q, want platform/team-a", got)
	}
}

func TestPlatformFromEnvRejects(t *testing.T) {
	for key, val := range map[string]string{
		appspec.EnvBaseDomain:        "Not A Domain",
		appspec.EnvAllowedRegistries: "registry.io",
		appspec.EnvMonitoringLabels:  "novalue",
		appspec.EnvServiceCIDR:       "10.0.0.0",
		appspec.EnvArgoCDNamespace:   "Argo_CD",
		appspec.EnvSSOGroupFormat:    "platform/teams",
	} {
		_, err := appspec.PlatformFromEnv(func(k string) (string, bool) {
			if k == key {
				return val, true
			}
			return "", false
		})
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q: err = %v, want one naming the variable", key, val, err)
		}
	}
}

func TestSSOGroupFormatRejects(t *testing.T) {
	for _, format := range []string{"teams", "{owner}-{owner}", "a,{owner}", "a {owner}", "\"{owner}\""} {
		_, err := appspec.PlatformFromEnv(func(k string) (string, bool) { return format, k == appspec.EnvSSOGroupFormat })
		if err == nil || !strings.Contains(err.Error(), appspec.EnvSSOGroupFormat) {
			t.Errorf("%q: err = %v, want one naming %s", format, err, appspec.EnvSSOGroupFormat)
		}
	}
}
