package backstageconfig

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// RequiredKeys are the keys a production config must set, in the order the
// check reports them. A list index means that item: the first GitLab
// integration, the first Argo CD instance, the first cluster.
var RequiredKeys = []string{
	"app.baseUrl",
	"backend.baseUrl",
	"backend.database.client",
	"backend.database.connection.host",
	"backend.database.connection.port",
	"backend.database.connection.user",
	"backend.database.connection.password",
	"auth.environment",
	"auth.providers.gitlab.production.clientId",
	"auth.providers.gitlab.production.clientSecret",
	"auth.providers.gitlab.production.audience",
	"auth.providers.gitlab.production.signIn.resolvers[0].resolver",
	"integrations.gitlab[0].host",
	"integrations.gitlab[0].token",
	"catalog.providers.gitlab.apps.host",
	"catalog.providers.gitlab.apps.group",
	"catalog.providers.gitlab.org.host",
	"catalog.providers.gitlab.org.group",
	"catalog.providers.gitlab.org.orgEnabled",
	"argocd.appLocatorMethods[0].instances[0].url",
	"argocd.appLocatorMethods[0].instances[0].token",
	"kubernetes.clusterLocatorMethods[0].clusters[0].name",
	"kubernetes.clusterLocatorMethods[0].clusters[0].url",
	"grafana.hosts[0].domain",
	GrafanaProxy + ".target",
	GrafanaProxy + ".headers.Authorization",
	"idp.gitlab.host",
	"idp.gitlab.appGroup",
	"idp.gitlab.gitopsGroup",
	"idp.baseDomain",
	"idp.ecrRegistry",
	"idp.argocdUrl",
}

// ProductionEnv are the environment variables the Backstage Deployment
// (manifests/backstage/deployment.yaml) sets: from the backstage-settings
// ConfigMap and from the backstage-secrets Secret. A test keeps the two
// lists equal.
var ProductionEnv = []string{
	"BACKSTAGE_HOST",
	"POSTGRES_HOST",
	"POSTGRES_PORT",
	"POSTGRES_USER",
	"POSTGRES_PASSWORD",
	"AUTH_GITLAB_CLIENT_ID",
	"AUTH_GITLAB_CLIENT_SECRET",
	"GITHUB_TOKEN",
	"GITLAB_HOST",
	"GITLAB_TOKEN",
	"GITLAB_APP_GROUP",
	"GITLAB_ORG_GROUP",
	"GITLAB_GITOPS_GROUP",
	"ARGOCD_URL",
	"ARGOCD_AUTH_TOKEN",
	"K8S_CLUSTER_NAME",
	"GRAFANA_URL",
	"GRAFANA_TOKEN",
	"BASE_DOMAIN",
	"ECR_REGISTRY",
}

// SignInResolver is the only sign-in resolver allowed in production: a
// GitLab user signs in as the User entity named after their GitLab username,
// which is how the GitLab org provider names the users it ingests. E-mail
// resolvers are refused: gitlab.com shows most users' e-mail to no one, so
// most people would match no User.
const SignInResolver = "usernameMatchingUserEntityName"

// GrafanaProxy is the proxy endpoint the Grafana plugin calls by default
// (a host's proxyPath), as a key path.
const GrafanaProxy = "proxy.endpoints./grafana/api"

// Error is a refused config: every missing key and every other problem at
// once.
type Error struct {
	Missing  []string          // required keys absent, empty or substituting an undeclared variable, in RequiredKeys order
	Why      map[string]string // why each Missing key counts as missing
	Problems []string          // everything else refused, each naming its key
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config refused:")
	for _, k := range e.Missing {
		fmt.Fprintf(&b, "\n  %s: %s", k, e.Why[k])
	}
	for _, p := range e.Problems {
		b.WriteString("\n  " + p)
	}
	return b.String()
}

func (e *Error) orNil() error {
	if len(e.Missing) == 0 && len(e.Problems) == 0 {
		return nil
	}
	return e
}

// CheckProduction refuses a production config that misses a required key,
// substitutes a variable not in env, signs in with anything but GitLab
// (guest included) or through any resolver but SignInResolver, signs in at
// another GitLab than the one whose users it ingests, points the Grafana
// plugin at a proxy endpoint that is not there or at another stack, puts a
// literal credential in a proxy header, enables anything "dangerously…",
// uses $include, plain http base URLs, or a database other than
// PostgreSQL. env is the list of variables the deployment provides; nil
// means ProductionEnv.
//
// What Backstage's own check (hack/check-backstage-config.sh: config:check
// --strict with the plugins' schemas) decides is not repeated here: the
// type of every value (a mapping or list where a string goes, a string
// where a boolean goes), misspelled and unknown keys, and each plugin's own
// required keys. This check keeps what no plugin's schema can know: the
// platform's required keys and rules, and the names of the variables the
// Deployment provides.
func CheckProduction(c Config, env []string) error {
	if env == nil {
		env = ProductionEnv
	}
	k := &checker{c: c, e: &Error{Why: map[string]string{}}}
	k.required(env)
	k.signIn()
	k.scaffolder()
	k.grafana()
	k.backend()
	k.everyKey(env)
	return k.e.orNil()
}

// checker holds a config under check and what it found so far.
type checker struct {
	c Config
	e *Error
}

func (k *checker) problem(format string, args ...any) {
	k.e.Problems = append(k.e.Problems, fmt.Sprintf(format, args...))
}

