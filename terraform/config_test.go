package terraform

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestChecks runs every static check on the real configuration: each must
// find nothing.
func TestChecks(t *testing.T) {
	tr := loadTree(".")
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range c.fn(tr) {
				t.Error(p)
			}
		})
	}
}

// TestModules is the per-module table: the files, and what each module's
// interface must offer the root.
func TestModules(t *testing.T) {
	tr := loadTree(".")
	cases := []struct {
		module      string
		wantOutputs []string
		providers   []string
	}{
		{"vpc", []string{"vpc_id", "private_subnet_ids", "public_subnet_ids"}, []string{"aws"}},
		{"iam", []string{"cluster_role_arn", "node_role_arn", "oidc_provider_arn", "load_balancer_controller_role_arn", "external_secrets_role_arn", "external_secrets_platform_role_arn", "external_dns_role_arn", "karpenter_controller_role_arn", "karpenter_node_role_arn", "karpenter_node_instance_profile_name", "ci_role_arn_prefix", "ci_role_arns", "gitlab_oidc_provider_arn"}, []string{"aws"}},
		{"iam/modules/oidc-thumbprint", []string{"sha1_fingerprint"}, []string{"tls"}},
		{"eks", []string{"cluster_name", "cluster_endpoint", "cluster_certificate_authority_data", "oidc_issuer_url", "node_group_name", "karpenter_interruption_queue_arn", "karpenter_interruption_queue_name"}, []string{"aws"}},
		{"ecr", []string{"repository_prefix", "repositories_arn", "kms_key_arn"}, []string{"aws"}},
		{"dns", []string{"zone_id", "zone_arn"}, []string{"aws"}},
		{"acm", []string{"certificate_arn"}, []string{"aws"}},
		{"addons", []string{"load_balancer_controller_release", "external_secrets_release", "external_dns_release", "karpenter_releases"}, []string{"helm"}},
		{"calico", []string{"release"}, []string{"helm"}},
		{"secrets", []string{"secret_arns", "kms_key_arn"}, []string{"aws"}},
		{"observability", []string{"releases"}, []string{"helm"}},
		{"backend", []string{"bucket_name", "lock_table_name", "backend_config"}, []string{"aws"}},
	}
	for _, tc := range cases {
		t.Run(tc.module, func(t *testing.T) {
			dir := filepath.Join("modules", tc.module)
			m := tr.modules[dir]
			if m == nil {
				t.Fatalf("%s has no .tf files", dir)
			}
			for _, f := range []string{"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing %s", f)
				}
			}
			for _, o := range tc.wantOutputs {
				if m.cfg.Outputs[o] == nil {
					t.Errorf("no output %q", o)
				}
			}
			var got []string
			for p := range m.cfg.RequiredProviders {
				got = append(got, p)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.providers, ",") {
				t.Errorf("required providers = %v, want %v", got, tc.providers)
			}
			if len(m.cfg.Variables) == 0 {
				t.Errorf("declares no variables")
			}
		})
	}
}

// copyTree copies the configuration (no .terraform directories) to a
// temporary directory.
func copyTree(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, path), 0o755)
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, path), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

type mutation struct {
	name  string
	file  string
	old   string // replaced once; "" appends new to the file
	new   string
	check string // the check that must report it
	want  string // substring of the report
}

func removeFile(name string) mutation {
	return mutation{name: "remove " + name, file: name, old: "\x00remove", check: "module-files", want: "missing README.md"}
}

