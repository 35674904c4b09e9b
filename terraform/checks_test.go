package terraform

// Static checks over the Terraform configuration in this directory. The AWS
// and Helm providers cannot be installed offline, so `tofu validate` cannot
// run on these modules; these checks parse the HCL instead (hashicorp/hcl/v2
// and terraform-config-inspect) and look for the mistakes validate (and a
// review) would catch: missing or unknown module arguments, dangling
// references, untyped or undescribed variables, unpinned charts and
// providers, missing tags, open ingress, secrets in state.
//
// Each check is a function from a configuration tree to a list of problems,
// so the tests can run it both on the real tree (no problems) and on mutated
// copies (the mutation must be reported).

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-config-inspect/tfconfig"
	"github.com/zclconf/go-cty/cty"
)

// platformModules are the eleven modules of issue 6.
var platformModules = []string{
	"acm", "addons", "backend", "calico", "dns", "ecr", "eks", "iam",
	"observability", "secrets", "vpc",
}

// rootDirs are the root configurations (relative to the tree).
var rootDirs = []string{".", "bootstrap"}

// costTags are the cost-allocation tag keys every root applies by default_tags.
var costTags = []string{"Project", "Environment", "Owner", "CostCenter", "ManagedBy"}

// untaggable lists AWS resource types that take no tags argument. Every other
// aws_* resource in a module must pass tags explicitly (so the module's extra
// tags reach it) on top of the provider's default_tags.
var untaggable = map[string]bool{
	"aws_acm_certificate_validation":                     true,
	"aws_cloudwatch_event_target":                        true,
	"aws_ec2_tag":                                        true,
	"aws_ecr_lifecycle_policy":                           true,
	"aws_ecr_registry_scanning_configuration":            true,
	"aws_ecr_repository_creation_template":               true,
	"aws_eks_access_policy_association":                  true,
	"aws_iam_role_policy":                                true,
	"aws_iam_role_policy_attachment":                     true,
	"aws_kms_alias":                                      true,
	"aws_route":                                          true,
	"aws_route53_record":                                 true,
	"aws_route_table_association":                        true,
	"aws_s3_bucket_lifecycle_configuration":              true,
	"aws_s3_bucket_ownership_controls":                   true,
	"aws_s3_bucket_policy":                               true,
	"aws_s3_bucket_public_access_block":                  true,
	"aws_s3_bucket_server_side_encryption_configuration": true,
	"aws_s3_bucket_versioning":                           true,
	"aws_sqs_queue_policy":                               true,
}

// metaArgs are module-block arguments that are not input variables.
var metaArgs = map[string]bool{
	"source": true, "version": true, "count": true, "for_each": true,
	"providers": true, "depends_on": true,
}

