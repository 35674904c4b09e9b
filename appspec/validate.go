package appspec

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/distribution/reference"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Name bounds. 40 leaves room for the suffixes that derived objects add
// (for example "<name>-allow-prometheus") and keeps host names readable.
const (
	MinNameLength = 2
	MaxNameLength = 40
)

// Quantity ceilings: anything above is a typo, not a service.
var (
	maxCPU            = resource.MustParse("8")
	maxMemory         = resource.MustParse("32Gi")
	maxReplicas int32 = 20
)

// reservedNames are namespaces the platform or Kubernetes owns. An app named
// after one would render into it.
var reservedNames = sets.New(
	"default", "argocd", "backstage", "monitoring", "external-secrets",
	"cert-manager", "calico-system", "calico-apiserver", "tigera-operator",
	"amazon-cloudwatch", "aws-observability", "karpenter", "ingress-nginx",
	"gatekeeper-system", "kyverno", "flux-system", "istio-system", "platform",
	"idp", "plugin-generator", "grafana", "prometheus", "loki", "logging",
	"velero", "vault", "gitlab", "admin", "system", "api", "www", "app", "apps",
)

var reservedPrefixes = []string{"kube-", "openshift-", "aws-", "eks-", "argocd-", "calico-", "tigera-", "idp-"}

var (
	urlPath   = regexp.MustCompile(`^/[-A-Za-z0-9._~/]*$`)
	secretKey = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)
)

// ReservedNames lists the exact names the platform owns, sorted.
func ReservedNames() []string { return sets.List(reservedNames) }

// ReservedPrefixes lists the name prefixes the platform owns.
func ReservedPrefixes() []string { return slices.Clone(reservedPrefixes) }

// ReservedName reports why a name belongs to the platform, or "".
func ReservedName(name string) string {
	if reservedNames.Has(name) {
		return fmt.Sprintf("%q is reserved for the platform", name)
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Sprintf("names starting with %q are reserved for the platform", p)
		}
	}
	return ""
}

// ValidateName checks an app name on its own; the plugin generator uses it
// for project paths before it reads any app.yaml.
func ValidateName(name string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case len(name) < MinNameLength || len(name) > MaxNameLength:
		errs = append(errs, field.Invalid(path, name, fmt.Sprintf("must be %d to %d characters long; pick a shorter name", MinNameLength, MaxNameLength)))
	case len(validation.IsDNS1035Label(name)) > 0:
		errs = append(errs, field.Invalid(path, name, "must be lower-case letters, digits and '-', start with a letter and end with a letter or digit, e.g. \"hello-world\""))
	}
	if why := ReservedName(name); why != "" {
		errs = append(errs, field.Forbidden(path, why+"; choose another name"))
	}
	return errs
}

// Validate checks a defaulted app against the platform and returns every
// problem at once, each with its field path and a fix.
func Validate(app *App, p Platform) field.ErrorList {
	var errs field.ErrorList
	if app.APIVersion != APIVersion {
		errs = append(errs, field.NotSupported(field.NewPath("apiVersion"), app.APIVersion, []string{APIVersion}))
	}
	if app.Kind != Kind {
		errs = append(errs, field.NotSupported(field.NewPath("kind"), app.Kind, []string{Kind}))
	}
	errs = append(errs, ValidateName(app.Metadata.Name, field.NewPath("metadata", "name"))...)
	errs = append(errs, validateSpec(app, p, field.NewPath("spec"))...)
	return errs
}

