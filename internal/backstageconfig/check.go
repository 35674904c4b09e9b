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
	"auth.providers.github.production.clientId",
	"auth.providers.github.production.clientSecret",
	"auth.providers.github.production.signIn.resolvers[0].resolver",
	"integrations.gitlab[0].host",
	"integrations.gitlab[0].token",
	"catalog.providers.gitlab.apps.host",
	"catalog.providers.gitlab.apps.group",
	"argocd.appLocatorMethods[0].instances[0].url",
	"argocd.appLocatorMethods[0].instances[0].token",
	"kubernetes.clusterLocatorMethods[0].clusters[0].name",
	"kubernetes.clusterLocatorMethods[0].clusters[0].url",
	"idp.aws.accountId",
	"idp.aws.region",
	"idp.aws.ecrRegistry",
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
	"AUTH_GITHUB_CLIENT_ID",
	"AUTH_GITHUB_CLIENT_SECRET",
	"GITHUB_TOKEN",
	"GITLAB_HOST",
	"GITLAB_TOKEN",
	"GITLAB_APP_GROUP",
	"GITLAB_ORG_GROUP",
	"ARGOCD_URL",
	"ARGOCD_AUTH_TOKEN",
	"K8S_CLUSTER_NAME",
	"AWS_ACCOUNT_ID",
	"AWS_REGION",
	"ECR_REGISTRY",
}

// SignInResolver is the only sign-in resolver allowed in production: a
// GitHub user signs in as the User entity whose profile e-mail matches.
const SignInResolver = "emailMatchingUserEntityProfileEmail"

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
// substitutes a variable not in env, signs in with anything but GitHub
// (guest included), sets any "dangerously…" option, uses a resolver other
// than SignInResolver, $include, plain http base URLs, or a database other
// than PostgreSQL. env is the list of variables the deployment provides;
// nil means ProductionEnv.
func CheckProduction(c Config, env []string) error {
	if env == nil {
		env = ProductionEnv
	}
	e := &Error{Why: map[string]string{}}
	for _, key := range RequiredKeys {
		v, ok := c.Get(key)
		if !ok {
			e.Missing = append(e.Missing, key)
			e.Why[key] = "missing"
			continue
		}
		if why := absent(v, env); why != "" {
			e.Missing = append(e.Missing, key)
			e.Why[key] = why
		}
	}
	required := func(key string) bool { return slices.Contains(RequiredKeys, key) }
	// set returns a value the rules below judge: one that is there and not
	// already reported missing (an empty or unresolvable value is one
	// problem, not two).
	set := func(key string) (any, bool) {
		if slices.Contains(e.Missing, key) {
			return nil, false
		}
		v, ok := c.Get(key)
		return v, ok && v != nil
	}

	if v, ok := set("auth.environment"); ok && v != "production" {
		e.Problems = append(e.Problems, fmt.Sprintf("auth.environment: is %v; production sign-in reads auth.providers.*.production only when it is \"production\"", v))
	}
	if providers, ok := c.Get("auth.providers"); ok {
		if m, ok := providers.(map[string]any); ok {
			for _, name := range sortedKeys(m) {
				switch name {
				case "github":
				case "guest":
					e.Problems = append(e.Problems, "auth.providers.guest: guest sign-in is refused in production")
				default:
					e.Problems = append(e.Problems, fmt.Sprintf("auth.providers.%s: only GitHub sign-in is allowed in production", name))
				}
			}
		}
	}
	if rs, ok := c.Get("auth.providers.github.production.signIn.resolvers"); ok {
		list, _ := rs.([]any)
		for i := range list {
			if name, ok := set(fmt.Sprintf("auth.providers.github.production.signIn.resolvers[%d].resolver", i)); ok && name != SignInResolver {
				e.Problems = append(e.Problems, fmt.Sprintf("auth.providers.github.production.signIn.resolvers[%d].resolver: %v is refused; production signs in with %s only", i, name, SignInResolver))
			}
		}
	}
	if v, ok := set("backend.database.client"); ok && v != "pg" {
		e.Problems = append(e.Problems, fmt.Sprintf("backend.database.client: %v; production needs PostgreSQL (pg): anything else loses the catalog on restart", v))
	}
	for _, key := range []string{"app.baseUrl", "backend.baseUrl"} {
		v, _ := set(key)
		if s, ok := v.(string); ok && !strings.HasPrefix(s, "${") && !strings.HasPrefix(s, "https://") {
			e.Problems = append(e.Problems, fmt.Sprintf("%s: %q must be an https:// URL in production", key, s))
		}
	}
	walk(map[string]any(c), "", func(path, key string, v any) {
		if strings.HasPrefix(key, "dangerously") {
			e.Problems = append(e.Problems, path+": dangerously… options are refused in production")
		}
		if key == "$include" {
			e.Problems = append(e.Problems, path+": $include is refused in production: the check cannot see what it adds")
		}
		if required(path) || required(strings.TrimSuffix(path, ".$env")) {
			return
		}
		for _, name := range namesAt(key, v) {
			if !slices.Contains(env, name) {
				e.Problems = append(e.Problems, fmt.Sprintf("%s: substitutes ${%s}, which the deployment does not provide", path, name))
			}
		}
	})
	return e.orNil()
}

// CheckDevelopment refuses a development config that lacks either sign-in:
// the guest provider for quick looks, and GitHub (under the config's
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
	if _, ok := c.Get("auth.providers.github." + env + ".clientId"); !ok {
		e.Problems = append(e.Problems, "auth.providers.github."+env+".clientId: development keeps GitHub sign-in")
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
		return ""
	case bool, int, int64, uint64, float64:
		return ""
	case map[string]any:
		if len(t) == 1 {
			if name, ok := t["$env"].(string); ok {
				if slices.Contains(env, name) {
					return ""
				}
				return fmt.Sprintf("$env: %s, which the deployment does not provide", name)
			}
			if path, ok := t["$file"].(string); ok && strings.TrimSpace(path) != "" {
				return ""
			}
		}
		return "is a mapping, not a value"
	case []any:
		return "is a list, not a value"
	}
	return "is not a value"
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