var exactVersion = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+$`)

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

type hclFile struct {
	name string // path relative to the tree
	src  []byte
	body *hclsyntax.Body
}

type moduleDir struct {
	rel   string // directory relative to the tree ("." for the root)
	files []*hclFile
	cfg   *tfconfig.Module
}

type tree struct {
	root    string
	modules map[string]*moduleDir // by rel dir
	loadErr []string
}

func loadTree(root string) *tree {
	t := &tree{root: root, modules: map[string]*moduleDir{}}
	parser := hclparse.NewParser()
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			t.loadErr = append(t.loadErr, err.Error())
			return nil
		}
		if d.IsDir() && (d.Name() == ".terraform" || d.Name() == "tests") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".tf") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		dir := filepath.Dir(rel)
		m := t.modules[dir]
		if m == nil {
			m = &moduleDir{rel: dir}
			t.modules[dir] = m
		}
		f, diags := parser.ParseHCLFile(path)
		if diags.HasErrors() {
			t.loadErr = append(t.loadErr, diags.Error())
			return nil
		}
		m.files = append(m.files, &hclFile{name: rel, src: f.Bytes, body: f.Body.(*hclsyntax.Body)})
		return nil
	})
	for dir, m := range t.modules {
		cfg, diags := tfconfig.LoadModule(filepath.Join(root, dir))
		if diags.HasErrors() {
			t.loadErr = append(t.loadErr, fmt.Sprintf("%s: %s", dir, diags.Error()))
		}
		m.cfg = cfg
	}
	return t
}

func (t *tree) sortedDirs() []string {
	dirs := make([]string, 0, len(t.modules))
	for d := range t.modules {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

type blockAt struct {
	file  *hclFile
	block *hclsyntax.Block
}

func (b blockAt) pos() string {
	return fmt.Sprintf("%s:%d", b.file.name, b.block.TypeRange.Start.Line)
}

func (b blockAt) addr() string {
	return b.block.Type + "." + strings.Join(b.block.Labels, ".")
}

// blocks returns the top-level blocks of the given type in a module.
func (m *moduleDir) blocks(typ string) []blockAt {
	var out []blockAt
	for _, f := range m.files {
		for _, b := range f.body.Blocks {
			if b.Type == typ {
				out = append(out, blockAt{f, b})
			}
		}
	}
	return out
}

func (m *moduleDir) isRoot() bool {
	for _, r := range rootDirs {
		if m.rel == r {
			return true
		}
	}
	return false
}

// locals returns every local value's definition in the module.
func (m *moduleDir) locals() map[string]*hclsyntax.Attribute {
	out := map[string]*hclsyntax.Attribute{}
	for _, b := range m.blocks("locals") {
		for name, a := range b.block.Body.Attributes {
			out[name] = a
		}
	}
	return out
}

// target resolves a module call's local source to the called module.
func (t *tree) target(m *moduleDir, call blockAt) (*moduleDir, string) {
	attr := call.block.Body.Attributes["source"]
	if attr == nil {
		return nil, "has no source"
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String {
		return nil, "source is not a literal string"
	}
	src := v.AsString()
	if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
		return nil, "" // registry/remote module: not ours to check
	}
	dir := filepath.Clean(filepath.Join(m.rel, src))
	target := t.modules[dir]
	if target == nil {
		return nil, fmt.Sprintf("source %q is not a module of this tree", src)
	}
	return target, ""
}

func exprSource(f *hclFile, e hclsyntax.Expression) string {
	r := e.Range()
	return string(f.src[r.Start.Byte:r.End.Byte])
}

// walkAttrs calls fn for every attribute in a body, recursively, with the
// names of the dynamic-block iterators in scope.
func walkAttrs(body *hclsyntax.Body, iterators []string, fn func(a *hclsyntax.Attribute, iterators []string)) {
	for _, a := range body.Attributes {
		fn(a, iterators)
	}
	for _, b := range body.Blocks {
		inner := iterators
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			name := b.Labels[0]
			if it, ok := b.Body.Attributes["iterator"]; ok {
				name = hcl.ExprAsKeyword(it.Expr)
			}
			inner = append(append([]string{}, iterators...), name)
		}
		walkAttrs(b.Body, inner, fn)
	}
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

type check struct {
	name string
	fn   func(*tree) []string
}

var checks = []check{
	{"load", checkLoad},
	{"module-files", checkModuleFiles},
	{"variables", checkVariables},
	{"module-arguments", checkModuleArguments},
	{"references", checkReferences},
	{"required-providers", checkRequiredProviders},
	{"observability-depends-on", checkObservabilityDependsOn},
	{"helm-releases", checkHelmReleases},
	{"tags", checkTags},
	{"no-open-ingress", checkNoOpenIngress},
	{"tfvars-example", checkTfvarsExamples},
	{"secrets-out-of-state", checkSecretsOutOfState},
	{"crds-out-of-terraform", checkNoCustomResources},
	{"tfsec-ignore-reasons", checkTfsecIgnoreReasons},
}

func checkLoad(t *tree) []string {
	out := append([]string{}, t.loadErr...)
	if len(t.modules) == 0 {
		out = append(out, "no .tf files found")
	}
	return out
}

// Every module has the four files and a README; the eleven modules exist and
// are called from a root.
func checkModuleFiles(t *tree) []string {
	var out []string
	for _, name := range platformModules {
		if t.modules[filepath.Join("modules", name)] == nil {
			out = append(out, fmt.Sprintf("modules/%s: module missing", name))
		}
	}
	for _, dir := range t.sortedDirs() {
		want := []string{"main.tf", "variables.tf", "outputs.tf", "versions.tf"}
		if dir != "." {
			want = append(want, "README.md")
		}
		for _, f := range want {
			if _, err := os.Stat(filepath.Join(t.root, dir, f)); err != nil {
				out = append(out, fmt.Sprintf("%s: missing %s", dir, f))
			}
		}
	}
	called := map[string]bool{}
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, call := range m.blocks("module") {
			if target, _ := t.target(m, call); target != nil {
				called[target.rel] = true
			}
		}
	}
	for _, name := range platformModules {
		if rel := filepath.Join("modules", name); t.modules[rel] != nil && !called[rel] {
			out = append(out, fmt.Sprintf("%s: not called from any root configuration", rel))
		}
	}
	return out
}

// Every variable is typed and described; every required variable is validated.
func checkVariables(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, b := range m.blocks("variable") {
			attrs := b.block.Body.Attributes
			if attrs["type"] == nil {
				out = append(out, fmt.Sprintf("%s: variable %q has no type", b.pos(), b.block.Labels[0]))
			}
			d, ok := attrs["description"]
			if !ok {
				out = append(out, fmt.Sprintf("%s: variable %q has no description", b.pos(), b.block.Labels[0]))
			} else if v, diags := d.Expr.Value(nil); diags.HasErrors() || v.Type() != cty.String || len(strings.TrimSpace(v.AsString())) < 10 {
				out = append(out, fmt.Sprintf("%s: variable %q has no meaningful description", b.pos(), b.block.Labels[0]))
			}
			validated := false
			for _, inner := range b.block.Body.Blocks {
				validated = validated || inner.Type == "validation"
			}
			if attrs["default"] == nil && !validated {
				out = append(out, fmt.Sprintf("%s: required variable %q has no validation", b.pos(), b.block.Labels[0]))
			}
		}
	}
	return out
}

// Every module call passes every required variable and no unknown one.
func checkModuleArguments(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, call := range m.blocks("module") {
			target, why := t.target(m, call)
			if target == nil {
				if why != "" {
					out = append(out, fmt.Sprintf("%s: %s %s", call.pos(), call.addr(), why))
				}
				continue
			}
			passed := map[string]bool{}
			for name := range call.block.Body.Attributes {
				if metaArgs[name] {
					continue
				}
				passed[name] = true
				if target.cfg.Variables[name] == nil {
					out = append(out, fmt.Sprintf("%s: %s passes %q, which %s does not declare", call.pos(), call.addr(), name, target.rel))
				}
			}
			for name, v := range target.cfg.Variables {
				if v.Required && !passed[name] {
					out = append(out, fmt.Sprintf("%s: %s does not pass required variable %q of %s", call.pos(), call.addr(), name, target.rel))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

var builtinRoots = map[string]bool{"path": true, "terraform": true, "self": true}

// Every reference resolves: var.X, local.X, module.M.O, data.T.N and T.N must
// be declared (and O must be an output of M); each/count only where
// for_each/count is set. Outputs are covered like every other expression.
func checkReferences(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		locals := m.locals()
		resources := map[string]bool{}
		for _, r := range m.blocks("resource") {
			resources[strings.Join(r.block.Labels, ".")] = true
		}
		datas := map[string]bool{}
		for _, r := range m.blocks("data") {
			datas[strings.Join(r.block.Labels, ".")] = true
		}
		calls := map[string]*moduleDir{}
		for _, c := range m.blocks("module") {
			target, _ := t.target(m, c)
			calls[c.block.Labels[0]] = target
		}

		for _, f := range m.files {
			for _, top := range f.body.Blocks {
				here := blockAt{f, top}
				hasForEach := top.Body.Attributes["for_each"] != nil
				hasCount := top.Body.Attributes["count"] != nil
				walkAttrs(top.Body, nil, func(a *hclsyntax.Attribute, iterators []string) {
					// Type constraints and ignore_changes name types and
					// attributes, not values.
					if (top.Type == "variable" && a.Name == "type") || a.Name == "ignore_changes" {
						return
					}
					for _, tr := range a.Expr.Variables() {
						problem := resolve(tr, iterators, m, locals, resources, datas, calls, hasForEach, hasCount)
						if problem != "" {
							out = append(out, fmt.Sprintf("%s:%d: in %s: %s", f.name, tr.SourceRange().Start.Line, here.addr(), problem))
						}
					}
				})
			}
		}
	}
	return out
}

func traversalAttr(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

func resolve(tr hcl.Traversal, iterators []string, m *moduleDir, locals map[string]*hclsyntax.Attribute,
	resources, datas map[string]bool, calls map[string]*moduleDir, hasForEach, hasCount bool) string {
	root := tr.RootName()
	for _, it := range iterators {
		if root == it {
			return ""
		}
	}
	switch root {
	case "var":
		name := traversalAttr(tr, 1)
		if m.cfg.Variables[name] == nil {
			return fmt.Sprintf("var.%s is not declared", name)
		}
	case "local":
		name := traversalAttr(tr, 1)
		if locals[name] == nil {
			return fmt.Sprintf("local.%s is not defined", name)
		}
	case "module":
		name := traversalAttr(tr, 1)
		target, ok := calls[name]
		if !ok {
			return fmt.Sprintf("module.%s is not called", name)
		}
		if out := traversalAttr(tr, 2); out != "" && target != nil && target.cfg.Outputs[out] == nil {
			return fmt.Sprintf("module.%s has no output %q", name, out)
		}
	case "data":
		addr := traversalAttr(tr, 1) + "." + traversalAttr(tr, 2)
		if !datas[addr] {
			return fmt.Sprintf("data.%s is not declared", addr)
		}
	case "each":
		if !hasForEach {
			return "each.* used in a block without for_each"
		}
	case "count":
		if !hasCount {
			return "count.* used in a block without count"
		}
	default:
		if builtinRoots[root] {
			return ""
		}
		addr := root + "." + traversalAttr(tr, 1)
		if strings.Contains(root, "_") && !resources[addr] {
			return fmt.Sprintf("resource %s is not declared", addr)
		}
		if !strings.Contains(root, "_") {
			return fmt.Sprintf("unknown reference %s", addr)
		}
	}
	return ""
}

// requiredProviders reads terraform { required_providers { … } } as written
// (tfconfig also lists providers that are only implied by resource types).
func (m *moduleDir) requiredProviders() (map[string]map[string]string, []string) {
	out := map[string]map[string]string{}
	var problems []string
	for _, tb := range m.blocks("terraform") {
		for _, rp := range tb.block.Body.Blocks {
			if rp.Type != "required_providers" {
				continue
			}
			for name, a := range rp.Body.Attributes {
				obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
				if !ok {
					problems = append(problems, fmt.Sprintf("%s: provider %q is not an object with source and version", tb.pos(), name))
					out[name] = map[string]string{}
					continue
				}
				fields := map[string]string{}
				for _, item := range obj.Items {
					if v, diags := item.ValueExpr.Value(nil); !diags.HasErrors() && v.Type() == cty.String {
						fields[hcl.ExprAsKeyword(item.KeyExpr)] = v.AsString()
					}
				}
				out[name] = fields
			}
		}
	}
	return out, problems
}

// Required providers carry a source and a version constraint; the core
// version is constrained; every provider a resource uses is required.
func checkRequiredProviders(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		if len(m.cfg.RequiredCore) == 0 {
			out = append(out, fmt.Sprintf("%s: no required_version", dir))
		}
		required, problems := m.requiredProviders()
		out = append(out, problems...)
		for name, p := range required {
			if p["source"] == "" {
				out = append(out, fmt.Sprintf("%s: provider %q has no source", dir, name))
			}
			if strings.TrimSpace(p["version"]) == "" {
				out = append(out, fmt.Sprintf("%s: provider %q has no version constraint", dir, name))
			}
		}
		used := map[string]bool{}
		for _, kind := range []string{"resource", "data", "provider"} {
			for _, b := range m.blocks(kind) {
				used[strings.SplitN(b.block.Labels[0], "_", 2)[0]] = true
			}
		}
		for p := range used {
			if required[p] == nil {
				out = append(out, fmt.Sprintf("%s: uses provider %q without requiring it", dir, p))
			}
		}
	}
	sort.Strings(out)
	return out
}

// The observability module waits for the cluster and the addons.
func checkObservabilityDependsOn(t *tree) []string {
	root := t.modules["."]
	if root == nil {
		return []string{"no root module"}
	}
	for _, call := range root.blocks("module") {
		if call.block.Labels[0] != "observability" {
			continue
		}
		dep := call.block.Body.Attributes["depends_on"]
		if dep == nil {
			return []string{call.pos() + ": module.observability has no depends_on"}
		}
		got := map[string]bool{}
		for _, tr := range dep.Expr.Variables() {
			got[tr.RootName()+"."+traversalAttr(tr, 1)] = true
		}
		var out []string
		for _, want := range []string{"module.eks", "module.addons"} {
			if !got[want] {
				out = append(out, fmt.Sprintf("%s: module.observability does not depend on %s", call.pos(), want))
			}
		}
		return out
	}
	return []string{"root: module.observability is not called"}
}

// staticValue evaluates a literal, or a var.X reference to X's default.
func staticValue(m *moduleDir, e hclsyntax.Expression) (cty.Value, bool) {
	if v, diags := e.Value(nil); !diags.HasErrors() {
		return v, true
	}
	if st, ok := e.(*hclsyntax.ScopeTraversalExpr); ok && st.Traversal.RootName() == "var" {
		for _, b := range m.blocks("variable") {
			if b.block.Labels[0] != traversalAttr(st.Traversal, 1) {
				continue
			}
			if d := b.block.Body.Attributes["default"]; d != nil {
				if v, diags := d.Expr.Value(nil); !diags.HasErrors() {
					return v, true
				}
			}
		}
	}
	return cty.NilVal, false
}

// localChart returns the directory of a helm_release's chart when it is a
// chart of this tree ("${path.module}/…"), relative to the tree.
func localChart(m *moduleDir, b blockAt) (string, bool) {
	attr := b.block.Body.Attributes["chart"]
	if attr == nil {
		return "", false
	}
	src := strings.Trim(exprSource(b.file, attr.Expr), `"`)
	rest, ok := strings.CutPrefix(src, "${path.module}/")
	if !ok {
		return "", false
	}
	return filepath.Join(m.rel, rest), true
}