func validateSpec(app *App, p Platform, path *field.Path) field.ErrorList {
	s := &app.Spec
	var errs field.ErrorList
	if s.Owner == "" {
		errs = append(errs, field.Required(path.Child("owner"), "name the Backstage group that owns the app, e.g. team-a"))
	} else if msgs := validation.IsValidLabelValue(s.Owner); len(msgs) > 0 {
		// A Backstage entity name and a label value follow the same rules; the
		// owner is both (GitLab group paths keep their case and '_').
		errs = append(errs, field.Invalid(path.Child("owner"), s.Owner, "must be a Backstage group's entity name: "+strings.Join(msgs, "; ")))
	}
	if len(s.Description) > 256 {
		errs = append(errs, field.TooLong(path.Child("description"), "", 256))
	}
	errs = append(errs, validateText(s.Description, path.Child("description"))...)
	errs = append(errs, validateImage(app.Metadata.Name, s.Image, p, path.Child("image"))...)
	errs = append(errs, validatePort(s.Port, path.Child("port"))...)
	if s.Replicas != nil && (*s.Replicas < 1 || *s.Replicas > maxReplicas) {
		errs = append(errs, field.Invalid(path.Child("replicas"), *s.Replicas, fmt.Sprintf("must be between 1 and %d", maxReplicas)))
	}
	if a := s.Autoscaling; a != nil {
		errs = append(errs, validateAutoscaling(a, s.Replicas, path.Child("autoscaling"))...)
	}
	errs = append(errs, validateStrings(s.Command, 32, path.Child("command"))...)
	errs = append(errs, validateStrings(s.Args, 64, path.Child("args"))...)
	errs = append(errs, validateEnv(s.Env, path.Child("env"))...)
	errs = append(errs, validateResources(s.Resources, path.Child("resources"))...)
	if s.Health != nil {
		errs = append(errs, validatePath(s.Health.Path, path.Child("health", "path"))...)
		if s.Health.StartupSeconds < 2 || s.Health.StartupSeconds > 600 {
			errs = append(errs, field.Invalid(path.Child("health", "startupSeconds"), s.Health.StartupSeconds, "must be between 2 and 600"))
		}
	}
	if s.Metrics != nil {
		errs = append(errs, validatePath(s.Metrics.Path, path.Child("metrics", "path"))...)
		errs = append(errs, validatePort(s.Metrics.Port, path.Child("metrics", "port"))...)
	}
	if s.SLO != nil {
		errs = append(errs, validateSLO(s.SLO, path.Child("slo"))...)
	}
	if s.Ingress != nil {
		errs = append(errs, validateHost(s.Ingress.Host, p.Host(app.Metadata.Name), path.Child("ingress", "host"))...)
		errs = append(errs, validatePath(s.Ingress.Path, path.Child("ingress", "path"))...)
	}
	if s.Secrets != nil {
		errs = append(errs, validateSecrets(s.Secrets, p.SecretKey(app.Metadata.Name), path.Child("secrets"))...)
	}
	if l := s.Lifecycle; l != nil && l.TerminationGracePeriodSeconds != nil {
		if g := *l.TerminationGracePeriodSeconds; g < 1 || g > 600 {
			errs = append(errs, field.Invalid(path.Child("lifecycle", "terminationGracePeriodSeconds"), g, "must be between 1 and 600"))
		}
	}
	return errs
}

// validateImage: a full, pinned reference to the app's own repository (or
// a shared one): an app never runs another app's images.
func validateImage(name, image string, p Platform, path *field.Path) field.ErrorList {
	if image == "" {
		return field.ErrorList{field.Required(path, "set the image CI built, e.g. "+exampleImage(name, p))}
	}
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return field.ErrorList{field.Invalid(path, image, "not an image reference: "+err.Error())}
	}
	var errs field.ErrorList
	if ref.String() != image {
		errs = append(errs, field.Invalid(path, image, "write the image in full, registry included, e.g. "+exampleImage(name, p)))
	}
	if msg := imageOwnerProblem(name, ref.Name(), image, p); msg != "" {
		errs = append(errs, field.Forbidden(path, msg))
	}
	tagged, hasTag := ref.(reference.Tagged)
	_, hasDigest := ref.(reference.Digested)
	switch {
	case !hasTag && !hasDigest:
		errs = append(errs, field.Invalid(path, image, "pin the image with a tag (the commit SHA) or a digest"))
	case hasTag && tagged.Tag() == "latest" && !hasDigest:
		errs = append(errs, field.Invalid(path, image, "the tag \"latest\" cannot be rolled out or rolled back; use the commit SHA"))
	}
	return errs
}

