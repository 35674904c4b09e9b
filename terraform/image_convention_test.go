package terraform

// One image convention, <registry>/<prefix>/<app>, across every layer that
// names an app's image: Terraform (the ECR creation template and the
// per-app CI role's push policy), the Backstage template (the pipeline's
// IMAGE_REPOSITORY, the GitOps skeleton's first image, the fixtures that
// pin both), the platform settings of the CMP (manifests/cmp) and
// appspec's rule. Each layer defines the prefix once; this test fails when
// any of them disagrees with appspec's DefaultPlatform.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
	"go.yaml.in/yaml/v3"
)

// conventionFiles are the files the convention is read from, relative to
// the repository root (terraform/ is loaded as a whole).
var conventionFiles = []string{
	"templates/nodejs-service/template.yaml",
	"manifests/backstage/kustomization.yaml",
	"templates/nodejs-service/skeleton/.gitlab-ci.yml",
	"templates/gitops-app/skeleton/app.yaml",
	"templates/pipeline/skeleton/ci/push-image.sh",
	"templates/test/fixtures/nodejs-service.yaml",
	"manifests/cmp/kustomization.yaml",
	"examples/hello-world/app.yaml",
}

// retiredPolicy was a second, hand-substituted push policy with its own
// repository naming; the per-app CI roles in Terraform replace it.
const retiredPolicy = "manifests/platform/ecr-app-push-policy.json"

func conventionProblems(repo string) []string {
	p := appspec.DefaultPlatform()
	prefix := p.ImagePrefix
	var out []string
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			out = append(out, err.Error())
		}
		return string(b)
	}

	// The registry the template renders: a default of its own, or
	// Backstage's platform setting ECR_REGISTRY.
	registry := templateRegistry(read("templates/nodejs-service/template.yaml"))
	if registry == "" {
		if m := regexp.MustCompile(`(?m)- ECR_REGISTRY=(\S+)`).FindStringSubmatch(read("manifests/backstage/kustomization.yaml")); m != nil {
			registry = m[1]
		}
	}
	if registry == "" {
		out = append(out, "neither templates/nodejs-service/template.yaml nor manifests/backstage name the ECR registry")
	}
	if want := registry + "/"; !equalList(p.AllowedRegistries, want) {
		out = append(out, fmt.Sprintf("appspec: DefaultPlatform's registries %v, the template pushes to %s", p.AllowedRegistries, want))
	}
	if got, want := p.AppRepository("x"), registry+"/"+prefix+"/x"; got != want {
		out = append(out, fmt.Sprintf("appspec: the repository of app x is %s, want %s", got, want))
	}
	other := appspec.App{APIVersion: appspec.APIVersion, Kind: appspec.Kind, Metadata: appspec.Metadata{Name: "x"},
		Spec: appspec.Spec{Owner: "team-a", Image: p.AppRepository("y") + ":abc1234", Port: 3000}}
	if errs := appspec.Validate(&other, p); len(errs) == 0 {
		out = append(out, "appspec: app x may run app y's image "+other.Spec.Image)
	}

	out = append(out, terraformConvention(filepath.Join(repo, "terraform"), prefix)...)
	out = append(out, pipelineConvention(read, prefix)...)
	out = append(out, fixtureConvention(read("templates/test/fixtures/nodejs-service.yaml"), registry, prefix)...)
	out = append(out, cmpSettingsConvention(read("manifests/cmp/kustomization.yaml"), registry, prefix)...)

	if m := regexp.MustCompile(`(?m)^\s*image:\s*(\S+)`).FindStringSubmatch(read("examples/hello-world/app.yaml")); m == nil ||
		!strings.HasPrefix(m[1], p.AppRepository("hello-world")+":") {
		out = append(out, fmt.Sprintf("examples/hello-world/app.yaml: image %v is not in %s", m, p.AppRepository("hello-world")))
	}
	if _, err := os.Stat(filepath.Join(repo, retiredPolicy)); err == nil {
		out = append(out, retiredPolicy+": a second push policy with its own repository names; the CI roles of terraform/modules/iam are the one policy")
	}
	return out
}

func templateRegistry(src string) string {
	var tmpl struct {
		Spec struct {
			Parameters []struct {
				Properties map[string]struct {
					Default any `yaml:"default"`
				} `yaml:"properties"`
			} `yaml:"parameters"`
		} `yaml:"spec"`
	}
	if yaml.Unmarshal([]byte(src), &tmpl) != nil {
		return ""
	}
	for _, page := range tmpl.Spec.Parameters {
		if d, ok := page.Properties["ecrRegistry"].Default.(string); ok {
			return d
		}
	}
	return ""
}