var mutations = []mutation{
	{"module variable removed", "modules/vpc/variables.tf", `variable "cluster_name" {`, `variable "cluster_name_renamed" {`, "module-arguments", `passes "cluster_name"`},
	{"module variable removed (reference)", "modules/vpc/variables.tf", `variable "cluster_name" {`, `variable "cluster_name_renamed" {`, "references", "var.cluster_name is not declared"},
	{"required argument dropped", "main.tf", "  zone_id     = module.dns.zone_id\n", "", "module-arguments", `does not pass required variable "zone_id"`},
	{"unknown argument passed", "main.tf", "source = \"./modules/calico\"\n", "source = \"./modules/calico\"\n  bogus  = 1\n", "module-arguments", `passes "bogus"`},
	{"submodule argument dropped", "modules/iam/main.tf", "  url = var.oidc_issuer_url\n", "", "module-arguments", `required variable "url"`},
	{"output of a missing module output", "outputs.tf", "module.acm.certificate_arn", "module.acm.certificate_id", "references", `has no output "certificate_id"`},
	{"undefined local", "modules/vpc/outputs.tf", "value       = local.azs", "value       = local.zones", "references", "local.zones is not defined"},
	{"undeclared resource", "modules/eks/outputs.tf", "aws_eks_node_group.this.node_group_name", "aws_eks_node_group.default.node_group_name", "references", "aws_eks_node_group.default is not declared"},
	{"undeclared data source", "modules/dns/main.tf", `data "aws_route53_zone" "this" {`, `data "aws_route53_zone" "existing" {`, "references", "data.aws_route53_zone.this is not declared"},
	{"each without for_each", "modules/acm/main.tf", `domain_name               = "*.${var.domain_name}"`, `domain_name               = "*.${each.key}"`, "references", "without for_each"},
	{"variable without description", "modules/iam/variables.tf", "  description = \"Name prefix for the roles and policies (e.g. \\\"idp-prod\\\").\"\n", "", "variables", "has no description"},
	{"variable without type", "modules/ecr/variables.tf", "  type        = number\n", "", "variables", "has no type"},
	{"required variable without validation", "variables.tf", "  validation {\n    condition     = length(trimspace(var.owner)) > 0\n    error_message = \"The owner must not be empty.\"\n  }\n", "", "variables", `"owner" has no validation`},
	{"provider without version", "modules/calico/versions.tf", "      version = \">= 3.0, < 4.0\"\n", "", "required-providers", "no version constraint"},
	{"provider not required", "modules/addons/versions.tf", "    helm = {\n      source  = \"hashicorp/helm\"\n      version = \">= 3.0, < 4.0\"\n    }\n", "", "required-providers", `uses provider "helm" without requiring it`},
	{"observability without addons dependency", "main.tf", "depends_on = [module.eks, module.addons]", "depends_on = [module.eks]", "observability-depends-on", "does not depend on module.addons"},
	{"observability without depends_on", "main.tf", "  depends_on = [module.eks, module.addons]\n", "", "observability-depends-on", "has no depends_on"},
	{"helm release unpinned", "modules/calico/main.tf", "  version          = var.chart_version\n", "", "helm-releases", "does not pin a chart version"},
	{"helm chart version range", "modules/calico/variables.tf", `default     = "v3.30.3"`, `default     = "~> 3.30"`, "helm-releases", "is not an exact x.y.z"},
	{"helm timeout too short", "modules/addons/variables.tf", "default     = 600", "default     = 60", "helm-releases", "under 300 s"},
	{"helm without timeout", "modules/calico/main.tf", "  timeout         = var.helm_timeout\n", "", "helm-releases", "sets no timeout"},
	{"no default_tags", "providers.tf", "  default_tags {\n    tags = local.tags\n  }\n", "", "tags", "has no default_tags"},
	{"cost tag dropped", "main.tf", "    CostCenter  = var.cost_center\n", "", "tags", `lack the cost tag "CostCenter"`},
	{"module configures its own provider", "modules/dns/main.tf", "", "\nprovider \"aws\" {\n  region = \"us-east-1\"\n}\n", "tags", "configures provider"},
	{"resource without tags", "modules/vpc/main.tf", "  tags = merge(var.tags, { Name = var.name })\n", "", "tags", "aws_vpc.this passes no tags"},
	{"launch template without volume tags", "modules/eks/main.tf", `toset(["instance", "volume", "network-interface"])`, `toset(["instance", "network-interface"])`, "tags", "does not tag volumes"},
	{"ingress from anywhere", "modules/vpc/main.tf", "cidr_ipv4         = aws_vpc.this.cidr_block", "cidr_ipv4         = \"0.0.0.0/0\"", "no-open-ingress", "allows ingress from anywhere"},
	{"ingress from anywhere via a variable default", "modules/vpc/main.tf", "", "\nvariable \"ssh_cidrs\" {\n  description = \"Who may SSH in.\"\n  type        = list(string)\n  default     = [\"0.0.0.0/0\"]\n}\n\nresource \"aws_security_group\" \"bastion\" {\n  vpc_id = aws_vpc.this.id\n  tags   = var.tags\n\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = var.ssh_cidrs\n  }\n}\n", "no-open-ingress", "aws_security_group.bastion"},
	{"required variable missing from the example", "terraform.tfvars.example", "domain_name = \"idp.example.com\"\n", "", "tfvars-example", `required variable "domain_name" is missing`},
	{"unknown variable in the example", "bootstrap/terraform.tfvars.example", "", "domian_name = \"x\"\n", "tfvars-example", `"domian_name" is not a variable`},
	{"secret value in state", "modules/secrets/main.tf", "", "\nresource \"aws_secretsmanager_secret_version\" \"this\" {\n  secret_id     = aws_secretsmanager_secret.this[\"platform/backstage\"].id\n  secret_string = \"x\"\n}\n", "secrets-out-of-state", "would put a secret value in the state"},
	{"secret as a variable", "variables.tf", "", "\nvariable \"github_client_secret\" {\n  description = \"GitHub OAuth client secret.\"\n  type        = string\n  default     = \"\"\n}\n", "secrets-out-of-state", `"github_client_secret" looks like it carries a secret`},
	{"custom resource in terraform", "modules/addons/main.tf", "", "\nresource \"kubernetes_manifest\" \"store\" {\n  manifest = {}\n}\n", "crds-out-of-terraform", "applies a custom resource"},
	{"tfsec ignore without reason", "modules/backend/main.tf", "# Reason: access to the state", "# Access to the state", "tfsec-ignore-reasons", "has no Reason"},
	{"module not called", "main.tf", "module \"calico\" {\n  source = \"./modules/calico\"\n\n  depends_on = [module.eks]\n}\n", "", "module-files", "modules/calico: not called"},
	removeFile("modules/acm/README.md"),
}

