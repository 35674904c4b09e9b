package terraform

// Static checks of what lets the platform grow past a handful of apps:
// ExternalDNS (per-app records, IAM limited to the platform zone), Karpenter
// (a scoped controller policy, the interruption queue wired end to end, a
// capped NodePool, the system node group kept for the platform's own pods)
// and the node settings that decide how many pods a node holds (prefix
// delegation, one max-pods value everywhere, IMDSv2 out of the pods' reach).
// They read the same parsed HCL as checks_test.go; their mutations are in
// scaleMutations.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func init() {
	checks = append(checks,
		check{"external-dns", checkExternalDNS},
		check{"karpenter", checkKarpenter},
		check{"node-settings", checkNodeSettings},
	)
	mutations = append(mutations, scaleMutations...)
}

// ---------------------------------------------------------------------------
// Reading expressions
// ---------------------------------------------------------------------------

func keyName(k hclsyntax.Expression) string {
	if kw := hcl.ExprAsKeyword(k); kw != "" {
		return kw
	}
	if v, diags := k.Value(nil); !diags.HasErrors() && v.Type() == cty.String {
		return v.AsString()
	}
	return ""
}

// item walks object keys (and tuple indexes "0", "1", …) down from e, through
// yamlencode/jsonencode calls and one-element tuples such as values = [...].
func item(e hclsyntax.Expression, path ...string) hclsyntax.Expression {
	for _, key := range path {
		e = unwrap(e)
		switch x := e.(type) {
		case *hclsyntax.ObjectConsExpr:
			var found hclsyntax.Expression
			for _, it := range x.Items {
				if keyName(it.KeyExpr) == key {
					found = it.ValueExpr
				}
			}
			if found == nil {
				return nil
			}
			e = found
		case *hclsyntax.TupleConsExpr:
			i := -1
			if _, err := fmt.Sscan(key, &i); err != nil || i < 0 || i >= len(x.Exprs) {
				return nil
			}
			e = x.Exprs[i]
		default:
			return nil
		}
	}
	return unwrap(e)
}

func unwrap(e hclsyntax.Expression) hclsyntax.Expression {
	for {
		switch x := e.(type) {
		case *hclsyntax.FunctionCallExpr:
			if (x.Name == "yamlencode" || x.Name == "jsonencode") && len(x.Args) == 1 {
				e = x.Args[0]
				continue
			}
		case *hclsyntax.TupleConsExpr:
			if len(x.Exprs) == 1 {
				if _, ok := x.Exprs[0].(*hclsyntax.FunctionCallExpr); ok {
					e = x.Exprs[0]
					continue
				}
			}
		case *hclsyntax.ParenthesesExpr:
			e = x.Expression
			continue
		}
		return e
	}
}

