package terraform

// Static checks of the observability module's Grafana Alloy: Promtail is
// gone, the alloy chart is pinned and configured with least privilege, and
// its configuration (modules/observability/alloy/config.alloy, read with
// templatefile) sends the platform's PrometheusRules to Grafana Cloud's
// ruler and the pods' logs to Grafana Cloud Loki with the credentials of
// the ExternalSecret's Secret. The rule selector is compared with what
// cmp/render actually renders, so a label change there breaks this test.

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/zclconf/go-cty/cty"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

func init() {
	checks = append(checks,
		check{"alloy-release", checkAlloyRelease},
		check{"alloy-config", checkAlloyConfig},
	)
	mutations = append(mutations, alloyMutations...)
}

const observabilityDir = "modules/observability"

// alloyComponents are the components the configuration may use, with the
// fields each exports (what other components may reference). This is what a
// parser cannot know: Alloy's syntax module reads any block name and any
// field access; which components exist and what they export is the
// component registry's, which lives in Alloy itself (github.com/grafana/alloy,
// not served by the module proxy).
var alloyComponents = map[string][]string{
	"discovery.kubernetes":    {"targets"},
	"discovery.relabel":       {"output", "rules"},
	"loki.source.kubernetes":  nil,
	"loki.process":            {"receiver"},
	"loki.write":              {"receiver"},
	"mimir.rules.kubernetes":  nil,
	"prometheus.remote_write": {"receiver"},
	"logging":                 nil, // a configuration block, not a component
}

// alloyRBAC is every rule the components above need, and no more:
// discovery.kubernetes (role pod) lists and watches pods,
// loki.source.kubernetes reads pods/log, mimir.rules.kubernetes lists and
// watches namespaces and PrometheusRules.
var alloyRBAC = map[string][]string{
	"/pods":                                 {"get", "list", "watch"},
	"/pods/log":                             {"get"},
	"/namespaces":                           {"get", "list", "watch"},
	"monitoring.coreos.com/prometheusrules": {"get", "list", "watch"},
}

func observability(t *tree) (*moduleDir, []string) {
	m := t.modules[observabilityDir]
	if m == nil {
		return nil, []string{observabilityDir + ": module missing"}
	}
	return m, nil
}

// checkAlloyRelease: no Promtail; the alloy chart from Grafana's repository,
// pinned, as a clustered Deployment with a PDB, resources, a restricted
// security context and RBAC for its components only.
func checkAlloyRelease(t *tree) []string {
	m, out := observability(t)
	if m == nil {
		return out
	}
	for _, r := range m.resources("helm_release") {
		if c, _ := literalString(attrExpr(r, "chart")); c == "promtail" {
			out = append(out, fmt.Sprintf("%s: %s installs Promtail (long-term support only); Alloy replaces it", r.pos(), r.addr()))
		}
	}
	for name := range m.cfg.Variables {
		if strings.Contains(name, "promtail") {
			out = append(out, fmt.Sprintf("%s: variable %q is left from Promtail", observabilityDir, name))
		}
	}
	rel := releaseByChart(m, "alloy")
	if rel == nil {
		return append(out, observabilityDir+": no helm_release of the alloy chart")
	}
	if repo, _ := literalString(attrExpr(*rel, "repository")); repo != "https://grafana.github.io/helm-charts" {
		out = append(out, fmt.Sprintf("%s: alloy chart from %q, want https://grafana.github.io/helm-charts", rel.pos(), repo))
	}
	if v, ok := resolveString(m, attrExpr(*rel, "version")); !ok || !exactVersion.MatchString(v) {
		out = append(out, fmt.Sprintf("%s: alloy chart version is not pinned to x.y.z", rel.pos()))
	}
	values := attrExpr(*rel, "values")
	want := func(path, wantValue string) {
		e := localItem(m, values, strings.Split(path, ".")...)
		if got := strings.Trim(srcOf(rel.file, e), `"`); got != wantValue {
			out = append(out, fmt.Sprintf("%s: alloy values %s = %q, want %q", rel.pos(), path, got, wantValue))
		}
	}
	want("controller.type", "deployment")
	want("alloy.clustering.enabled", "true")
	want("controller.podDisruptionBudget.enabled", "true")
	want("alloy.securityContext.runAsNonRoot", "true")
	want("alloy.securityContext.allowPrivilegeEscalation", "false")
	want("alloy.securityContext.readOnlyRootFilesystem", "true")
	want("alloy.securityContext.seccompProfile.type", "RuntimeDefault")
	want("configReloader.securityContext.runAsNonRoot", "true")
	if got := srcOf(m.fileOf(m.locals()["alloy_security_context"]), localItem(m, values, "alloy", "securityContext", "capabilities", "drop")); got != `["ALL"]` {
		out = append(out, fmt.Sprintf("%s: alloy values alloy.securityContext.capabilities.drop = %s, want [\"ALL\"]", rel.pos(), got))
	}
	for _, mount := range []string{"varlog", "dockercontainers"} {
		if e := item(values, "alloy", "mounts", mount); e != nil && srcOf(rel.file, e) != "false" {
			out = append(out, fmt.Sprintf("%s: alloy mounts the host's %s; it reads logs through the Kubernetes API", rel.pos(), mount))
		}
	}
	if strings.Contains(srcOf(rel.file, values), "hostPath") {
		out = append(out, fmt.Sprintf("%s: alloy values mount a hostPath", rel.pos()))
	}
	out = append(out, alloyReplicaProblems(m, *rel, values)...)
	out = append(out, alloyResourceProblems(*rel, values)...)
	out = append(out, alloyRBACProblems(*rel, values)...)
	return out
}