func exampleImage(name string, p Platform) string {
	if name == "" {
		name = "<name>"
	}
	return p.AppRepository(name) + ":<commit-sha>"
}

func validatePort(port int32, path *field.Path) field.ErrorList {
	if port < 1024 || port > 65535 {
		return field.ErrorList{field.Invalid(path, port, "must be between 1024 and 65535: apps run as non-root and cannot bind lower ports")}
	}
	return nil
}

func validatePath(p string, path *field.Path) field.ErrorList {
	if len(p) > 256 || !urlPath.MatchString(p) || strings.Contains(p, "//") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
		return field.ErrorList{field.Invalid(path, p, "must be an absolute URL path of letters, digits and -._~/, e.g. /health")}
	}
	return nil
}

func validateStrings(items []string, max int, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(items) > max {
		errs = append(errs, field.TooMany(path, len(items), max))
	}
	for i, s := range items {
		if len(s) > 1024 {
			errs = append(errs, field.TooLong(path.Index(i), "", 1024))
		}
		errs = append(errs, validateText(s, path.Index(i))...)
	}
	return errs
}

// validateText refuses invalid UTF-8 and control characters (tab and line
// breaks aside): they cannot round-trip through the YAML Argo CD reads, and
// hide what a value really is from a reviewer.
func validateText(s string, path *field.Path) field.ErrorList {
	if !utf8.ValidString(s) {
		return field.ErrorList{field.Invalid(path, field.OmitValueType{}, "is not valid UTF-8")}
	}
	for _, r := range s {
		if r != '\t' && r != '\n' && r != '\r' && (!unicode.IsPrint(r) && !unicode.IsSpace(r) || r == '\uFEFF') {
			return field.ErrorList{field.Invalid(path, field.OmitValueType{}, fmt.Sprintf("contains the control character %U; remove it", r))}
		}
	}
	return nil
}

func validateEnv(env []EnvVar, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(env) > 100 {
		errs = append(errs, field.TooMany(path, len(env), 100))
	}
	seen := sets.New[string]()
	for i, e := range env {
		p := path.Index(i)
		if msgs := validation.IsEnvVarName(e.Name); len(msgs) > 0 || e.Name == "" {
			errs = append(errs, field.Invalid(p.Child("name"), e.Name, "must be a valid environment variable name, e.g. LOG_LEVEL"))
		}
		if e.Name == "PORT" {
			errs = append(errs, field.Forbidden(p.Child("name"), "PORT is set by the platform from spec.port; set spec.port instead"))
		}
		if e.Name == "METRICS_PORT" {
			errs = append(errs, field.Forbidden(p.Child("name"), "METRICS_PORT is set by the platform from spec.metrics.port; set spec.metrics.port instead"))
		}
		if seen.Has(e.Name) {
			errs = append(errs, field.Duplicate(p.Child("name"), e.Name))
		}
		seen.Insert(e.Name)
		if len(e.Value) > 4096 {
			errs = append(errs, field.TooLong(p.Child("value"), "", 4096))
		}
		errs = append(errs, validateText(e.Value, p.Child("value"))...)
	}
	return errs
}

func validateResources(r *Resources, path *field.Path) field.ErrorList {
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	req := quantities(r.Requests, path.Child("requests"), &errs)
	lim := quantities(r.Limits, path.Child("limits"), &errs)
	for name, q := range lim {
		if rq, ok := req[name]; ok && q.Cmp(rq) < 0 {
			errs = append(errs, field.Invalid(path.Child("limits", name), q.String(), "must not be below the request "+rq.String()))
		}
	}
	return errs
}