var chartVersionLine = regexp.MustCompile(`(?m)^version:\s*"?([^"\s]+)"?\s*$`)

// Helm releases pin an exact chart version and set a timeout (>= 300 s). A
// chart of this tree pins the version of its Chart.yaml (the helm provider
// upgrades a local chart only when its version or values change) and names
// no repository.
func checkHelmReleases(t *tree) []string {
	var out []string
	count := 0
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, b := range m.blocks("resource") {
			if b.block.Labels[0] != "helm_release" {
				continue
			}
			count++
			attrs := b.block.Body.Attributes
			if v := attrs["version"]; v == nil {
				out = append(out, fmt.Sprintf("%s: %s does not pin a chart version", b.pos(), b.addr()))
			} else if val, ok := staticValue(m, v.Expr); !ok || val.Type() != cty.String || !exactVersion.MatchString(val.AsString()) {
				out = append(out, fmt.Sprintf("%s: %s chart version %s is not an exact x.y.z", b.pos(), b.addr(), exprSource(b.file, v.Expr)))
			}
			if v := attrs["timeout"]; v == nil {
				out = append(out, fmt.Sprintf("%s: %s sets no timeout", b.pos(), b.addr()))
			} else if val, ok := staticValue(m, v.Expr); !ok || val.Type() != cty.Number {
				out = append(out, fmt.Sprintf("%s: %s timeout is not a known number", b.pos(), b.addr()))
			} else if f, _ := val.AsBigFloat().Float64(); f < 300 {
				out = append(out, fmt.Sprintf("%s: %s timeout %v is under 300 s", b.pos(), b.addr(), f))
			}
			if dir, local := localChart(m, b); local {
				chartYAML, err := os.ReadFile(filepath.Join(t.root, dir, "Chart.yaml"))
				want := chartVersionLine.FindSubmatch(chartYAML)
				switch {
				case err != nil:
					out = append(out, fmt.Sprintf("%s: %s: local chart %s has no Chart.yaml", b.pos(), b.addr(), dir))
				case want == nil:
					out = append(out, fmt.Sprintf("%s: %s: %s/Chart.yaml has no version", b.pos(), b.addr(), dir))
				default:
					if v := attrs["version"]; v != nil {
						if val, ok := staticValue(m, v.Expr); ok && val.Type() == cty.String && val.AsString() != string(want[1]) {
							out = append(out, fmt.Sprintf("%s: %s pins version %s, but %s/Chart.yaml is %s", b.pos(), b.addr(), val.AsString(), dir, want[1]))
						}
					}
				}
				if attrs["repository"] != nil {
					out = append(out, fmt.Sprintf("%s: %s names a repository for a chart of this tree", b.pos(), b.addr()))
				}
			} else if attrs["repository"] == nil {
				out = append(out, fmt.Sprintf("%s: %s names no chart repository", b.pos(), b.addr()))
			}
		}
	}
	if count == 0 {
		out = append(out, "no helm_release found")
	}
	return out
}