func literalString(e hclsyntax.Expression) (string, bool) {
	if e == nil {
		return "", false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func literalNumber(e hclsyntax.Expression) (float64, bool) {
	if e == nil {
		return 0, false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	f, _ := v.AsBigFloat().Float64()
	return f, true
}

// elements returns the source of each element of a tuple, unquoted, or the
// whole expression's source when it is not a tuple.
func elements(f *hclFile, e hclsyntax.Expression) []string {
	if e == nil {
		return nil
	}
	tup, ok := unwrap(e).(*hclsyntax.TupleConsExpr)
	if !ok {
		return []string{unquote(exprSource(f, e))}
	}
	out := make([]string, 0, len(tup.Exprs))
	for _, x := range tup.Exprs {
		out = append(out, unquote(exprSource(f, x)))
	}
	return out
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
		return s[1 : len(s)-1]
	}
	return s
}

func srcOf(f *hclFile, e hclsyntax.Expression) string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(exprSource(f, e))
}

// fileOf finds the parsed file an attribute was read from.
func (m *moduleDir) fileOf(a *hclsyntax.Attribute) *hclFile {
	for _, f := range m.files {
		if f.name == a.SrcRange.Filename || strings.HasSuffix(a.SrcRange.Filename, f.name) {
			return f
		}
	}
	return nil
}

var localRef = regexp.MustCompile(`\$\{local\.([a-z0-9_]+)\}`)

// expandLocals replaces ${local.X} by X's definition when X is a string
// template, so that a policy's condition keys read as IAM will see them.
func expandLocals(m *moduleDir, src string) string {
	locals := m.locals()
	return localRef.ReplaceAllStringFunc(src, func(ref string) string {
		def := locals[localRef.FindStringSubmatch(ref)[1]]
		if def == nil {
			return ref
		}
		if _, ok := def.Expr.(*hclsyntax.TemplateExpr); !ok {
			return ref
		}
		if f := m.fileOf(def); f != nil {
			return unquote(exprSource(f, def.Expr))
		}
		return ref
	})
}

func varDefault(m *moduleDir, name string) (cty.Value, bool) {
	for _, b := range m.blocks("variable") {
		if b.block.Labels[0] != name {
			continue
		}
		if d := b.block.Body.Attributes["default"]; d != nil {
			if v, diags := d.Expr.Value(nil); !diags.HasErrors() {
				return v, true
			}
		}
	}
	return cty.NilVal, false
}

// resolveString evaluates a literal, var.X (its default) or local.X.Y… (a
// path into a local object) to a string.
func resolveString(m *moduleDir, e hclsyntax.Expression) (string, bool) {
	if e == nil {
		return "", false
	}
	if v, ok := staticValue(m, e); ok && v.Type() == cty.String {
		return v.AsString(), true
	}
	st, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok || st.Traversal.RootName() != "local" {
		return "", false
	}
	def := m.locals()[traversalAttr(st.Traversal, 1)]
	if def == nil {
		return "", false
	}
	var path []string
	for i := 2; i < len(st.Traversal); i++ {
		path = append(path, traversalAttr(st.Traversal, i))
	}
	return literalString(item(def.Expr, path...))
}

// serviceAccountDefault reads a var of type object({namespace, name}).
func serviceAccountDefault(m *moduleDir, name string) (string, string, bool) {
	v, ok := varDefault(m, name)
	if !ok || !v.Type().IsObjectType() || !v.Type().HasAttribute("namespace") || !v.Type().HasAttribute("name") {
		return "", "", false
	}
	return v.GetAttr("namespace").AsString(), v.GetAttr("name").AsString(), true
}

func (m *moduleDir) resource(typ, name string) *blockAt {
	for _, r := range m.blocks("resource") {
		if r.block.Labels[0] == typ && (name == "" || r.block.Labels[1] == name) {
			r := r
			return &r
		}
	}
	return nil
}

func (m *moduleDir) resources(typ string) []blockAt {
	var out []blockAt
	for _, r := range m.blocks("resource") {
		if r.block.Labels[0] == typ {
			out = append(out, r)
		}
	}
	return out
}

// releaseByChart finds the helm_release of a chart by name, or of a chart of
// this tree by its directory's name.
func releaseByChart(m *moduleDir, chart string) *blockAt {
	for _, r := range m.resources("helm_release") {
		e := attrExpr(r, "chart")
		if c, ok := literalString(e); ok && c == chart {
			return &r
		}
		if strings.HasSuffix(srcOf(r.file, e), "/"+chart+`"`) {
			return &r
		}
	}
	return nil
}

func attrExpr(b blockAt, name string) hclsyntax.Expression {
	if a := b.block.Body.Attributes[name]; a != nil {
		return a.Expr
	}
	return nil
}

// moduleArg is the source of an argument of a module call in the root.
func moduleArg(root *moduleDir, call, arg string) (string, *blockAt) {
	for _, c := range root.blocks("module") {
		if c.block.Labels[0] != call {
			continue
		}
		c := c
		return srcOf(c.file, attrExpr(c, arg)), &c
	}
	return "", nil
}

// wantWiring reports a root module argument that is not the expected value.
func wantWiring(root *moduleDir, call, arg, want, why string) []string {
	got, c := moduleArg(root, call, arg)
	if c == nil {
		return []string{fmt.Sprintf("root: module.%s is not called", call)}
	}
	if got != want {
		return []string{fmt.Sprintf("%s: module.%s.%s = %s, want %s (%s)", c.pos(), call, arg, got, want, why)}
	}
	return nil
}

// ---------------------------------------------------------------------------
// IAM policy documents
// ---------------------------------------------------------------------------

type policyCondition struct {
	test, variable string   // the variable with ${local.*} expanded
	values         []string // element sources, unquoted
}

type policyStatement struct {
	pos        string
	sid        string
	effect     string
	actions    []string
	resources  []string
	principals []string // "<type> <identifiers source>"
	conditions []policyCondition
}

func (s policyStatement) has(action string) bool { return slices.Contains(s.actions, action) }

func (s policyStatement) onAnything() bool { return slices.Contains(s.resources, "*") }

func (s policyStatement) condition(test, variable string) *policyCondition {
	for _, c := range s.conditions {
		if c.test == test && c.variable == variable {
			c := c
			return &c
		}
	}
	return nil
}

func (s policyStatement) name() string {
	if s.sid != "" {
		return s.pos + ": statement " + s.sid
	}
	return s.pos + ": statement"
}

// policyDocument reads data "aws_iam_policy_document" NAME's statements.
func policyDocument(m *moduleDir, name string) ([]policyStatement, bool) {
	for _, d := range m.blocks("data") {
		if d.block.Labels[0] != "aws_iam_policy_document" || d.block.Labels[1] != name {
			continue
		}
		var out []policyStatement
		for _, st := range d.block.Body.Blocks {
			if st.Type != "statement" {
				continue
			}
			s := policyStatement{pos: fmt.Sprintf("%s:%d", d.file.name, st.TypeRange.Start.Line), effect: "Allow"}
			s.sid, _ = literalString(attrExpr(blockAt{d.file, st}, "sid"))
			if e, ok := literalString(attrExpr(blockAt{d.file, st}, "effect")); ok {
				s.effect = e
			}
			s.actions = elements(d.file, attrExpr(blockAt{d.file, st}, "actions"))
			for _, r := range elements(d.file, attrExpr(blockAt{d.file, st}, "resources")) {
				s.resources = append(s.resources, expandLocals(m, r))
			}
			for _, inner := range st.Body.Blocks {
				ib := blockAt{d.file, inner}
				switch inner.Type {
				case "condition":
					test, _ := literalString(attrExpr(ib, "test"))
					s.conditions = append(s.conditions, policyCondition{
						test:     test,
						variable: expandLocals(m, unquote(srcOf(d.file, attrExpr(ib, "variable")))),
						values:   elements(d.file, attrExpr(ib, "values")),
					})
				case "principals":
					typ, _ := literalString(attrExpr(ib, "type"))
					s.principals = append(s.principals, typ+" "+srcOf(d.file, attrExpr(ib, "identifiers")))
				}
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// irsaEntry is local.irsa[key] of the iam module: the service account
// variable its trust names and its policy document's source.
func irsaEntry(iam *moduleDir, key string) (saVar, policy string, ok bool) {
	def := iam.locals()["irsa"]
	if def == nil {
		return "", "", false
	}
	f := iam.fileOf(def)
	e := item(def.Expr, key)
	if e == nil || f == nil {
		return "", "", false
	}
	return srcOf(f, item(e, "service_account")), srcOf(f, item(e, "policy_json")), true
}

// irsaTrustProblems: the role of local.irsa[key] trusts the cluster's OIDC
// provider for exactly one service account (sub) and STS (aud), and that
// account is the one the chart creates.
func irsaTrustProblems(iam *moduleDir, key, wantPolicy, chartNamespace, chartAccount string) []string {
	var out []string
	saVar, policy, ok := irsaEntry(iam, key)
	if !ok {
		return []string{fmt.Sprintf("modules/iam: local.irsa has no %q role", key)}
	}
	if policy != wantPolicy {
		out = append(out, fmt.Sprintf("modules/iam: local.irsa[%q].policy_json = %s, want %s", key, policy, wantPolicy))
	}
	ns, name, ok := serviceAccountDefault(iam, strings.TrimPrefix(saVar, "var."))
	switch {
	case !strings.HasPrefix(saVar, "var.") || !ok:
		out = append(out, fmt.Sprintf("modules/iam: local.irsa[%q].service_account is %s, not a variable with a {namespace, name} default", key, saVar))
	case ns != chartNamespace || name != chartAccount:
		out = append(out, fmt.Sprintf("modules/iam: the %s role trusts service account %s/%s, but the chart runs as %s/%s", key, ns, name, chartNamespace, chartAccount))
	}

	role := iam.resource("aws_iam_role", "irsa")
	if role == nil || srcOf(role.file, attrExpr(*role, "for_each")) != "local.irsa" ||
		srcOf(role.file, attrExpr(*role, "assume_role_policy")) != "data.aws_iam_policy_document.irsa_assume[each.key].json" {
		out = append(out, "modules/iam: aws_iam_role.irsa must be for_each = local.irsa with assume_role_policy = data.aws_iam_policy_document.irsa_assume[each.key].json")
	}
	trust, ok := policyDocument(iam, "irsa_assume")
	if !ok || len(trust) != 1 {
		return append(out, "modules/iam: data.aws_iam_policy_document.irsa_assume must hold exactly one statement")
	}
	s := trust[0]
	if strings.Join(s.actions, ",") != "sts:AssumeRoleWithWebIdentity" {
		out = append(out, fmt.Sprintf("%s: trust allows %v, want only sts:AssumeRoleWithWebIdentity", s.name(), s.actions))
	}
	if len(s.principals) != 1 || !strings.HasPrefix(s.principals[0], "Federated ") || !strings.Contains(s.principals[0], "aws_iam_openid_connect_provider.") {
		out = append(out, fmt.Sprintf("%s: trust must name the cluster's OIDC provider as its only principal, got %v", s.name(), s.principals))
	}
	sub := s.condition("StringEquals", "${local.oidc_host}:sub")
	if sub == nil || len(sub.values) != 1 || !strings.Contains(sub.values[0], "${each.value.service_account.namespace}") || !strings.Contains(sub.values[0], "${each.value.service_account.name}") {
		out = append(out, fmt.Sprintf("%s: trust is not bound to the service account (StringEquals <issuer>:sub = system:serviceaccount:<namespace>:<name>)", s.name()))
	}
	aud := s.condition("StringEquals", "${local.oidc_host}:aud")
	if aud == nil || strings.Join(aud.values, ",") != "sts.amazonaws.com" {
		out = append(out, fmt.Sprintf("%s: trust is not bound to the STS audience (StringEquals <issuer>:aud = sts.amazonaws.com)", s.name()))
	}
	return out
}

func wildcardActions(stmts []policyStatement) []string {
	var out []string
	for _, s := range stmts {
		for _, a := range s.actions {
			if strings.Contains(a, "*") {
				out = append(out, fmt.Sprintf("%s: wildcard action %s", s.name(), a))
			}
		}
	}
	return out
}

// chartServiceAccount is the namespace and service account a release runs as.
func chartServiceAccount(m *moduleDir, rel blockAt) (string, string) {
	ns, _ := resolveString(m, attrExpr(rel, "namespace"))
	sa, _ := resolveString(m, item(attrExpr(rel, "values"), "serviceAccount", "name"))
	return ns, sa
}

// ---------------------------------------------------------------------------
// ExternalDNS
// ---------------------------------------------------------------------------

// ExternalDNS is installed for Ingress hosts of the platform domain only,
// with the TXT registry of this cluster; its IAM role changes records of the
// platform zone and nothing broader, and trusts its own service account only.
func checkExternalDNS(t *tree) []string {
	root, addons, iam := t.modules["."], t.modules["modules/addons"], t.modules["modules/iam"]
	if root == nil || addons == nil || iam == nil {
		return []string{"the root, modules/addons or modules/iam is missing"}
	}
	var out []string
	ns, sa := "", ""
	if rel := releaseByChart(addons, "external-dns"); rel == nil {
		out = append(out, "modules/addons: no helm_release of the external-dns chart")
	} else {
		ns, sa = chartServiceAccount(addons, *rel)
		out = append(out, externalDNSValueProblems(*rel)...)
	}

	out = append(out, irsaTrustProblems(iam, "external-dns", "data.aws_iam_policy_document.external_dns.json", ns, sa)...)
	out = append(out, wantWiring(root, "iam", "route53_zone_arn", "module.dns.zone_arn", "the platform's zone")...)
	out = append(out, wantWiring(root, "addons", "external_dns_role_arn", "module.iam.external_dns_role_arn", "its IRSA role")...)

	stmts, ok := policyDocument(iam, "external_dns")
	if !ok {
		return append(out, "modules/iam: no data.aws_iam_policy_document.external_dns")
	}
	out = append(out, wildcardActions(stmts)...)
	changes := false
	for _, s := range stmts {
		if s.effect != "Allow" {
			continue
		}
		if s.onAnything() {
			for _, a := range s.actions {
				if a != "route53:ListHostedZones" {
					out = append(out, fmt.Sprintf("%s: %s on \"*\"; only route53:ListHostedZones supports no resource-level permission", s.name(), a))
				}
			}
		}
		if s.has("route53:ChangeResourceRecordSets") {
			changes = true
			if strings.Join(s.resources, ",") != "var.route53_zone_arn" {
				out = append(out, fmt.Sprintf("%s: route53:ChangeResourceRecordSets on %v, want the platform zone only (var.route53_zone_arn)", s.name(), s.resources))
			}
		}
	}
	if !changes {
		out = append(out, "modules/iam: the external_dns policy grants no route53:ChangeResourceRecordSets")
	}
	return out
}

func externalDNSValueProblems(rel blockAt) []string {
	var out []string
	values := attrExpr(rel, "values")
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: %s: ", rel.pos(), rel.addr())+fmt.Sprintf(format, args...))
	}
	if !slices.Contains(elements(rel.file, item(values, "sources")), "ingress") {
		bad("sources must include ingress (--source=ingress)")
	}
	if p, _ := literalString(item(values, "policy")); p != "sync" && p != "upsert-only" {
		bad("policy %q is neither sync nor upsert-only", p)
	}
	if r, _ := literalString(item(values, "registry")); r != "txt" {
		bad("registry %q is not txt (ownership of records)", r)
	}
	if owner := srcOf(rel.file, item(values, "txtOwnerId")); owner == "" || owner == `""` {
		bad("txtOwnerId is not set (the cluster owns its records)")
	}
	if prefix, _ := literalString(item(values, "txtPrefix")); prefix == "" {
		bad("txtPrefix is not set")
	}
	if !slices.Contains(elements(rel.file, item(values, "domainFilters")), "var.domain_name") {
		bad("domainFilters must be the platform domain (var.domain_name)")
	}
	if p, _ := literalString(item(values, "provider", "name")); p != "aws" {
		bad("provider.name %q is not aws", p)
	}
	if !slices.Contains(elements(rel.file, item(values, "extraArgs")), "--aws-zone-type=public") {
		bad("extraArgs lack --aws-zone-type=public")
	}
	iv, _ := literalString(item(values, "interval"))
	if d, err := time.ParseDuration(iv); err != nil || d < time.Minute {
		bad("interval %q: give a duration of at least 1m (Route53 allows 5 requests/s per account)", iv)
	}
	if got := srcOf(rel.file, item(values, "serviceAccount", "annotations", "eks.amazonaws.com/role-arn")); got != "var.external_dns_role_arn" {
		bad("the service account's eks.amazonaws.com/role-arn is %q, want var.external_dns_role_arn", got)
	}
	return out
}

// ---------------------------------------------------------------------------
// Karpenter
// ---------------------------------------------------------------------------

var (
	karpenterWrites = []string{"ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate", "ec2:CreateTags", "ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"}
	// Shared inputs of a launch that carry no tag of Karpenter's.
	launchInputs = regexp.MustCompile(`:(image|snapshot|security-group|subnet)/\*$`)
	clusterTag   = regexp.MustCompile(`^aws:(Request|Resource)Tag/kubernetes\.io/cluster/\$\{var\.cluster_name\}$`)
	// The interruption events Karpenter's template routes to its queue.
	interruptionEvents = []string{
		"EC2 Spot Instance Interruption Warning",
		"EC2 Instance Rebalance Recommendation",
		"EC2 Instance State-change Notification",
		"AWS Health Event",
	}
)

// Karpenter's controller may act only on what is tagged for this cluster,
// pass only its node role, read only its queue; the queue is fed by the four
// EventBridge rules and is the one the controller is told about; the default
// NodePool is capped; the system node group stays, and the controller runs
// there, never on a node it manages.
func checkKarpenter(t *tree) []string {
	root, addons, iam, eks := t.modules["."], t.modules["modules/addons"], t.modules["modules/iam"], t.modules["modules/eks"]
	if root == nil || addons == nil || iam == nil || eks == nil {
		return []string{"the root, modules/addons, modules/iam or modules/eks is missing"}
	}
	var out []string
	ns, sa := "", ""
	if rel := releaseByChart(addons, "karpenter"); rel == nil {
		out = append(out, "modules/addons: no helm_release of the karpenter chart")
	} else {
		ns, sa = chartServiceAccount(addons, *rel)
		out = append(out, karpenterValueProblems(*rel)...)
	}
	if rel := releaseByChart(addons, "karpenter-nodepool"); rel == nil {
		out = append(out, "modules/addons: no helm_release of the karpenter-nodepool chart (the default NodePool)")
	} else {
		out = append(out, nodePoolProblems(*rel)...)
	}
	out = append(out, irsaTrustProblems(iam, "karpenter", "data.aws_iam_policy_document.karpenter_controller.json", ns, sa)...)
	out = append(out, karpenterPolicyProblems(iam)...)
	out = append(out, interruptionQueueProblems(eks)...)

	if eks.resource("aws_eks_node_group", "") == nil {
		out = append(out, "modules/eks: no managed node group for the system pods (Karpenter must not run on the nodes it manages)")
	}
	if e := eks.resource("aws_eks_access_entry", "karpenter_node"); e == nil ||
		srcOf(e.file, attrExpr(*e, "principal_arn")) != "var.karpenter_node_role_arn" || srcOf(e.file, attrExpr(*e, "type")) != `"EC2_LINUX"` {
		out = append(out, "modules/eks: Karpenter's node role needs an EC2_LINUX access entry (aws_eks_access_entry.karpenter_node)")
	}
	for _, w := range [][4]string{
		{"addons", "karpenter_interruption_queue_name", "module.eks.karpenter_interruption_queue_name", "the queue the rules feed"},
		{"iam", "karpenter_interruption_queue_arn", "module.eks.karpenter_interruption_queue_arn", "the queue the controller may read"},
		{"addons", "system_node_group_name", "module.eks.node_group_name", "the controller runs on the system nodes"},
		{"addons", "karpenter_controller_role_arn", "module.iam.karpenter_controller_role_arn", "its IRSA role"},
		{"addons", "karpenter_instance_profile_name", "module.iam.karpenter_node_instance_profile_name", "the role it may pass"},
		{"eks", "karpenter_node_role_arn", "module.iam.karpenter_node_role_arn", "its nodes may join"},
	} {
		out = append(out, wantWiring(root, w[0], w[1], w[2], w[3])...)
	}
	return out
}

func karpenterValueProblems(rel blockAt) []string {
	var out []string
	values := attrExpr(rel, "values")
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: %s: ", rel.pos(), rel.addr())+fmt.Sprintf(format, args...))
	}
	if q := srcOf(rel.file, item(values, "settings", "interruptionQueue")); q != "var.karpenter_interruption_queue_name" {
		bad("settings.interruptionQueue is %q, want var.karpenter_interruption_queue_name", q)
	}
	if srcOf(rel.file, item(values, "settings", "clusterName")) == "" {
		bad("settings.clusterName is not set")
	}
	if got := srcOf(rel.file, item(values, "serviceAccount", "annotations", "eks.amazonaws.com/role-arn")); got != "var.karpenter_controller_role_arn" {
		bad("the service account's eks.amazonaws.com/role-arn is %q, want var.karpenter_controller_role_arn", got)
	}
	if got := srcOf(rel.file, item(values, "nodeSelector", "eks.amazonaws.com/nodegroup")); got != "var.system_node_group_name" {
		bad("nodeSelector eks.amazonaws.com/nodegroup is %q, want var.system_node_group_name (the system node group)", got)
	}
	excluded := false
	terms := item(values, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	if tup, ok := terms.(*hclsyntax.TupleConsExpr); ok && len(tup.Exprs) > 0 {
		// Terms are ORed: every one must exclude Karpenter's nodes.
		excluded = true
		for _, term := range tup.Exprs {
			found := false
			if exprs, ok := item(term, "matchExpressions").(*hclsyntax.TupleConsExpr); ok {
				for _, me := range exprs.Exprs {
					k, _ := literalString(item(me, "key"))
					op, _ := literalString(item(me, "operator"))
					found = found || (k == "karpenter.sh/nodepool" && op == "DoesNotExist")
				}
			}
			excluded = excluded && found
		}
	}
	if !excluded {
		bad("the controller's required node affinity must exclude Karpenter's nodes (karpenter.sh/nodepool DoesNotExist)")
	}
	return out
}

func nodePoolProblems(rel blockAt) []string {
	var out []string
	values := attrExpr(rel, "values")
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: %s: ", rel.pos(), rel.addr())+fmt.Sprintf(format, args...))
	}
	for _, k := range []string{"cpu", "memory"} {
		if srcOf(rel.file, item(values, "nodePool", "limits", k)) == "" {
			bad("nodePool.limits.%s is not set (the NodePool's cost ceiling)", k)
		}
	}
	if p, _ := literalString(item(values, "nodePool", "disruption", "consolidationPolicy")); p == "" {
		bad("nodePool.disruption.consolidationPolicy is not set")
	}
	if got := srcOf(rel.file, item(values, "ec2NodeClass", "instanceProfile")); got != "var.karpenter_instance_profile_name" {
		bad("ec2NodeClass.instanceProfile is %q, want var.karpenter_instance_profile_name", got)
	}
	return out
}

func karpenterPolicyProblems(iam *moduleDir) []string {
	stmts, ok := policyDocument(iam, "karpenter_controller")
	if !ok {
		return []string{"modules/iam: no data.aws_iam_policy_document.karpenter_controller"}
	}
	out := wildcardActions(stmts)
	passes, queue := false, false
	for _, s := range stmts {
		if s.effect != "Allow" {
			continue
		}
		if s.onAnything() {
			for _, a := range s.actions {
				ok := a == "pricing:GetProducts" || a == "iam:ListInstanceProfiles" || strings.HasPrefix(a, "ec2:Describe")
				if !ok {
					out = append(out, fmt.Sprintf("%s: %s on \"*\"; only reads without resource-level permissions may be", s.name(), a))
				}
				if strings.HasPrefix(a, "ec2:Describe") && s.condition("StringEquals", "aws:RequestedRegion") == nil {
					out = append(out, fmt.Sprintf("%s: %s on \"*\" is not limited to the region (aws:RequestedRegion)", s.name(), a))
				}
			}
		}
		writes := false
		for _, a := range karpenterWrites {
			writes = writes || s.has(a)
		}
		if writes {
			out = append(out, scopedWriteProblems(s)...)
		}
		if s.has("iam:PassRole") {
			passes = true
			if strings.Join(s.resources, ",") != "aws_iam_role.karpenter_node.arn" {
				out = append(out, fmt.Sprintf("%s: iam:PassRole on %v, want Karpenter's node role only (aws_iam_role.karpenter_node.arn)", s.name(), s.resources))
			}
			if c := s.condition("StringEquals", "iam:PassedToService"); c == nil || strings.Join(c.values, ",") != "ec2.amazonaws.com" {
				out = append(out, fmt.Sprintf("%s: iam:PassRole is not limited to EC2 (iam:PassedToService)", s.name()))
			}
		}
		for _, a := range s.actions {
			if strings.HasPrefix(a, "sqs:") {
				queue = true
				if strings.Join(s.resources, ",") != "var.karpenter_interruption_queue_arn" {
					out = append(out, fmt.Sprintf("%s: %s on %v, want the interruption queue only (var.karpenter_interruption_queue_arn)", s.name(), a, s.resources))
				}
			}
			if a == "eks:DescribeCluster" && (len(s.resources) != 1 || !strings.HasSuffix(s.resources[0], ":cluster/${var.cluster_name}")) {
				out = append(out, fmt.Sprintf("%s: eks:DescribeCluster on %v, want this cluster only", s.name(), s.resources))
			}
		}
	}
	if !passes {
		out = append(out, "modules/iam: the karpenter_controller policy grants no iam:PassRole of the node role")
	}
	if !queue {
		out = append(out, "modules/iam: the karpenter_controller policy cannot read the interruption queue")
	}
	return out
}

// A statement that creates, tags or deletes EC2 resources is scoped by this
// cluster's tag; only RunInstances/CreateFleet may go without it, and only on
// the shared inputs of a launch (images, snapshots, subnets, security groups).
func scopedWriteProblems(s policyStatement) []string {
	if s.onAnything() {
		return []string{fmt.Sprintf("%s: %v on \"*\"", s.name(), s.actions)}
	}
	var tag *policyCondition
	for _, c := range s.conditions {
		if clusterTag.MatchString(c.variable) && c.test == "StringEquals" && strings.Join(c.values, ",") == "owned" {
			c := c
			tag = &c
		}
	}
	if tag == nil {
		inputsOnly := len(s.resources) > 0
		for _, r := range s.resources {
			inputsOnly = inputsOnly && launchInputs.MatchString(r)
		}
		for _, a := range s.actions {
			inputsOnly = inputsOnly && (a == "ec2:RunInstances" || a == "ec2:CreateFleet")
		}
		if !inputsOnly {
			return []string{fmt.Sprintf("%s: %v is not scoped to this cluster (StringEquals aws:RequestTag|ResourceTag/kubernetes.io/cluster/${var.cluster_name} = owned)", s.name(), s.actions)}
		}
		return nil
	}
	if (s.has("ec2:TerminateInstances") || s.has("ec2:DeleteLaunchTemplate")) && !strings.HasPrefix(tag.variable, "aws:ResourceTag/") {
		return []string{fmt.Sprintf("%s: deletions must be scoped by the resource's own cluster tag (aws:ResourceTag/…)", s.name())}
	}
	return nil
}

// The interruption queue is encrypted, named in the eks module's outputs,
// open to EventBridge and fed by a rule for each interruption event.
func interruptionQueueProblems(eks *moduleDir) []string {
	var out []string
	queues := eks.resources("aws_sqs_queue")
	if len(queues) != 1 {
		return []string{fmt.Sprintf("modules/eks: want one aws_sqs_queue (Karpenter's interruption queue), found %d", len(queues))}
	}
	q := queues[0]
	qaddr := "aws_sqs_queue." + q.block.Labels[1]
	if srcOf(q.file, attrExpr(q, "sqs_managed_sse_enabled")) != "true" && attrExpr(q, "kms_master_key_id") == nil {
		out = append(out, fmt.Sprintf("%s: %s is not encrypted (sqs_managed_sse_enabled or kms_master_key_id)", q.pos(), qaddr))
	}
	for name, attr := range map[string]string{"karpenter_interruption_queue_arn": "arn", "karpenter_interruption_queue_name": "name"} {
		o := eks.cfg.Outputs[name]
		var got string
		for _, b := range eks.blocks("output") {
			if b.block.Labels[0] == name {
				got = srcOf(b.file, attrExpr(b, "value"))
			}
		}
		if o == nil || got != qaddr+"."+attr {
			out = append(out, fmt.Sprintf("modules/eks: output %s must be %s.%s", name, qaddr, attr))
		}
	}
	if p := eks.resource("aws_sqs_queue_policy", ""); p == nil || srcOf(p.file, attrExpr(*p, "queue_url")) != qaddr+".id" {
		out = append(out, fmt.Sprintf("modules/eks: no aws_sqs_queue_policy on %s (EventBridge may not deliver)", qaddr))
	} else {
		doc := strings.TrimSuffix(strings.TrimPrefix(srcOf(p.file, attrExpr(*p, "policy")), "data.aws_iam_policy_document."), ".json")
		stmts, _ := policyDocument(eks, doc)
		delivers := false
		for _, s := range stmts {
			delivers = delivers || (s.effect == "Allow" && s.has("sqs:SendMessage") && len(s.principals) > 0 && strings.Contains(s.principals[0], `"events.amazonaws.com"`))
		}
		if !delivers {
			out = append(out, fmt.Sprintf("%s: the queue policy does not let events.amazonaws.com send messages", p.pos()))
		}
	}

	// Detail types of the rules, and the rules whose events reach the queue.
	routed := map[string]bool{}
	for _, tgt := range eks.resources("aws_cloudwatch_event_target") {
		if srcOf(tgt.file, attrExpr(tgt, "arn")) != qaddr+".arn" {
			continue
		}
		for _, ref := range []string{srcOf(tgt.file, attrExpr(tgt, "for_each")), srcOf(tgt.file, attrExpr(tgt, "rule"))} {
			if rest, ok := strings.CutPrefix(ref, "aws_cloudwatch_event_rule."); ok {
				routed[strings.SplitN(rest, ".", 2)[0]] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range eks.resources("aws_cloudwatch_event_rule") {
		if !routed[r.block.Labels[1]] {
			continue
		}
		for _, dt := range elements(r.file, item(attrExpr(r, "event_pattern"), "detail-type")) {
			if dt != "${each.value.detail_type}" && dt != "each.value.detail_type" {
				seen[dt] = true
				continue
			}
			fe, ok := attrExpr(r, "for_each").(*hclsyntax.ScopeTraversalExpr)
			if !ok || fe.Traversal.RootName() != "local" {
				continue
			}
			def := eks.locals()[traversalAttr(fe.Traversal, 1)]
			if def == nil {
				continue
			}
			if obj, ok := def.Expr.(*hclsyntax.ObjectConsExpr); ok {
				for _, it := range obj.Items {
					if v, ok := literalString(item(it.ValueExpr, "detail_type")); ok {
						seen[v] = true
					}
				}
			}
		}
	}
	for _, ev := range interruptionEvents {
		if !seen[ev] {
			out = append(out, fmt.Sprintf("modules/eks: no EventBridge rule sends %q to %s", ev, qaddr))
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Node settings
// ---------------------------------------------------------------------------

// EKS's ceiling on max pods for nodes under 30 vCPUs (every size the NodePool
// allows); prefix delegation provides the IPs for it.
const eksMaxPods = 110

// The VPC CNI hands out /28 prefixes, every node (system and Karpenter's)
// gets the same max pods from one root variable, and IMDSv2 is required with
// a hop limit of 1 on both.
func checkNodeSettings(t *tree) []string {
	root, addons, eks := t.modules["."], t.modules["modules/addons"], t.modules["modules/eks"]
	if root == nil || addons == nil || eks == nil {
		return []string{"the root, modules/addons or modules/eks is missing"}
	}
	var out []string

	// Prefix delegation, configured before the nodes exist.
	var cni *blockAt
	for _, a := range eks.resources("aws_eks_addon") {
		if n, _ := literalString(attrExpr(a, "addon_name")); n == "vpc-cni" {
			a := a
			cni = &a
		}
	}
	if cni == nil {
		out = append(out, "modules/eks: the VPC CNI is not a managed add-on (aws_eks_addon vpc-cni), so prefix delegation is not configured")
	} else {
		env := item(attrExpr(*cni, "configuration_values"), "env")
		if v, _ := literalString(item(env, "ENABLE_PREFIX_DELEGATION")); v != "true" {
			out = append(out, fmt.Sprintf("%s: vpc-cni ENABLE_PREFIX_DELEGATION is %q, want \"true\"", cni.pos(), v))
		}
		if v, _ := literalString(item(env, "WARM_PREFIX_TARGET")); v != "1" {
			out = append(out, fmt.Sprintf("%s: vpc-cni WARM_PREFIX_TARGET is %q, want \"1\"", cni.pos(), v))
		}
		ng := eks.resource("aws_eks_node_group", "")
		if ng != nil && !strings.Contains(srcOf(ng.file, attrExpr(*ng, "depends_on")), "aws_eks_addon."+cni.block.Labels[1]) {
			out = append(out, fmt.Sprintf("%s: %s must depend on the vpc-cni add-on (nodes boot with prefix delegation)", ng.pos(), ng.addr()))
		}
	}

	// One max pods value for both kinds of node.
	eksArg, _ := moduleArg(root, "eks", "max_pods")
	addonsArg, _ := moduleArg(root, "addons", "max_pods")
	switch {
	case eksArg == "" || addonsArg == "":
		out = append(out, "root: module.eks and module.addons must both be passed max_pods")
	case eksArg != addonsArg:
		out = append(out, fmt.Sprintf("root: max pods differ between the system nodes (module.eks.max_pods = %s) and Karpenter's (module.addons.max_pods = %s)", eksArg, addonsArg))
	default:
		var n float64
		ok := false
		if v, isVar := strings.CutPrefix(eksArg, "var."); isVar {
			if d, has := varDefault(root, v); has && d.Type() == cty.Number {
				n, _ = d.AsBigFloat().Float64()
				ok = true
			}
		} else {
			_, c := moduleArg(root, "eks", "max_pods")
			n, ok = literalNumber(attrExpr(*c, "max_pods"))
		}
		if !ok || n < 1 || n > eksMaxPods {
			out = append(out, fmt.Sprintf("root: max pods %s = %v; want a known value of at most %d (EKS's limit below 30 vCPUs)", eksArg, n, eksMaxPods))
		}
	}
	lt := eks.resource("aws_launch_template", "")
	if lt == nil {
		out = append(out, "modules/eks: no launch template for the system nodes")
	} else {
		if !strings.Contains(srcOf(lt.file, attrExpr(*lt, "user_data")), "maxPods: ${var.max_pods}") {
			out = append(out, fmt.Sprintf("%s: %s user data must set the kubelet's maxPods: ${var.max_pods}", lt.pos(), lt.addr()))
		}
		var meta *hclsyntax.Block
		for _, b := range lt.block.Body.Blocks {
			if b.Type == "metadata_options" {
				meta = b
			}
		}
		tokens, hops := "", float64(0)
		if meta != nil {
			tokens, _ = literalString(attrExpr(blockAt{lt.file, meta}, "http_tokens"))
			hops, _ = literalNumber(attrExpr(blockAt{lt.file, meta}, "http_put_response_hop_limit"))
		}
		if tokens != "required" || hops != 1 {
			out = append(out, fmt.Sprintf("%s: %s metadata_options: want http_tokens = \"required\" and http_put_response_hop_limit = 1 (IMDSv2, out of the pods' reach), got %q and %v", lt.pos(), lt.addr(), tokens, hops))
		}
	}

	rel := releaseByChart(addons, "karpenter-nodepool")
	if rel == nil {
		return append(out, "modules/addons: no helm_release of the karpenter-nodepool chart")
	}
	class := item(attrExpr(*rel, "values"), "ec2NodeClass")
	if got := srcOf(rel.file, item(class, "kubelet", "maxPods")); got != "var.max_pods" {
		out = append(out, fmt.Sprintf("%s: ec2NodeClass.kubelet.maxPods is %q, want var.max_pods (the system nodes' value)", rel.pos(), got))
	}
	tokens, _ := literalString(item(class, "metadataOptions", "httpTokens"))
	hops, _ := literalNumber(item(class, "metadataOptions", "httpPutResponseHopLimit"))
	if tokens != "required" || hops != 1 {
		out = append(out, fmt.Sprintf("%s: ec2NodeClass.metadataOptions: want httpTokens \"required\" and httpPutResponseHopLimit 1, got %q and %v", rel.pos(), tokens, hops))
	}
	return out
}

// scaleMutations break one property each; the named check must report it.
var scaleMutations = []mutation{
	// ExternalDNS
	{"external-dns chart missing", "modules/addons/external-dns.tf", `  chart            = "external-dns"`, `  chart            = "external-dns-fork"`, "external-dns", "no helm_release of the external-dns chart"},
	{"record changes in every zone", "modules/iam/external-dns-policy.tf", "    actions   = [\"route53:ChangeResourceRecordSets\"]\n    resources = [var.route53_zone_arn]", "    actions   = [\"route53:ChangeResourceRecordSets\"]\n    resources = [\"arn:${local.partition}:route53:::hostedzone/*\"]", "external-dns", "route53:ChangeResourceRecordSets on [arn:"},
	{"record changes on anything", "modules/iam/external-dns-policy.tf", `actions   = ["route53:ListHostedZones"]`, `actions   = ["route53:ListHostedZones", "route53:ChangeResourceRecordSets"]`, "external-dns", `route53:ChangeResourceRecordSets on "*"`},
	{"route53 wildcard action", "modules/iam/external-dns-policy.tf", `"route53:ListTagsForResource",`, `"route53:*",`, "external-dns", "wildcard action route53:*"},
	{"zone ARN from elsewhere", "main.tf", "route53_zone_arn                 = module.dns.zone_arn", `route53_zone_arn                 = "arn:aws:route53:::hostedzone/Z0000000000"`, "external-dns", "module.iam.route53_zone_arn"},
	{"trust not bound to the service account", "modules/iam/main.tf", "      variable = \"${local.oidc_host}:sub\"", "      variable = \"${local.oidc_host}:sub_\"", "external-dns", "not bound to the service account"},
	{"trust not bound to the audience", "modules/iam/main.tf", "      variable = \"${local.oidc_host}:aud\"", "      variable = \"${local.oidc_host}:amr\"", "karpenter", "not bound to the STS audience"},
	{"external-dns runs as another service account", "modules/addons/external-dns.tf", `    service_account = "external-dns"`, `    service_account = "external-dns-controller"`, "external-dns", "but the chart runs as external-dns/external-dns-controller"},
	{"external-dns private zones too", "modules/addons/external-dns.tf", "      \"--aws-zone-type=public\",\n", "", "external-dns", "--aws-zone-type=public"},
	{"external-dns polls too often", "modules/addons/external-dns.tf", `    interval           = "5m"`, `    interval           = "10s"`, "external-dns", `interval "10s"`},
	{"external-dns policy create-only", "modules/addons/external-dns.tf", `    policy             = "sync"`, `    policy             = "create-only"`, "external-dns", `policy "create-only"`},

	// Karpenter
	{"deletion not scoped to the cluster", "modules/iam/karpenter-controller-policy.tf", "      \"${local.karpenter_ec2}:*:launch-template/*\",\n    ]\n\n    condition {\n      test     = \"StringEquals\"\n      variable = \"aws:ResourceTag/${local.karpenter_owned}\"\n      values   = [\"owned\"]\n    }\n", "      \"${local.karpenter_ec2}:*:launch-template/*\",\n    ]\n", "karpenter", "[ec2:TerminateInstances ec2:DeleteLaunchTemplate] is not scoped to this cluster"},
	{"launch templates of any owner", "modules/iam/karpenter-controller-policy.tf", `resources = ["${local.karpenter_ec2}:*:launch-template/*"]`, `resources = ["*"]`, "karpenter", `[ec2:RunInstances ec2:CreateFleet] on "*"`},
	{"PassRole of any role", "modules/iam/karpenter-controller-policy.tf", "resources = [aws_iam_role.karpenter_node.arn]", `resources = ["*"]`, "karpenter", "want Karpenter's node role only"},
	{"describe in every region", "modules/iam/karpenter-controller-policy.tf", "      variable = \"aws:RequestedRegion\"", "      variable = \"aws:SourceVpc\"", "karpenter", "is not limited to the region"},
	{"queue not handed to Karpenter", "modules/addons/karpenter.tf", "      interruptionQueue = var.karpenter_interruption_queue_name\n", "", "karpenter", "settings.interruptionQueue"},
	{"controller reads another queue", "main.tf", "karpenter_interruption_queue_arn = module.eks.karpenter_interruption_queue_arn", `karpenter_interruption_queue_arn = "arn:aws:sqs:us-east-2:111122223333:other"`, "karpenter", "module.iam.karpenter_interruption_queue_arn"},
	{"spot interruptions not routed", "modules/eks/karpenter.tf", "    spot-interruption = { source = \"aws.ec2\", detail_type = \"EC2 Spot Instance Interruption Warning\" }\n", "", "karpenter", `"EC2 Spot Instance Interruption Warning"`},
	{"rules target another queue", "modules/eks/karpenter.tf", "  arn       = aws_sqs_queue.karpenter_interruption.arn", `  arn       = "arn:aws:sqs:us-east-2:111122223333:other"`, "karpenter", "no EventBridge rule sends"},
	{"interruption queue unencrypted", "modules/eks/karpenter.tf", "  sqs_managed_sse_enabled   = true\n", "", "karpenter", "is not encrypted"},
	{"NodePool without a CPU limit", "modules/addons/karpenter.tf", "        cpu    = tostring(var.karpenter_node_pool.cpu_limit)\n", "", "karpenter", "nodePool.limits.cpu is not set"},
	{"Karpenter on its own nodes", "modules/addons/karpenter.tf", `operator = "DoesNotExist"`, `operator = "Exists"`, "karpenter", "karpenter.sh/nodepool DoesNotExist"},
	{"system node group removed", "modules/eks/main.tf", `resource "aws_eks_node_group" "this" {`, `resource "aws_autoscaling_group" "this" {`, "karpenter", "no managed node group for the system pods"},
	{"Karpenter nodes cannot join", "modules/eks/karpenter.tf", `  type          = "EC2_LINUX"`, `  type          = "STANDARD"`, "karpenter", "EC2_LINUX access entry"},

	// Node settings
	{"prefix delegation off", "modules/eks/main.tf", `ENABLE_PREFIX_DELEGATION = "true"`, `ENABLE_PREFIX_DELEGATION = "false"`, "node-settings", `ENABLE_PREFIX_DELEGATION is "false"`},
	{"nodes boot before the CNI is configured", "modules/eks/main.tf", "  depends_on = [aws_eks_addon.vpc_cni]\n", "", "node-settings", "must depend on the vpc-cni add-on"},
	{"max pods differ between node kinds", "main.tf", "  max_pods                          = var.max_pods_per_node", "  max_pods                          = 250", "node-settings", "max pods differ"},
	{"max pods beyond the EKS limit", "variables.tf", "  default     = 110\n\n  validation {\n    condition     = var.max_pods_per_node", "  default     = 250\n\n  validation {\n    condition     = var.max_pods_per_node", "node-settings", "want a known value of at most 110"},
	{"system nodes keep the ENI pod limit", "modules/eks/main.tf", "maxPods: ${var.max_pods}", "maxPods: 17", "node-settings", "maxPods: ${var.max_pods}"},
	{"Karpenter nodes with other max pods", "modules/addons/karpenter.tf", "kubelet = { maxPods = var.max_pods }", "kubelet = { maxPods = 250 }", "node-settings", "ec2NodeClass.kubelet.maxPods"},
	{"IMDS within the system pods' reach", "modules/eks/main.tf", "http_put_response_hop_limit = 1", "http_put_response_hop_limit = 2", "node-settings", "http_put_response_hop_limit = 1"},
	{"IMDS within the app pods' reach", "modules/addons/karpenter.tf", "httpPutResponseHopLimit = 1", "httpPutResponseHopLimit = 2", "node-settings", "httpPutResponseHopLimit 1"},
	{"IMDSv1 on Karpenter's nodes", "modules/addons/karpenter.tf", `httpTokens              = "required"`, `httpTokens              = "optional"`, "node-settings", `got "optional"`},

	// Local chart
	{"local chart changed, version not pinned", "modules/addons/charts/karpenter-nodepool/Chart.yaml", "version: 1.0.0", "version: 1.0.1", "helm-releases", "Chart.yaml is 1.0.1"},
}
