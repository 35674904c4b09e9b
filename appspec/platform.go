package appspec

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Platform holds the settings a platform team owns. They come from the
// environment of the CMP sidecar and the plugin generator, never from an
// app.yaml.
type Platform struct {
	BaseDomain string    // apps are served at <name>.<BaseDomain>
	ALBGroup   string    // the platform's own AWS Load Balancer Controller group (Backstage, Argo CD, webhooks)
	AppALBs    ALBLayout // the groups apps spread over
	// PreviousAppALBs, while the shard count changes, is the layout before:
	// an app it placed elsewhere keeps an Ingress there until DNS follows.
	PreviousAppALBs     *ALBLayout
	CertificateARN      string            // ACM certificate for the ALB; empty lets the controller discover it
	AllowedRegistries   []string          // registries (host and "/") holding the apps' repositories
	ImagePrefix         string            // path below a registry of every app's repository: <registry><prefix>/<name>
	SharedImages        []string          // full repository prefixes (ending in "/") every app may also run, e.g. a base image mirror
	SecretStore         string            // ClusterSecretStore name
	SecretKeyPrefix     string            // secret store keys live under <prefix>/<name>
	MonitoringNamespace string            // namespace of Prometheus
	MonitoringLabels    map[string]string // labels Prometheus selects ServiceMonitors by
	ServiceCIDR         netip.Prefix      // cluster service range: apps reach no ClusterIP but DNS
	IngressCIDRs        []netip.Prefix    // the ALB's (public) subnets: the only source apps accept traffic from
	ArgoCDNamespace     string            // where AppProjects live
	DestinationServer   string            // the cluster apps deploy to, as Argo CD names it
	SSOGroupFormat      string            // the Argo CD SSO group of an owner: OwnerPlaceholder replaced by the owner
}

// DefaultImagePrefix is the repository path of the apps below the registry,
// the same as the pipeline's IMAGE_REPOSITORY and Terraform's image_prefix
// (terraform/image_convention_test.go keeps them equal).
const DefaultImagePrefix = "apps"

// OwnerPlaceholder is replaced by an app's owner in SSOGroupFormat.
const OwnerPlaceholder = "{owner}"

// Environment variables read by PlatformFromEnv.
const (
	EnvBaseDomain          = "IDP_BASE_DOMAIN"
	EnvALBGroup            = "IDP_ALB_GROUP"
	EnvALBAppPrefix        = "IDP_ALB_APP_PREFIX"
	EnvALBShards           = "IDP_ALB_SHARDS"
	EnvALBShardsPrevious   = "IDP_ALB_SHARDS_PREVIOUS"
	EnvCertificateARN      = "IDP_CERTIFICATE_ARN"
	EnvAllowedRegistries   = "IDP_ALLOWED_REGISTRIES"
	EnvImagePrefix         = "IDP_IMAGE_PREFIX"
	EnvSharedImages        = "IDP_SHARED_IMAGES"
	EnvSecretStore         = "IDP_SECRET_STORE"
	EnvSecretKeyPrefix     = "IDP_SECRET_KEY_PREFIX"
	EnvMonitoringNamespace = "IDP_MONITORING_NAMESPACE"
	EnvMonitoringLabels    = "IDP_MONITORING_LABELS"
	EnvServiceCIDR         = "IDP_SERVICE_CIDR"
	EnvIngressCIDRs        = "IDP_INGRESS_CIDRS"
	EnvArgoCDNamespace     = "IDP_ARGOCD_NAMESPACE"
	EnvDestinationServer   = "IDP_DESTINATION_SERVER"
	EnvSSOGroupFormat      = "IDP_SSO_GROUP_FORMAT"
)