// Every resource inherits the cost-allocation default_tags: each root's aws
// provider sets default_tags with the cost tags, no module configures its own
// provider, no module call remaps providers. Taggable resources in modules
// also pass tags, and launch templates tag instances and volumes.
func checkTags(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		providers := m.blocks("provider")
		if !m.isRoot() {
			for _, p := range providers {
				out = append(out, fmt.Sprintf("%s: module %s configures provider %q; modules must inherit the root's (default_tags)", p.pos(), dir, p.block.Labels[0]))
			}
		} else {
			out = append(out, rootDefaultTags(m)...)
		}
		for _, call := range m.blocks("module") {
			if call.block.Body.Attributes["providers"] != nil {
				out = append(out, fmt.Sprintf("%s: %s remaps providers; it would lose default_tags", call.pos(), call.addr()))
			}
		}
		for _, r := range m.blocks("resource") {
			typ := r.block.Labels[0]
			if !strings.HasPrefix(typ, "aws_") || untaggable[typ] {
				continue
			}
			if r.block.Body.Attributes["tags"] == nil {
				out = append(out, fmt.Sprintf("%s: %s passes no tags", r.pos(), r.addr()))
			}
			if typ == "aws_launch_template" {
				kinds := map[string]bool{}
				for _, inner := range r.block.Body.Blocks {
					if inner.Type == "dynamic" && len(inner.Labels) == 1 && inner.Labels[0] == "tag_specifications" {
						if fe := inner.Body.Attributes["for_each"]; fe != nil {
							src := exprSource(r.file, fe.Expr)
							for _, k := range []string{"instance", "volume"} {
								kinds[k] = kinds[k] || strings.Contains(src, `"`+k+`"`)
							}
						}
					}
					if inner.Type == "tag_specifications" {
						if rt := inner.Body.Attributes["resource_type"]; rt != nil {
							if v, diags := rt.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String {
								kinds[v.AsString()] = true
							}
						}
					}
				}
				for _, k := range []string{"instance", "volume"} {
					if !kinds[k] {
						out = append(out, fmt.Sprintf("%s: %s does not tag %ss (default_tags do not reach them)", r.pos(), r.addr(), k))
					}
				}
			}
		}
	}
	return out
}