func equalList(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(want, ",")
}

// terraformConvention: one root variable holds the prefix; the ECR module's
// creation template and the IAM module's push policy both take it from
// there, and no repository is created per app by Terraform.
func terraformConvention(dir, prefix string) []string {
	t := loadTree(dir)
	if len(t.loadErr) > 0 {
		return t.loadErr
	}
	root, ecr, iam := t.modules["."], t.modules["modules/ecr"], t.modules["modules/iam"]
	var out []string
	if v, ok := varDefault(root, "image_prefix"); !ok || v.AsString() != prefix {
		out = append(out, fmt.Sprintf("terraform: variable image_prefix must default to %q (appspec's prefix)", prefix))
	}
	out = append(out, wantWiring(root, "ecr", "repository_prefix", "var.image_prefix", "one prefix")...)
	out = append(out, wantWiring(root, "iam", "image_prefix", "var.image_prefix", "one prefix")...)

	if rs := ecr.resources("aws_ecr_repository"); len(rs) > 0 {
		out = append(out, rs[0].pos()+": repositories come from the creation template on first push, not one Terraform resource per app")
	}
	tmpl := ecr.resource("aws_ecr_repository_creation_template", "")
	if tmpl == nil {
		return append(out, "modules/ecr: no aws_ecr_repository_creation_template: a new app's first push finds no repository")
	}
	if got := srcOf(tmpl.file, attrExpr(*tmpl, "prefix")); got != "var.repository_prefix" {
		out = append(out, fmt.Sprintf("%s: prefix = %s, want var.repository_prefix", tmpl.pos(), got))
	}
	if got := elements(tmpl.file, attrExpr(*tmpl, "applied_for")); !equalList(got, "CREATE_ON_PUSH") {
		out = append(out, fmt.Sprintf("%s: applied_for = %v, want [CREATE_ON_PUSH]", tmpl.pos(), got))
	}
	if got, _ := literalString(attrExpr(*tmpl, "image_tag_mutability")); got != "IMMUTABLE" {
		out = append(out, fmt.Sprintf("%s: image_tag_mutability = %q, want IMMUTABLE", tmpl.pos(), got))
	}

	stmts, ok := policyDocument(iam, "ci_push")
	if !ok {
		return append(out, `modules/iam: no data "aws_iam_policy_document" "ci_push"`)
	}
	want := "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${var.image_prefix}/${each.key}"
	found := false
	for _, s := range stmts {
		for _, r := range s.resources {
			switch {
			case r == "*":
			case r == want:
				found = true
			default:
				out = append(out, fmt.Sprintf("%s: resource %s, want only %s", s.name(), r, want))
			}
		}
	}
	if !found {
		out = append(out, "modules/iam: ci_push grants no push on "+want)
	}
	return out
}