// DefaultPlatform is the embedded default: a sandbox platform that lets the
// quickstart render without any configuration.
func DefaultPlatform() Platform {
	return Platform{
		BaseDomain:          "apps.example.com",
		ALBGroup:            "idp-shared",
		AppALBs:             ALBLayout{Prefix: "idp-apps", Shards: DefaultALBShards},
		AllowedRegistries:   []string{"123456789012.dkr.ecr.us-east-2.amazonaws.com/"},
		ImagePrefix:         DefaultImagePrefix,
		SecretStore:         "aws-secrets-manager",
		SecretKeyPrefix:     "idp/apps",
		MonitoringNamespace: "monitoring",
		MonitoringLabels:    map[string]string{"release": "kube-prometheus-stack"},
		ServiceCIDR:         netip.MustParsePrefix("172.20.0.0/16"),
		IngressCIDRs:        []netip.Prefix{netip.MustParsePrefix("10.0.0.0/22"), netip.MustParsePrefix("10.0.4.0/22")},
		ArgoCDNamespace:     "argocd",
		DestinationServer:   "https://kubernetes.default.svc",
		// Argo CD's SSO is GitLab through Dex, whose groups claim holds
		// GitLab group full paths; Backstage names a group after its path
		// below the org group (GITLAB_ORG_GROUP, "platform" in
		// manifests/backstage), so owner team-a is GitLab group platform/team-a.
		SSOGroupFormat: "platform/" + OwnerPlaceholder,
	}
}

// PlatformFromEnv overlays the IDP_* variables found by lookup on
// DefaultPlatform and checks the result.
func PlatformFromEnv(lookup func(string) (string, bool)) (Platform, error) {
	p := DefaultPlatform()
	var errs []string
	set := func(key string, apply func(string) error) {
		v, ok := lookup(key)
		if !ok || strings.TrimSpace(v) == "" {
			return
		}
		if err := apply(strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", key, v, err))
		}
	}
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	set(EnvBaseDomain, str(&p.BaseDomain))
	set(EnvALBGroup, str(&p.ALBGroup))
	set(EnvALBAppPrefix, str(&p.AppALBs.Prefix))
	set(EnvALBShards, func(v string) (err error) { p.AppALBs.Shards, err = strconv.Atoi(v); return err })
	set(EnvALBShardsPrevious, func(v string) error {
		l, err := parseALBLayout(v)
		p.PreviousAppALBs = &l
		return err
	})
	set(EnvCertificateARN, str(&p.CertificateARN))
	set(EnvSecretStore, str(&p.SecretStore))
	set(EnvSecretKeyPrefix, func(v string) error { p.SecretKeyPrefix = strings.Trim(v, "/"); return nil })
	set(EnvMonitoringNamespace, str(&p.MonitoringNamespace))
	set(EnvAllowedRegistries, func(v string) error { p.AllowedRegistries = splitList(v); return nil })
	set(EnvImagePrefix, func(v string) error { p.ImagePrefix = strings.Trim(v, "/"); return nil })
	set(EnvSharedImages, func(v string) error { p.SharedImages = splitList(v); return nil })
	set(EnvMonitoringLabels, labelsInto(&p.MonitoringLabels))
	set(EnvServiceCIDR, func(v string) (err error) { p.ServiceCIDR, err = netip.ParsePrefix(v); return err })
	set(EnvIngressCIDRs, prefixesInto(&p.IngressCIDRs))
	set(EnvArgoCDNamespace, str(&p.ArgoCDNamespace))
	set(EnvDestinationServer, str(&p.DestinationServer))
	set(EnvSSOGroupFormat, str(&p.SSOGroupFormat))
	if len(errs) > 0 {
		return Platform{}, fmt.Errorf("platform settings: %s", strings.Join(errs, "; "))
	}
	if err := p.Validate(); err != nil {
		return Platform{}, err
	}
	return p, nil
}