func rootDefaultTags(m *moduleDir) []string {
	var aws *blockAt
	for _, p := range m.blocks("provider") {
		if p.block.Labels[0] == "aws" {
			p := p
			aws = &p
		}
	}
	if aws == nil {
		return []string{fmt.Sprintf("%s: root has no provider \"aws\" block", m.rel)}
	}
	if aws.block.Body.Attributes["alias"] != nil {
		return []string{aws.pos() + ": the default aws provider must not be aliased"}
	}
	for _, inner := range aws.block.Body.Blocks {
		if inner.Type != "default_tags" {
			continue
		}
		tags := inner.Body.Attributes["tags"]
		if tags == nil {
			return []string{aws.pos() + ": default_tags sets no tags"}
		}
		// The tags are a local (or a literal object) with every cost tag key.
		expr := tags.Expr
		file := aws.file
		if st, ok := expr.(*hclsyntax.ScopeTraversalExpr); ok && st.Traversal.RootName() == "local" {
			def := m.locals()[traversalAttr(st.Traversal, 1)]
			if def == nil {
				return []string{aws.pos() + ": default_tags refer to an undefined local"}
			}
			expr = def.Expr
			for _, f := range m.files {
				if f.name == def.SrcRange.Filename || strings.HasSuffix(def.SrcRange.Filename, f.name) {
					file = f
				}
			}
		}
		obj, ok := expr.(*hclsyntax.ObjectConsExpr)
		if !ok {
			return []string{aws.pos() + ": default_tags must be an object of cost tags: " + exprSource(file, expr)}
		}
		keys := map[string]bool{}
		for _, item := range obj.Items {
			keys[hcl.ExprAsKeyword(item.KeyExpr)] = true
		}
		var out []string
		for _, k := range costTags {
			if !keys[k] {
				out = append(out, fmt.Sprintf("%s: default_tags lack the cost tag %q", aws.pos(), k))
			}
		}
		return out
	}
	return []string{aws.pos() + ": provider \"aws\" has no default_tags"}
}