// localItem is item that follows local.X references on the way down.
func localItem(m *moduleDir, e hclsyntax.Expression, path ...string) hclsyntax.Expression {
	for i := 0; ; i++ {
		if st, ok := unwrap(e).(*hclsyntax.ScopeTraversalExpr); ok && st.Traversal.RootName() == "local" {
			def := m.locals()[traversalAttr(st.Traversal, 1)]
			if def == nil {
				return nil
			}
			e = def.Expr
		}
		if i == len(path) || e == nil {
			return unwrap(e)
		}
		e = item(e, path[i])
	}
}

// Two replicas at least, so that the PDB lets a node drain without losing
// the rule sync or the logs.
func alloyReplicaProblems(m *moduleDir, rel blockAt, values hclsyntax.Expression) []string {
	e := item(values, "controller", "replicas")
	n, ok := literalNumber(e)
	if !ok {
		if st, isVar := e.(*hclsyntax.ScopeTraversalExpr); isVar && st.Traversal.RootName() == "var" {
			if v, has := varDefault(m, traversalAttr(st.Traversal, 1)); has && v.Type().FriendlyName() == "number" {
				n, _ = v.AsBigFloat().Float64()
				ok = true
			}
		}
	}
	if !ok || n < 2 {
		return []string{fmt.Sprintf("%s: alloy controller.replicas must be a known number >= 2 (the PDB then allows one down), got %s", rel.pos(), srcOf(rel.file, e))}
	}
	if srcOf(rel.file, item(values, "controller", "podDisruptionBudget", "maxUnavailable")) != "1" {
		return []string{fmt.Sprintf("%s: alloy controller.podDisruptionBudget.maxUnavailable must be 1", rel.pos())}
	}
	return nil
}

func alloyResourceProblems(rel blockAt, values hclsyntax.Expression) []string {
	var out []string
	for _, path := range [][]string{
		{"alloy", "resources", "requests", "cpu"},
		{"alloy", "resources", "requests", "memory"},
		{"alloy", "resources", "limits", "memory"},
		{"configReloader", "resources", "requests", "cpu"},
		{"configReloader", "resources", "requests", "memory"},
		{"configReloader", "resources", "limits", "memory"},
	} {
		if item(values, path...) == nil {
			out = append(out, fmt.Sprintf("%s: alloy values %s is not set", rel.pos(), strings.Join(path, ".")))
		}
	}
	return out
}