var yamlVar = func(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s*` + name + `:\s*(.+?)\s*$`)
}

// pipelineConvention: the pipeline builds and pushes IMAGE_REPOSITORY, which
// is <ecrRegistry>/<prefix>/<name>, and the GitOps skeleton starts there.
func pipelineConvention(read func(string) string, prefix string) []string {
	var out []string
	want := "${{ values.ecrRegistry }}/" + prefix + "/${{ values.name }}"
	ci := read("templates/nodejs-service/skeleton/.gitlab-ci.yml")
	if m := yamlVar("IMAGE_REPOSITORY").FindStringSubmatch(ci); m == nil || m[1] != want {
		out = append(out, fmt.Sprintf(".gitlab-ci.yml: IMAGE_REPOSITORY %v, want %s", m, want))
	}
	app := read("templates/gitops-app/skeleton/app.yaml")
	if m := yamlVar("image").FindStringSubmatch(app); m == nil || m[1] != want+":initial" {
		out = append(out, fmt.Sprintf("gitops-app app.yaml: image %v, want %s:initial", m, want))
	}
	push := read("templates/pipeline/skeleton/ci/push-image.sh")
	if !strings.Contains(push, `image="$IMAGE_REPOSITORY:$CI_COMMIT_SHA"`) || !strings.Contains(push, `docker push "$image"`) {
		out = append(out, "push-image.sh: must push $IMAGE_REPOSITORY:$CI_COMMIT_SHA, the name the pipeline defines once")
	}
	return out
}

func fixtureConvention(src, registry, prefix string) []string {
	var out []string
	images := regexp.MustCompile(`(?m)^\s*image:\s*(\S+)`).FindAllStringSubmatch(src, -1)
	repos := regexp.MustCompile(`"IMAGE_REPOSITORY:\s*(\S+)"`).FindAllStringSubmatch(src, -1)
	if len(images) == 0 || len(repos) == 0 {
		out = append(out, "templates/test/fixtures/nodejs-service.yaml: no image or IMAGE_REPOSITORY expectation")
	}
	re := regexp.MustCompile("^" + regexp.QuoteMeta(registry+"/"+prefix+"/") + `[a-z0-9-]+(:initial)?$`)
	for _, m := range append(images, repos...) {
		if !re.MatchString(m[1]) {
			out = append(out, fmt.Sprintf("templates/test/fixtures/nodejs-service.yaml: %s is not %s/%s/<name>", m[1], registry, prefix))
		}
	}
	return out
}

// cmpSettingsConvention: the CMP's platform settings name the template's
// registry and leave the prefix at appspec's default (or repeat it).
func cmpSettingsConvention(src, registry, prefix string) []string {
	var out []string
	if m := regexp.MustCompile(`(?m)- ` + appspec.EnvAllowedRegistries + `=(\S+)`).FindStringSubmatch(src); m == nil || m[1] != registry+"/" {
		out = append(out, fmt.Sprintf("manifests/cmp: %s %v, want %s/", appspec.EnvAllowedRegistries, m, registry))
	}
	if m := regexp.MustCompile(`(?m)- ` + appspec.EnvImagePrefix + `=(\S+)`).FindStringSubmatch(src); m != nil && m[1] != prefix {
		out = append(out, fmt.Sprintf("manifests/cmp: %s=%s, the pipeline pushes below %s/", appspec.EnvImagePrefix, m[1], prefix))
	}
	return out
}

func TestImageConvention(t *testing.T) {
	for _, p := range conventionProblems("..") {
		t.Error(p)
	}
}

// TestImageConventionCatchesDisagreement: each layer that drifts from the
// convention on its own is reported.
func TestImageConventionCatchesDisagreement(t *testing.T) {
	cases := []struct{ name, file, old, new string }{
		{"pipeline pushes without the prefix", "templates/nodejs-service/skeleton/.gitlab-ci.yml", "}}/apps/${{", "}}/${{"},
		{"skeleton starts elsewhere", "templates/gitops-app/skeleton/app.yaml", "}}/apps/${{", "}}/other/${{"},
		{"fixture expects another name", "templates/test/fixtures/nodejs-service.yaml", "amazonaws.com/apps/hello-world:initial", "amazonaws.com/hello-world:initial"},
		{"terraform prefix differs", "terraform/variables.tf", `default     = "apps"`, `default     = "idp"`},
		{"creation template not wired", "terraform/modules/ecr/main.tf", "prefix               = var.repository_prefix", `prefix               = "idp"`},
		{"push policy on every repository", "terraform/modules/iam/ci.tf", "repository/${var.image_prefix}/${each.key}", "repository/${var.image_prefix}/*"},
		{"cmp admits another registry", "manifests/cmp/kustomization.yaml", "IDP_ALLOWED_REGISTRIES=123456789012", "IDP_ALLOWED_REGISTRIES=210987654321"},
		{"example outside its repository", "examples/hello-world/app.yaml", "amazonaws.com/apps/hello-world", "amazonaws.com/hello-world"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo := conventionCopy(t)
			path := filepath.Join(repo, c.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), c.old) {
				t.Fatalf("%s has no %q", c.file, c.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(b), c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			if len(conventionProblems(repo)) == 0 {
				t.Error("not reported")
			}
		})
	}
	t.Run("the retired policy file is back", func(t *testing.T) {
		repo := conventionCopy(t)
		path := filepath.Join(repo, retiredPolicy)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if len(conventionProblems(repo)) == 0 {
			t.Error("not reported")
		}
	})
}

// conventionCopy copies terraform/ and conventionFiles into a temporary
// repository root.
func conventionCopy(t *testing.T) string {
	t.Helper()
	repo := t.TempDir()
	tf := copyTree(t)
	if err := os.Rename(tf, filepath.Join(repo, "terraform")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range conventionFiles {
		b, err := os.ReadFile(filepath.Join("..", rel))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(repo, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}