func mentionsOpenCIDR(m *moduleDir, f *hclFile, e hclsyntax.Expression) bool {
	src := exprSource(f, e)
	if strings.Contains(src, "0.0.0.0/0") || strings.Contains(src, "::/0") {
		return true
	}
	for _, tr := range e.Variables() {
		if tr.RootName() != "var" {
			continue
		}
		if v := m.cfg.Variables[traversalAttr(tr, 1)]; v != nil && v.Default != nil {
			d := fmt.Sprint(v.Default)
			if strings.Contains(d, "0.0.0.0/0") || strings.Contains(d, "::/0") {
				return true
			}
		}
	}
	return false
}

func portsAreWeb(body *hclsyntax.Body) bool {
	for _, p := range []string{"from_port", "to_port"} {
		a := body.Attributes[p]
		if a == nil {
			return false
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || v.Type() != cty.Number {
			return false
		}
		n, _ := v.AsBigFloat().Int64()
		if n != 80 && n != 443 {
			return false
		}
	}
	return true
}

// No security group takes ingress from 0.0.0.0/0 or ::/0, except an ALB's
// 80/443 (a security group whose name says alb).
func checkNoOpenIngress(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, r := range m.blocks("resource") {
			typ, name := r.block.Labels[0], r.block.Labels[1]
			albException := strings.Contains(name, "alb")
			var rules []*hclsyntax.Body
			switch typ {
			case "aws_security_group", "aws_default_security_group":
				for _, inner := range r.block.Body.Blocks {
					if inner.Type == "ingress" {
						rules = append(rules, inner.Body)
					}
					if inner.Type == "dynamic" && len(inner.Labels) == 1 && inner.Labels[0] == "ingress" {
						for _, c := range inner.Body.Blocks {
							if c.Type == "content" {
								rules = append(rules, c.Body)
							}
						}
					}
				}
			case "aws_security_group_rule":
				if ty := r.block.Body.Attributes["type"]; ty != nil {
					if v, diags := ty.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.AsString() == "ingress" {
						rules = append(rules, r.block.Body)
					}
				}
			case "aws_vpc_security_group_ingress_rule":
				rules = append(rules, r.block.Body)
			}
			for _, body := range rules {
				for _, attr := range []string{"cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"} {
					a := body.Attributes[attr]
					if a == nil || !mentionsOpenCIDR(m, r.file, a.Expr) {
						continue
					}
					if albException && portsAreWeb(body) {
						continue
					}
					out = append(out, fmt.Sprintf("%s: %s allows ingress from anywhere (%s = %s)", r.pos(), r.addr(), attr, exprSource(r.file, a.Expr)))
				}
			}
		}
	}
	return out
}