// The chart's default rules read every Secret and ConfigMap in the cluster
// and much more; the release replaces them with alloyRBAC and no
// cluster-scoped extras.
func alloyRBACProblems(rel blockAt, values hclsyntax.Expression) []string {
	var out []string
	if got := srcOf(rel.file, item(values, "rbac", "clusterRules")); got != "[]" {
		out = append(out, fmt.Sprintf("%s: alloy rbac.clusterRules = %q, want [] (the chart's default reads nodes and kubelet metrics)", rel.pos(), got))
	}
	rules, ok := unwrap(item(values, "rbac", "rules")).(*hclsyntax.TupleConsExpr)
	if !ok {
		return append(out, fmt.Sprintf("%s: alloy rbac.rules is not set; the chart's default reads every Secret in the cluster", rel.pos()))
	}
	granted := map[string][]string{}
	for _, r := range rules.Exprs {
		verbs := elements(rel.file, item(r, "verbs"))
		for _, g := range elements(rel.file, item(r, "apiGroups")) {
			for _, res := range elements(rel.file, item(r, "resources")) {
				key := g + "/" + res
				granted[key] = append(granted[key], verbs...)
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(granted)) {
		need, known := alloyRBAC[key]
		if !known {
			out = append(out, fmt.Sprintf("%s: alloy rbac.rules grant %q, which no component of the configuration needs", rel.pos(), key))
			continue
		}
		for _, v := range granted[key] {
			if !slices.Contains(need, v) {
				out = append(out, fmt.Sprintf("%s: alloy rbac.rules grant %s on %q, which no component needs", rel.pos(), v, key))
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(alloyRBAC)) {
		for _, v := range alloyRBAC[key] {
			if !slices.Contains(granted[key], v) {
				out = append(out, fmt.Sprintf("%s: alloy rbac.rules lack %s on %q", rel.pos(), v, key))
			}
		}
	}
	return out
}

// alloyConfig is the configuration as the release passes it: the template
// rendered as templatefile does, with each variable's value the
// «source of the value passed», e.g. «var.loki_push_url», so that the checks
// can tell where a value comes from.
type alloyConfig struct {
	rel    blockAt
	file   string
	blocks []*alloyBlock
}

func loadAlloyConfig(t *tree, m *moduleDir) (*alloyConfig, []string) {
	rel := releaseByChart(m, "alloy")
	if rel == nil {
		return nil, []string{observabilityDir + ": no helm_release of the alloy chart"}
	}
	call, ok := item(attrExpr(*rel, "values"), "alloy", "configMap", "content").(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "templatefile" || len(call.Args) != 2 {
		return nil, []string{fmt.Sprintf("%s: alloy.configMap.content is not templatefile(\"${path.module}/alloy/…\", {…})", rel.pos())}
	}
	rest, ok := strings.CutPrefix(unquote(srcOf(rel.file, call.Args[0])), "${path.module}/")
	if !ok {
		return nil, []string{fmt.Sprintf("%s: the Alloy configuration is not a file of the module", rel.pos())}
	}
	name := filepath.Join(m.rel, rest)
	src, err := os.ReadFile(filepath.Join(t.root, name))
	if err != nil {
		return nil, []string{err.Error()}
	}
	vars, ok := unwrap(call.Args[1]).(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, []string{fmt.Sprintf("%s: templatefile variables are not an object", rel.pos())}
	}
	values := map[string]cty.Value{}
	for _, it := range vars.Items {
		values[keyName(it.KeyExpr)] = cty.StringVal("«" + srcOf(rel.file, it.ValueExpr) + "»")
	}
	text, problems := renderTemplate(name, src, values)
	if problems != nil {
		return nil, problems
	}
	blocks, problems := alloyParse(name, text)
	return &alloyConfig{rel: *rel, file: name, blocks: blocks}, problems
}

// renderTemplate renders src with HCL's template engine, as Terraform's
// templatefile does (escapes $${ and %%{, directives); a variable the
// template uses and the call does not pass is reported by name.
func renderTemplate(name string, src []byte, vars map[string]cty.Value) (string, []string) {
	tmpl, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return "", []string{diags.Error()}
	}
	var out []string
	for _, tr := range tmpl.Variables() {
		if _, ok := vars[tr.RootName()]; !ok {
			out = append(out, fmt.Sprintf("%s: template variable ${%s} is not passed", tr.SourceRange(), tr.RootName()))
		}
	}
	if out != nil {
		return "", out
	}
	v, diags := tmpl.Value(&hcl.EvalContext{Variables: vars})
	if diags.HasErrors() {
		return "", []string{diags.Error()}
	}
	return v.AsString(), nil
}

func (c *alloyConfig) component(name string) []*alloyBlock {
	var out []*alloyBlock
	for _, b := range c.blocks {
		if b.name == name {
			out = append(out, b)
		}
	}
	return out
}

func (c *alloyConfig) at(b *alloyBlock) string { return b.pos.String() }

// checkAlloyConfig: the configuration reads, uses known components, refers
// only to defined ones, and wires rules and logs to Grafana Cloud.
func checkAlloyConfig(t *tree) []string {
	m, out := observability(t)
	if m == nil {
		return out
	}
	c, problems := loadAlloyConfig(t, m)
	if c == nil || len(problems) > 0 {
		return problems
	}
	out = append(out, c.componentProblems()...)
	out = append(out, c.rulesProblems(t, m)...)
	out = append(out, c.logsProblems(m)...)
	out = append(out, c.secretProblems()...)
	return out
}

// Known component names, unique labels, and every reference to a component
// names one that is defined and a field it exports.
func (c *alloyConfig) componentProblems() []string {
	var out []string
	defined := map[string]bool{}
	for _, b := range c.blocks {
		if _, known := alloyComponents[b.name]; !known {
			out = append(out, fmt.Sprintf("%s: unknown component %s", c.at(b), b.name))
			continue
		}
		id := b.name + "." + b.label
		if defined[id] {
			out = append(out, fmt.Sprintf("%s: %s is defined twice", c.at(b), id))
		}
		defined[id] = true
	}
	for _, b := range c.blocks {
		for _, ref := range alloyReferences(b.stmt) {
			comp, label, field := splitReference(ref.name)
			switch {
			case comp == "":
				out = append(out, fmt.Sprintf("%s: %s refers to no known component", ref.pos, ref.name))
			case !defined[comp+"."+label]:
				out = append(out, fmt.Sprintf("%s: %s.%s is not defined", ref.pos, comp, label))
			case !slices.Contains(alloyComponents[comp], field):
				out = append(out, fmt.Sprintf("%s: %s exports no field %q", ref.pos, comp, field))
			}
		}
	}
	if len(c.component("loki.source.kubernetes")) == 0 {
		out = append(out, c.file+": no loki.source.kubernetes: nothing ships the pods' logs")
	}
	return out
}

// splitReference splits loki.write.cloud.receiver into its component name,
// label and field, by the longest known component name.
func splitReference(ref string) (comp, label, field string) {
	parts := strings.Split(ref, ".")
	for n := len(parts) - 2; n >= 1; n-- {
		name := strings.Join(parts[:n], ".")
		if _, ok := alloyComponents[name]; ok {
			return name, parts[n], strings.Join(parts[n+1:], ".")
		}
	}
	return "", "", ""
}

// renderedRules are the PrometheusRule and Namespace labels cmp/render
// gives two apps of different names and owners.
func renderedRules() (rules, namespaces []map[string]string, err error) {
	data, err := os.ReadFile(filepath.Join("..", "examples", "hello-world", "app.yaml"))
	if err != nil {
		return nil, nil, err
	}
	variants := []string{string(data), strings.NewReplacer("hello-world", "orders-api", "team-a", "team-b").Replace(string(data))}
	for _, v := range variants {
		app, err := appspec.Load("app.yaml", []byte(v), appspec.DefaultPlatform())
		if err != nil {
			return nil, nil, err
		}
		for _, o := range render.App(app, appspec.DefaultPlatform()) {
			switch x := o.(type) {
			case *monitoringv1.PrometheusRule:
				rules = append(rules, x.Labels)
			case *corev1.Namespace:
				namespaces = append(namespaces, x.Labels)
			}
		}
	}
	if len(rules) != len(variants) || len(namespaces) != len(variants) {
		return nil, nil, fmt.Errorf("the sample apps render %d PrometheusRules and %d Namespaces, want %d each", len(rules), len(namespaces), len(variants))
	}
	return rules, namespaces, nil
}

func selectorProblems(at, name string, b *alloyBlock, objects []map[string]string, required bool) []string {
	sel := b.block(name)
	if sel == nil {
		if required {
			return []string{fmt.Sprintf("%s: mimir.rules.kubernetes has no %s: it would send every PrometheusRule in the cluster", at, name)}
		}
		return nil
	}
	if len(sel.blocks) > 0 {
		return []string{fmt.Sprintf("%s: %s uses match_expression, which this check cannot compare with the render", at, name)}
	}
	labels, ok := sel.attrs["match_labels"].object()
	if !ok || len(labels) == 0 {
		return []string{fmt.Sprintf("%s: %s.match_labels is not a non-empty object of strings", at, name)}
	}
	var out []string
	for i, obj := range objects {
		for _, k := range slices.Sorted(maps.Keys(labels)) {
			if obj[k] != labels[k] {
				out = append(out, fmt.Sprintf("%s: %s wants %s=%q, but sample app %d's object from cmp/render has %s=%q", at, name, k, labels[k], i+1, k, obj[k]))
			}
		}
	}
	return out
}

// The platform's rules reach the ruler: address from the ruler variable,
// basic auth from the credentials Secret, a selector that takes what
// cmp/render labels, a namespace prefix per cluster, and queries limited to
// this cluster's series. kube-prometheus-stack's Prometheus must not also
// evaluate them.
func (c *alloyConfig) rulesProblems(t *tree, m *moduleDir) []string {
	comps := c.component("mimir.rules.kubernetes")
	if len(comps) != 1 {
		return []string{fmt.Sprintf("%s: want one mimir.rules.kubernetes, found %d", c.file, len(comps))}
	}
	b := comps[0]
	var out []string
	if got, _ := b.attrStr("address"); got != "«var.mimir_ruler_url»" {
		out = append(out, fmt.Sprintf("%s: mimir.rules.kubernetes address = %q, want the ruler variable (var.mimir_ruler_url)", c.at(b), got))
	}
	out = append(out, wantWiring(t.modules["."], "observability", "mimir_ruler_url", "var.grafana_cloud_ruler_url", "the stack's ruler endpoint")...)
	out = append(out, c.basicAuthProblems(m, b, "prometheusUsername")...)
	if got, _ := b.attrStr("mimir_namespace_prefix"); !strings.Contains(got, "«var.cluster_name»") {
		out = append(out, fmt.Sprintf("%s: mimir_namespace_prefix = %q, want one derived from var.cluster_name so each cluster's rules stay apart", c.at(b), got))
	}
	if !c.matchesCluster(b) {
		out = append(out, fmt.Sprintf("%s: mimir.rules.kubernetes adds no extra_query_matchers cluster = var.cluster_name: the ruler would read every cluster's series", c.at(b)))
	}
	rules, namespaces, err := renderedRules()
	if err != nil {
		return append(out, err.Error())
	}
	out = append(out, selectorProblems(c.at(b), "rule_selector", b, rules, true)...)
	out = append(out, selectorProblems(c.at(b), "rule_namespace_selector", b, namespaces, false)...)
	if kps := releaseByChart(m, "kube-prometheus-stack"); kps != nil {
		if srcOf(kps.file, item(attrExpr(*kps, "values"), "prometheus", "prometheusSpec", "ruleSelectorNilUsesHelmValues")) == "false" {
			out = append(out, fmt.Sprintf("%s: Prometheus selects every PrometheusRule and would evaluate the apps' rules a second time", kps.pos()))
		}
	}
	for i, r := range rules {
		if r["release"] == "kube-prometheus-stack" {
			out = append(out, fmt.Sprintf("sample app %d's PrometheusRule carries release=kube-prometheus-stack: Prometheus would evaluate it besides the ruler", i+1))
		}
	}
	return out
}

func (c *alloyConfig) matchesCluster(b *alloyBlock) bool {
	q := b.block("extra_query_matchers")
	if q == nil {
		return false
	}
	for _, mt := range q.blocks {
		name, _ := mt.attrStr("name")
		op, _ := mt.attrStr("match_type")
		value, _ := mt.attrStr("value")
		if mt.name == "matcher" && name == "cluster" && op == "=" && value == "«var.cluster_name»" {
			return true
		}
	}
	return false
}

// basicAuthProblems: the username is the Secret's key (through an
// environment variable from the Secret) or the Loki instance variable; the
// password is the Secret's "password" key, read from the mounted Secret on
// every request.
func (c *alloyConfig) basicAuthProblems(m *moduleDir, b *alloyBlock, userKey string) []string {
	auth := b.block("basic_auth")
	if auth == nil {
		return []string{fmt.Sprintf("%s: %s has no basic_auth", c.at(b), b.name)}
	}
	var out []string
	if userKey == "" {
		if got, _ := auth.attrStr("username"); got != "«var.loki_username»" {
			out = append(out, fmt.Sprintf("%s: %s basic_auth username = %q, want var.loki_username", c.at(auth), b.name, got))
		}
	} else if env, ok := auth.attrs["username"].envName(); !ok {
		out = append(out, fmt.Sprintf("%s: %s basic_auth username is not sys.env(…) from the credentials Secret", c.at(auth), b.name))
	} else if !c.envFromSecret(env, userKey) {
		out = append(out, fmt.Sprintf("%s: %s basic_auth username reads %s, which the release does not fill from key %q of the credentials Secret", c.at(auth), b.name, env, userKey))
	}
	file, ok := auth.attrStr("password_file")
	dir, key := path.Split(file)
	if !ok || key != "password" || !c.secretMountedAt(strings.TrimSuffix(dir, "/")) {
		out = append(out, fmt.Sprintf("%s: %s basic_auth password_file = %q, want key \"password\" of the credentials Secret's mount", c.at(auth), b.name, file))
	}
	out = append(out, externalSecretProblems(m)...)
	return out
}

// envFromSecret: alloy.extraEnv fills env from key of var.credentials_secret_name.
func (c *alloyConfig) envFromSecret(env, key string) bool {
	list, ok := unwrap(item(attrExpr(c.rel, "values"), "alloy", "extraEnv")).(*hclsyntax.TupleConsExpr)
	if !ok {
		return false
	}
	for _, e := range list.Exprs {
		name, _ := literalString(item(e, "name"))
		ref := item(e, "valueFrom", "secretKeyRef")
		k, _ := literalString(item(ref, "key"))
		if name == env && k == key && srcOf(c.rel.file, item(ref, "name")) == "var.credentials_secret_name" {
			return true
		}
	}
	return false
}

// secretMountedAt: dir is «X» where X is the mountPath of a volume of the
// credentials Secret, mounted read-only.
func (c *alloyConfig) secretMountedAt(dir string) bool {
	values := attrExpr(c.rel, "values")
	vols, ok1 := unwrap(item(values, "controller", "volumes", "extra")).(*hclsyntax.TupleConsExpr)
	mounts, ok2 := unwrap(item(values, "alloy", "mounts", "extra")).(*hclsyntax.TupleConsExpr)
	if !ok1 || !ok2 {
		return false
	}
	for _, v := range vols.Exprs {
		if srcOf(c.rel.file, item(v, "secret", "secretName")) != "var.credentials_secret_name" {
			continue
		}
		vol, _ := literalString(item(v, "name"))
		for _, mt := range mounts.Exprs {
			name, _ := literalString(item(mt, "name"))
			if name == vol && "«"+srcOf(c.rel.file, item(mt, "mountPath"))+"»" == dir && srcOf(c.rel.file, item(mt, "readOnly")) == "true" {
				return true
			}
		}
	}
	return false
}

// externalSecretProblems: the Secret the module reads is the one the
// ExternalSecret in manifests/platform writes.
func externalSecretProblems(m *moduleDir) []string {
	data, err := os.ReadFile(filepath.Join("..", "manifests", "platform", "grafana-cloud-externalsecret.yaml"))
	if err != nil {
		return []string{err.Error()}
	}
	var es struct {
		Spec struct {
			Target struct{ Name string } `json:"target"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &es); err != nil {
		return []string{err.Error()}
	}
	v, ok := varDefault(m, "credentials_secret_name")
	if !ok || v.AsString() != es.Spec.Target.Name {
		return []string{fmt.Sprintf("%s: credentials_secret_name does not default to the ExternalSecret's target %q", observabilityDir, es.Spec.Target.Name)}
	}
	return nil
}

// Logs: discovery.kubernetes pods → loki.source.kubernetes → loki.write
// at the Loki variable with the credentials.
func (c *alloyConfig) logsProblems(m *moduleDir) []string {
	writes := c.component("loki.write")
	if len(writes) != 1 {
		return []string{fmt.Sprintf("%s: want one loki.write, found %d", c.file, len(writes))}
	}
	w := writes[0]
	var out []string
	ep := w.block("endpoint")
	if ep == nil {
		return []string{fmt.Sprintf("%s: loki.write has no endpoint", c.at(w))}
	}
	if got, _ := ep.attrStr("url"); got != "«var.loki_push_url»" {
		out = append(out, fmt.Sprintf("%s: loki.write endpoint url = %q, want var.loki_push_url", c.at(ep), got))
	}
	out = append(out, c.basicAuthProblems(m, ep, "")...)
	for _, src := range c.component("loki.source.kubernetes") {
		fwd := src.attrs["forward_to"].references()
		if !slices.ContainsFunc(fwd, func(r alloyRef) bool { return strings.HasPrefix(r.name, "loki.") }) {
			out = append(out, fmt.Sprintf("%s: loki.source.kubernetes forwards to nothing", c.at(src)))
		}
		if cl := src.block("clustering"); cl == nil || cl.attrs["enabled"].source() != "true" {
			out = append(out, fmt.Sprintf("%s: loki.source.kubernetes does not share the pods among the clustered replicas (clustering { enabled = true })", c.at(src)))
		}
	}
	return out
}

// No credential is written into the configuration: passwords come from
// files, usernames from variables or the Secret's environment variables.
func (c *alloyConfig) secretProblems() []string {
	var out []string
	for _, b := range c.blocks {
		b.walk(func(inner *alloyBlock) {
			for _, name := range []string{"password", "bearer_token"} {
				if e, ok := inner.attrs[name]; ok {
					out = append(out, fmt.Sprintf("%s: %s is set in the configuration (%s); read it from the Secret's file", e.pos, name, e.source()))
				}
			}
		})
	}
	sort.Strings(out)
	return out
}

var alloyMutations = []mutation{
	{"promtail back", "modules/observability/main.tf", "", "\nresource \"helm_release\" \"promtail\" {\n  name       = \"promtail\"\n  repository = \"https://grafana.github.io/helm-charts\"\n  chart      = \"promtail\"\n  version    = \"6.17.1\"\n  namespace  = var.namespace\n  timeout    = var.helm_timeout\n}\n", "alloy-release", "installs Promtail"},
	{"alloy unpinned", "modules/observability/variables.tf", `default     = "1.10.0"`, `default     = "~> 1.10"`, "alloy-release", "not pinned"},
	{"alloy reads every secret", "modules/observability/alloy.tf", `resources = ["pods/log"]`, `resources = ["pods/log", "secrets"]`, "alloy-release", `grant "/secrets"`},
	{"alloy cannot read logs", "modules/observability/alloy.tf", `resources = ["pods/log"]`, `resources = ["pods/status"]`, "alloy-release", `lack get on "/pods/log"`},
	{"alloy keeps the chart's cluster rules", "modules/observability/alloy.tf", "      clusterRules = []\n", "", "alloy-release", "rbac.clusterRules"},
	{"alloy without PDB", "modules/observability/alloy.tf", "podDisruptionBudget = { enabled = true, maxUnavailable = 1 }", "podDisruptionBudget = { enabled = false }", "alloy-release", "podDisruptionBudget.enabled"},
	{"alloy single replica", "modules/observability/variables.tf", "  default     = 2\n", "  default     = 1\n", "alloy-release", "controller.replicas"},
	{"alloy without memory limit", "modules/observability/alloy.tf", "limits   = { memory = var.alloy_resources.memory_limit }", "limits   = {}", "alloy-release", "alloy.resources.limits.memory"},
	{"alloy as root", "modules/observability/alloy.tf", "runAsNonRoot             = true\n    runAsUser", "runAsNonRoot             = false\n    runAsUser", "alloy-release", "alloy.securityContext.runAsNonRoot"},
	{"config as a heredoc", "modules/observability/alloy.tf", "content = templatefile(", "content = tostring(", "alloy-config", "not templatefile"},
	{"ruler address hard-coded", "modules/observability/alloy/config.alloy", `address                = "${ruler_url}"`, `address                = "https://prometheus-prod-13-prod-us-east-0.grafana.net"`, "alloy-config", "want the ruler variable"},
	{"ruler not wired in the root", "main.tf", "mimir_ruler_url             = var.grafana_cloud_ruler_url", `mimir_ruler_url             = "https://prometheus-prod-13-prod-us-east-0.grafana.net"`, "alloy-config", "module.observability.mimir_ruler_url"},
	{"selector off the render", "modules/observability/alloy/config.alloy", `"app.kubernetes.io/managed-by" = "idp-cmp"`, `"app.kubernetes.io/managed-by" = "idp"`, "alloy-config", "rule_selector wants app.kubernetes.io/managed-by"},
	{"selector of one app", "modules/observability/alloy/config.alloy", `"app.kubernetes.io/managed-by" = "idp-cmp"`, `"app.kubernetes.io/name" = "hello-world"`, "alloy-config", "sample app 2"},
	{"no rule selector", "modules/observability/alloy/config.alloy", "  rule_selector {\n    match_labels = {\n      \"app.kubernetes.io/managed-by\" = \"idp-cmp\",\n    }\n  }\n", "", "alloy-config", "has no rule_selector"},
	{"no namespace prefix", "modules/observability/alloy/config.alloy", "  mimir_namespace_prefix = \"${cluster}\"\n", "", "alloy-config", "mimir_namespace_prefix"},
	{"ruler reads every cluster", "modules/observability/alloy/config.alloy", `value      = "${cluster}"`, `value      = "other"`, "alloy-config", "extra_query_matchers"},
	{"ruler username not from the Secret", "modules/observability/alloy.tf", `key = "prometheusUsername"`, `key = "username"`, "alloy-config", "key \"prometheusUsername\""},
	{"ruler password in the config", "modules/observability/alloy/config.alloy", "    password_file = \"${credentials_dir}/password\"\n  }\n\n  rule_selector", "    password      = \"glc_xyz\"\n  }\n\n  rule_selector", "alloy-config", "password is set in the configuration"},
	{"credentials from another Secret", "modules/observability/alloy.tf", "secret = { secretName = var.credentials_secret_name, optional = true }", "secret = { secretName = \"other\", optional = true }", "alloy-config", "password_file"},
	{"Secret name off the ExternalSecret", "modules/observability/variables.tf", `default     = "grafana-cloud-credentials"`, `default     = "grafana-cloud"`, "alloy-config", "ExternalSecret's target"},
	{"loki url hard-coded", "modules/observability/alloy/config.alloy", `url = "${loki_url}"`, `url = "https://logs-prod-006.grafana.net/loki/api/v1/push"`, "alloy-config", "want var.loki_push_url"},
	{"template variable not passed", "modules/observability/alloy.tf", "      loki_url        = var.loki_push_url\n", "", "alloy-config", "${loki_url} is not passed"},
	{"undefined component", "modules/observability/alloy/config.alloy", "forward_to = [loki.write.grafana_cloud.receiver]", "forward_to = [loki.write.cloud.receiver]", "alloy-config", "loki.write.cloud is not defined"},
	{"unknown export", "modules/observability/alloy/config.alloy", "targets    = discovery.relabel.pods.output", "targets    = discovery.relabel.pods.targets", "alloy-config", `exports no field "targets"`},
	{"unknown component", "modules/observability/alloy/config.alloy", `loki.source.kubernetes "pods" {`, `loki.source.kubernetes_logs "pods" {`, "alloy-config", "unknown component loki.source.kubernetes_logs"},
	{"unbalanced braces", "modules/observability/alloy/config.alloy", "  clustering {\n    enabled = true\n  }\n", "  clustering {\n    enabled = true\n", "alloy-config", "expected }, got EOF"},
	{"object field without its comma", "modules/observability/alloy/config.alloy", "      \"app.kubernetes.io/managed-by\" = \"idp-cmp\",\n    }\n  }\n\n  rule_namespace_selector", "      \"app.kubernetes.io/managed-by\" = \"idp-cmp\"\n    }\n  }\n\n  rule_namespace_selector", "alloy-config", "missing ',' in field list"},
	{"dotted attribute name", "modules/observability/alloy/config.alloy", `level  = "info"`, `log.level  = "info"`, "alloy-config", "attribute names may only consist of a single identifier"},
	{"logs not clustered", "modules/observability/alloy/config.alloy", "  clustering {\n    enabled = true\n  }\n", "", "alloy-config", "clustering { enabled = true }"},
	{"Prometheus evaluates every rule", "modules/observability/main.tf", "        podMonitorSelectorNilUsesHelmValues     = false\n", "        podMonitorSelectorNilUsesHelmValues     = false\n        ruleSelectorNilUsesHelmValues           = false\n", "alloy-config", "a second time"},
}