func quantities(l *ResourceList, path *field.Path, errs *field.ErrorList) map[string]resource.Quantity {
	out := map[string]resource.Quantity{}
	if l == nil {
		return out
	}
	check := func(name, val string, max resource.Quantity, example string) {
		if val == "" {
			return
		}
		q, err := resource.ParseQuantity(val)
		switch {
		case err != nil:
			*errs = append(*errs, field.Invalid(path.Child(name), val, "not a quantity, e.g. "+example))
		case q.Sign() <= 0 || q.Cmp(max) > 0:
			*errs = append(*errs, field.Invalid(path.Child(name), val, fmt.Sprintf("must be above 0 and at most %s", max.String())))
		default:
			out[name] = q
		}
	}
	check("cpu", l.CPU, maxCPU, "250m")
	check("memory", l.Memory, maxMemory, "256Mi")
	return out
}

func validateHost(host, own string, path *field.Path) field.ErrorList {
	if strings.HasSuffix(host, "."+own) {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf("host %q: the platform's certificate covers one label below its domain, so no certificate serves a sub-domain of %s; use %s (or leave host out)", host, own, own))}
	}
	if host != own {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf("host %q is not the app's own; use %s (or leave host out)", host, own))}
	}
	if msgs := validation.IsDNS1123Subdomain(host); len(msgs) > 0 {
		return field.ErrorList{field.Invalid(path, host, strings.Join(msgs, "; "))}
	}
	return nil
}

// LatencyBuckets are the upper bounds of the templates' request duration
// histogram (prom-client, templates/nodejs-service/skeleton/src/metrics.js):
// a latency threshold must be one of them.
var LatencyBuckets = map[string]string{
	"5ms": "0.005", "10ms": "0.01", "25ms": "0.025", "50ms": "0.05", "100ms": "0.1",
	"250ms": "0.25", "500ms": "0.5", "1s": "1", "2.5s": "2.5", "5s": "5",
}

func validateSLO(s *SLO, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Availability != 0 && (s.Availability < 90 || s.Availability > 99.99) {
		errs = append(errs, field.Invalid(path.Child("availability"), s.Availability, "must be a percentage between 90 and 99.99"))
	}
	if l := s.Latency; l != nil {
		if l.Objective != 0 && (l.Objective < 50 || l.Objective > 99.99) {
			errs = append(errs, field.Invalid(path.Child("latency", "objective"), l.Objective, "must be a percentage between 50 and 99.99"))
		}
		if _, ok := LatencyBuckets[l.Threshold]; l.Threshold != "" && !ok {
			errs = append(errs, field.NotSupported(path.Child("latency", "threshold"), l.Threshold, slices.Sorted(maps.Keys(LatencyBuckets))))
		}
	}
	return errs
}

func validateAutoscaling(a *Autoscaling, replicas *int32, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	least := DefaultReplicas
	if replicas != nil {
		least = *replicas
	}
	if a.MaxReplicas < least || a.MaxReplicas > maxReplicas {
		errs = append(errs, field.Invalid(path.Child("maxReplicas"), a.MaxReplicas, fmt.Sprintf("must be between spec.replicas (%d, the minimum) and %d", least, maxReplicas)))
	}
	if a.CPUUtilization != 0 && (a.CPUUtilization < 10 || a.CPUUtilization > 100) {
		errs = append(errs, field.Invalid(path.Child("cpuUtilization"), a.CPUUtilization, "must be a percentage of the CPU request between 10 and 100"))
	}
	return errs
}

func validateSecrets(s *Secrets, own string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	k := s.Key
	if (k != own && !strings.HasPrefix(k, own+"/")) || !secretKey.MatchString(k) || strings.Contains(k, "..") || strings.Contains(k, "//") {
		errs = append(errs, field.Forbidden(path.Child("key"), fmt.Sprintf("key %q is not the app's own; use %s or a key below it (or leave key out)", k, own)))
	}
	if d, err := time.ParseDuration(s.RefreshInterval); err != nil || d < time.Minute || d > 24*time.Hour {
		errs = append(errs, field.Invalid(path.Child("refreshInterval"), s.RefreshInterval, "must be a duration between 1m and 24h, e.g. 1h"))
	}
	return errs
}