// tfvarsProblems compares the keys of a tfvars file with a module's variables.
func tfvarsProblems(vars map[string]*tfconfig.Variable, keys map[string]bool) []string {
	var out []string
	for name, v := range vars {
		if v.Required && !keys[name] {
			out = append(out, fmt.Sprintf("required variable %q is missing", name))
		}
	}
	for k := range keys {
		if vars[k] == nil {
			out = append(out, fmt.Sprintf("%q is not a variable of the configuration", k))
		}
	}
	sort.Strings(out)
	return out
}

func tfvarsKeys(path string) (map[string]bool, error) {
	f, diags := hclparse.NewParser().ParseHCLFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		return nil, diags
	}
	keys := map[string]bool{}
	for name, a := range attrs {
		if _, diags := a.Expr.Value(nil); diags.HasErrors() {
			return nil, fmt.Errorf("%s: value of %s is not a constant: %s", path, name, diags.Error())
		}
		keys[name] = true
	}
	return keys, nil
}

// Each root's terraform.tfvars.example sets every required variable and only
// declared ones.
func checkTfvarsExamples(t *tree) []string {
	var out []string
	for _, dir := range rootDirs {
		m := t.modules[dir]
		if m == nil {
			out = append(out, fmt.Sprintf("%s: root configuration missing", dir))
			continue
		}
		path := filepath.Join(t.root, dir, "terraform.tfvars.example")
		keys, err := tfvarsKeys(path)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", filepath.Join(dir, "terraform.tfvars.example"), err))
			continue
		}
		for _, p := range tfvarsProblems(m.cfg.Variables, keys) {
			out = append(out, filepath.Join(dir, "terraform.tfvars.example")+": "+p)
		}
	}
	return out
}