func (mu mutation) apply(t *testing.T, root string) {
	t.Helper()
	path := filepath.Join(root, mu.file)
	if mu.old == "\x00remove" {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	if mu.old == "" {
		src += mu.new
	} else {
		if !strings.Contains(src, mu.old) {
			t.Fatalf("mutation does not apply: %q not in %s", mu.old, mu.file)
		}
		src = strings.Replace(src, mu.old, mu.new, 1)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMutationsAreCaught breaks a copy of the configuration in one way at a
// time; the matching check must report it (a check that cannot fail is a
// defect).
func TestMutationsAreCaught(t *testing.T) {
	byName := map[string]check{}
	for _, c := range checks {
		byName[c.name] = c
	}
	for _, mu := range mutations {
		t.Run(mu.name, func(t *testing.T) {
			c, ok := byName[mu.check]
			if !ok {
				t.Fatalf("no check %q", mu.check)
			}
			root := copyTree(t)
			if got := c.fn(loadTree(root)); len(got) != 0 {
				t.Fatalf("check %s fails on the unmutated copy: %v", c.name, got)
			}
			mu.apply(t, root)
			got := c.fn(loadTree(root))
			for _, p := range got {
				if strings.Contains(p, mu.want) {
					return
				}
			}
			t.Errorf("check %s missed the mutation; want a report containing %q, got %q", c.name, mu.want, got)
		})
	}
	// Every check is exercised by at least one mutation, except "load".
	covered := map[string]bool{"load": true}
	for _, mu := range mutations {
		covered[mu.check] = true
	}
	for _, c := range checks {
		if !covered[c.name] {
			t.Errorf("check %s has no mutation test", c.name)
		}
	}
}

// TestLoadReportsSyntaxErrors: a broken file is a finding, not a silent skip.
func TestLoadReportsSyntaxErrors(t *testing.T) {
	root := copyTree(t)
	mutation{file: "modules/ecr/main.tf", new: "\nresource \"aws_kms_key\" \"broken\" {\n"}.apply(t, root)
	if got := checkLoad(loadTree(root)); len(got) == 0 {
		t.Fatal("a syntax error went unreported")
	}
}

// TestTfvarsExampleProperty: over random subsets of the root's variables, the
// example check reports exactly the required variables left out and exactly
// the unknown names added.
func TestTfvarsExampleProperty(t *testing.T) {
	tr := loadTree(".")
	for _, dir := range rootDirs {
		vars := tr.modules[dir].cfg.Variables
		var all, required []string
		for name, v := range vars {
			all = append(all, name)
			if v.Required {
				required = append(required, name)
			}
		}
		sort.Strings(all)
		sort.Strings(required)
		if len(required) == 0 {
			t.Fatalf("%s: no required variables, the property is vacuous", dir)
		}
		t.Run(dir, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				keys := map[string]bool{}
				for _, name := range all {
					if rapid.Bool().Draw(rt, "set_"+name) {
						keys[name] = true
					}
				}
				unknown := rapid.SliceOfDistinct(rapid.StringMatching(`[a-z][a-z_]{2,12}`), rapid.ID[string]).Draw(rt, "unknown")
				var wantUnknown []string
				for _, u := range unknown {
					if vars[u] == nil {
						keys[u] = true
						wantUnknown = append(wantUnknown, u)
					}
				}
				var want []string
				for _, name := range required {
					if !keys[name] {
						want = append(want, fmt.Sprintf("required variable %q is missing", name))
					}
				}
				for _, u := range wantUnknown {
					want = append(want, fmt.Sprintf("%q is not a variable of the configuration", u))
				}
				sort.Strings(want)
				got := tfvarsProblems(vars, keys)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					rt.Fatalf("keys %v:\n got %q\nwant %q", keys, got, want)
				}
			})
		})
	}
}