// set returns a value the rules judge: one that is there and not already
// reported missing (an empty or unresolvable value is one problem, not two).
func (k *checker) set(key string) (any, bool) {
	if slices.Contains(k.e.Missing, key) {
		return nil, false
	}
	v, ok := k.c.Get(key)
	return v, ok && v != nil
}

// required reports every RequiredKeys entry that is absent, empty or
// substitutes a variable not in env.
func (k *checker) required(env []string) {
	for _, key := range RequiredKeys {
		v, ok := k.c.Get(key)
		why := "missing"
		if ok {
			why = absent(v, env)
		}
		if why != "" {
			k.e.Missing = append(k.e.Missing, key)
			k.e.Why[key] = why
		}
	}
}

// backend: PostgreSQL, and https base URLs.
func (k *checker) backend() {
	if v, ok := k.set("backend.database.client"); ok && v != "pg" {
		k.problem("backend.database.client: %v; production needs PostgreSQL (pg): anything else loses the catalog on restart", v)
	}
	for _, key := range []string{"app.baseUrl", "backend.baseUrl"} {
		v, _ := k.set(key)
		if s, ok := v.(string); ok && !strings.HasPrefix(s, "${") && !strings.HasPrefix(s, "https://") {
			k.problem("%s: %q must be an https:// URL in production", key, s)
		}
	}
}

// everyKey: nothing "dangerously…" (as a key or a value), no $include, and
// no variable outside env anywhere.
func (k *checker) everyKey(env []string) {
	required := func(key string) bool { return slices.Contains(RequiredKeys, key) }
	walk(map[string]any(k.c), "", func(path, key string, v any) {
		if strings.HasPrefix(key, "dangerously") {
			k.problem("%s: dangerously… options are refused in production", path)
		}
		if s, ok := v.(string); ok && strings.HasPrefix(s, "dangerously") {
			k.problem("%s: %s is refused in production", path, s)
		}
		if key == "$include" {
			k.problem("%s: $include is refused in production: the check cannot see what it adds", path)
		}
		if required(path) || required(strings.TrimSuffix(path, ".$env")) {
			return
		}
		for _, name := range namesAt(key, v) {
			if !slices.Contains(env, name) {
				k.problem("%s: substitutes ${%s}, which the deployment does not provide", path, name)
			}
		}
	})
}

// CheckDevelopment refuses a development config that lacks either sign-in:
// the guest provider for quick looks, and GitLab (under the config's
// auth.environment, "development" by default) to try the real flow.
func CheckDevelopment(c Config) error {
	e := &Error{Why: map[string]string{}}
	env := "development"
	if s, ok := get[string](c, "auth.environment"); ok {
		env = s
	}
	if _, ok := c.Get("auth.providers.guest"); !ok {
		e.Problems = append(e.Problems, "auth.providers.guest: development keeps guest sign-in")
	}
	if _, ok := c.Get("auth.providers.gitlab." + env + ".clientId"); !ok {
		e.Problems = append(e.Problems, "auth.providers.gitlab."+env+".clientId: development keeps GitLab sign-in")
	}
	return e.orNil()
}

// Substitutions maps every variable the config substitutes to the keys
// that use it.
func Substitutions(c Config) map[string][]string {
	out := map[string][]string{}
	walk(map[string]any(c), "", func(path, key string, v any) {
		for _, name := range namesAt(key, v) {
			out[name] = append(out[name], strings.TrimSuffix(path, ".$env"))
		}
	})
	return out
}

// substitution matches what Backstage's config loader splits on:
// ${NAME}, ${NAME:-fallback}, and the escape $${...}.
var substitution = regexp.MustCompile(`\$?\$\{[^{}]*\}`)

// substitutedNames lists the variables a string value substitutes, in
// order; the escape $${...} substitutes nothing.
func substitutedNames(v any) []string {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	var names []string
	for _, m := range substitution.FindAllString(s, -1) {
		if strings.HasPrefix(m, "$$") {
			continue
		}
		inner := m[2 : len(m)-1]
		name, _, _ := strings.Cut(inner, ":-")
		names = append(names, strings.TrimSpace(name))
	}
	return names
}

// namesAt lists the variables the value v under key substitutes: ${...}
// in a string, or the name of an {$env: NAME} object.
func namesAt(key string, v any) []string {
	if key == "$env" {
		if s, ok := v.(string); ok {
			return []string{strings.TrimSpace(s)}
		}
		return nil
	}
	return substitutedNames(v)
}

// absent explains why a required value does not count as set, or returns "".
func absent(v any, env []string) string {
	switch t := v.(type) {
	case nil:
		return "empty"
	case string:
		if strings.TrimSpace(t) == "" {
			return "empty"
		}
		for _, name := range substitutedNames(t) {
			if !slices.Contains(env, name) {
				return fmt.Sprintf("substitutes ${%s}, which the deployment does not provide", name)
			}
		}
	case map[string]any:
		if name, ok := t["$env"].(string); ok && len(t) == 1 && !slices.Contains(env, name) {
			return fmt.Sprintf("$env: %s, which the deployment does not provide", name)
		}
	}
	// A number or a boolean is a value; whether a mapping ({$file: PATH}
	// among them) or a list fits there is Backstage's schema check.
	return ""
}

func get[T any](c Config, key string) (T, bool) {
	v, ok := c.Get(key)
	t, isT := v.(T)
	return t, ok && isT
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