var secretishName = regexp.MustCompile(`(?i)(password|passwd|token|client_secret|secret_value|secret_string|api_key|private_key)`)

// Secret values never pass through Terraform: no secret versions, no
// variables that would carry a secret.
func checkSecretsOutOfState(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, r := range m.blocks("resource") {
			switch r.block.Labels[0] {
			case "aws_secretsmanager_secret_version", "aws_ssm_parameter", "kubernetes_secret", "kubernetes_secret_v1":
				out = append(out, fmt.Sprintf("%s: %s would put a secret value in the state", r.pos(), r.addr()))
			}
		}
		for _, b := range m.blocks("variable") {
			if secretishName.MatchString(b.block.Labels[0]) {
				out = append(out, fmt.Sprintf("%s: variable %q looks like it carries a secret; secrets go to Secrets Manager out of band", b.pos(), b.block.Labels[0]))
			}
		}
	}
	return out
}

// Custom resources of CRDs that Helm installs in the same apply would race
// the CRDs; they live in manifests/ instead.
func checkNoCustomResources(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		m := t.modules[dir]
		for _, r := range m.blocks("resource") {
			switch r.block.Labels[0] {
			case "kubernetes_manifest", "kubectl_manifest":
				out = append(out, fmt.Sprintf("%s: %s applies a custom resource; put it in manifests/ (Argo CD)", r.pos(), r.addr()))
			}
		}
	}
	return out
}

var tfsecIgnore = regexp.MustCompile(`#\s*tfsec:ignore:([a-z0-9-]+)`)

// Every accepted tfsec finding carries a reason: a "Reason:" comment in the
// same comment block as the #tfsec:ignore line.
func checkTfsecIgnoreReasons(t *tree) []string {
	var out []string
	for _, dir := range t.sortedDirs() {
		for _, f := range t.modules[dir].files {
			lines := strings.Split(string(f.src), "\n")
			for i, line := range lines {
				if !tfsecIgnore.MatchString(line) {
					continue
				}
				found := false
				for j := i - 1; j >= 0 && strings.HasPrefix(strings.TrimSpace(lines[j]), "#"); j-- {
					found = found || strings.Contains(lines[j], "Reason:")
				}
				for j := i + 1; j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "#"); j++ {
					found = found || strings.Contains(lines[j], "Reason:")
				}
				if !found {
					out = append(out, fmt.Sprintf("%s:%d: tfsec ignore %s has no Reason: comment", f.name, i+1, tfsecIgnore.FindStringSubmatch(line)[1]))
				}
			}
		}
	}
	return out
}