// Validate reports settings that would make every render wrong.
func (p Platform) Validate() error {
	var errs []string
	for _, msg := range validation.IsDNS1123Subdomain(p.BaseDomain) {
		errs = append(errs, EnvBaseDomain+": "+msg)
	}
	for _, msg := range validation.IsDNS1123Label(p.MonitoringNamespace) {
		errs = append(errs, EnvMonitoringNamespace+": "+msg)
	}
	for _, msg := range validation.IsDNS1123Label(p.ArgoCDNamespace) {
		errs = append(errs, EnvArgoCDNamespace+": "+msg)
	}
	if p.DestinationServer == "" {
		errs = append(errs, EnvDestinationServer+": must not be empty")
	}
	if p.ALBGroup == "" {
		errs = append(errs, EnvALBGroup+": must not be empty")
	}
	errs = append(errs, p.AppALBs.validate(EnvALBAppPrefix+"/"+EnvALBShards)...)
	if p.PreviousAppALBs != nil {
		errs = append(errs, p.PreviousAppALBs.validate(EnvALBShardsPrevious)...)
	}
	if p.SecretStore == "" {
		errs = append(errs, EnvSecretStore+": must not be empty")
	}
	if p.SecretKeyPrefix == "" {
		errs = append(errs, EnvSecretKeyPrefix+": must not be empty")
	}
	if len(p.AllowedRegistries) == 0 {
		errs = append(errs, EnvAllowedRegistries+": must name at least one registry")
	}
	for _, r := range p.AllowedRegistries {
		if !strings.HasSuffix(r, "/") {
			errs = append(errs, fmt.Sprintf("%s: %q must end with / so that a prefix cannot match a longer host", EnvAllowedRegistries, r))
		}
	}
	errs = append(errs, p.validateImageSettings()...)
	if !p.ServiceCIDR.IsValid() {
		errs = append(errs, EnvServiceCIDR+": must be a CIDR")
	}
	if len(p.IngressCIDRs) == 0 {
		errs = append(errs, EnvIngressCIDRs+": must name at least one CIDR")
	}
	if msg := validSSOGroupFormat(p.SSOGroupFormat); msg != "" {
		errs = append(errs, EnvSSOGroupFormat+": "+msg)
	}
	if len(errs) > 0 {
		return fmt.Errorf("platform settings: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Host is the one host name an app owns.
func (p Platform) Host(name string) string { return name + "." + p.BaseDomain }

// AppRepository is the one repository whose images an app may run (besides
// SharedImages): <first registry><prefix>/<name>.
func (p Platform) AppRepository(name string) string {
	if len(p.AllowedRegistries) == 0 {
		return p.ImagePrefix + "/" + name
	}
	return p.AllowedRegistries[0] + p.ImagePrefix + "/" + name
}

// SecretKey is the secret store key an app owns.
func (p Platform) SecretKey(name string) string { return p.SecretKeyPrefix + "/" + name }

// SSOGroup is the group, as Argo CD's SSO sends it in the groups claim,
// whose members own the apps of owner.
func (p Platform) SSOGroup(owner string) string {
	return strings.Replace(p.SSOGroupFormat, OwnerPlaceholder, owner, 1)
}

// validSSOGroupFormat reports why a format cannot name one group per owner:
// it must hold the placeholder once (or every team would share a group),
// and no comma, quote or space, which Argo CD's policy CSV would split on or
// refuse in an AppProject's groups.
func validSSOGroupFormat(f string) string {
	switch {
	case strings.Count(f, OwnerPlaceholder) != 1:
		return fmt.Sprintf("%q must contain %s exactly once, e.g. platform/%s", f, OwnerPlaceholder, OwnerPlaceholder)
	case strings.ContainsAny(f, ",\"' \t\r\n"):
		return fmt.Sprintf("%q must not contain commas, quotes or white space", f)
	}
	return ""
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func labelsInto(dst *map[string]string) func(string) error {
	return func(v string) error {
		m := map[string]string{}
		for _, kv := range splitList(v) {
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("want key=value, got %q", kv)
			}
			if errs := validation.IsQualifiedName(k); len(errs) > 0 {
				return fmt.Errorf("label key %q: %s", k, strings.Join(errs, ", "))
			}
			if errs := validation.IsValidLabelValue(val); len(errs) > 0 {
				return fmt.Errorf("label value %q: %s", val, strings.Join(errs, ", "))
			}
			m[k] = val
		}
		*dst = m
		return nil
	}
}

func prefixesInto(dst *[]netip.Prefix) func(string) error {
	return func(v string) error {
		var out []netip.Prefix
		for _, s := range splitList(v) {
			pfx, err := netip.ParsePrefix(s)
			if err != nil {
				return err
			}
			out = append(out, pfx.Masked())
		}
		*dst = out
		return nil
	}
}
