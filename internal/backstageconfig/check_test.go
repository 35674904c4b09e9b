package backstageconfig

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// tb is what both *testing.T and *rapid.T provide.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func loadFile(t tb, files ...string) Config {
	t.Helper()
	c, err := Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func refusal(t tb, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *backstageconfig.Error", err)
	}
	return e
}

func TestShippedConfigs(t *testing.T) {
	prod := loadFile(t, productionFile)
	if err := CheckProduction(prod, nil); err != nil {
		t.Fatalf("%s: %v", productionFile, err)
	}
	dev := loadFile(t, developmentFile)
	if err := CheckDevelopment(dev); err != nil {
		t.Fatalf("%s: %v", developmentFile, err)
	}
	// Each is refused in the other's role.
	if err := CheckDevelopment(prod); err == nil {
		t.Error("the production config passes as a development one: it has no guest")
	}
	e := refusal(t, CheckProduction(dev, nil))
	if !slices.Contains(e.Problems, "auth.providers.guest: guest sign-in is refused in production") {
		t.Errorf("the development config's guest sign-in is not named: %v", e)
	}
	// Every variable production substitutes is one the Deployment sets, and
	// the Deployment sets none the config does not use.
	used := slices.Sorted(maps.Keys(Substitutions(prod)))
	if want := slices.Sorted(slices.Values(ProductionEnv)); !slices.Equal(used, want) {
		t.Errorf("substituted %v\nProductionEnv %v", used, want)
	}
	if v, _ := prod.Get("catalog.locations[0].target"); v != "https://github.com/vibe-coder-biz/idp/blob/main/templates/nodejs-service/template.yaml" {
		t.Errorf("the nodejs-service template is not the first catalog location: %v", v)
	}
}

// TestCheckProductionRefuses: one broken production config per rule, each
// refused with a message naming the key.
func TestCheckProductionRefuses(t *testing.T) {
	cases := map[string]struct {
		edit func(Config)
		want string
	}{
		"guest provider": {func(c Config) { set(c, "auth.providers.guest", map[string]any{}) }, "auth.providers.guest: guest sign-in is refused"},
		"other provider": {func(c Config) { set(c, "auth.providers.google", map[string]any{}) }, "auth.providers.google: only GitLab"},
		"GitHub sign-in": {func(c Config) { set(c, "auth.providers.github", githubEmailSignIn()) }, "auth.providers.github: only GitLab sign-in"},
		"GitHub e-mail resolver": {func(c Config) { set(c, "auth.providers.github", githubEmailSignIn()) },
			"auth.providers.github.production.signIn.resolvers[0].resolver: emailMatchingUserEntityProfileEmail is refused"},
		"e-mail resolver on GitLab": {func(c Config) {
			set(c, "auth.providers.gitlab.production.signIn.resolvers", []any{map[string]any{"resolver": "emailMatchingUserEntityProfileEmail"}})
		}, "auth.providers.gitlab.production.signIn.resolvers[0].resolver: emailMatchingUserEntityProfileEmail is refused"},
		"guest outside development": {func(c Config) {
			set(c, "auth.providers.guest", map[string]any{"dangerouslyAllowOutsideDevelopment": true})
		}, "auth.providers.guest.dangerouslyAllowOutsideDevelopment: dangerously"},
		"sign-in without a catalog user": {func(c Config) {
			set(c, "auth.providers.gitlab.production.signIn.resolvers", []any{map[string]any{"resolver": "usernameMatchingUserEntityName", "dangerouslyAllowSignInWithoutUserInCatalog": true}})
		}, "dangerouslyAllowSignInWithoutUserInCatalog: dangerously"},
		"other resolver": {func(c Config) {
			set(c, "auth.providers.gitlab.production.signIn.resolvers", []any{map[string]any{"resolver": "userIdMatchingUserEntityAnnotation"}})
		}, "resolvers[0].resolver: userIdMatchingUserEntityAnnotation is refused"},
		"second resolver": {func(c Config) {
			set(c, "auth.providers.gitlab.production.signIn.resolvers[1]", map[string]any{"resolver": "emailLocalPartMatchingUserEntityName"})
		}, "resolvers[1].resolver: emailLocalPartMatchingUserEntityName is refused"},
		"sign-in at another GitLab": {func(c Config) { set(c, "auth.providers.gitlab.production.audience", "https://gitlab.com") },
			`auth.providers.gitlab.production.audience: "https://gitlab.com" is not https:// + integrations.gitlab[0].host (${GITLAB_HOST})`},
		"users from another GitLab": {func(c Config) { set(c, "catalog.providers.gitlab.org.host", "gitlab.com") },
			`catalog.providers.gitlab.org.host: "gitlab.com" is not integrations.gitlab[0].host (${GITLAB_HOST})`},
		"no user ingestion": {func(c Config) { set(c, "catalog.providers.gitlab.org.orgEnabled", false) },
			"catalog.providers.gitlab.org.orgEnabled: must be true"},
		"no GitLab sign-in at all": {func(c Config) { c.Delete("auth.providers.gitlab") }, "auth.providers.gitlab.production.clientId: missing"},
		"no grafana":               {func(c Config) { c.Delete("grafana") }, "grafana.hosts[0].domain: missing"},
		"no grafana proxy":         {func(c Config) { c.Delete("proxy.endpoints./grafana/api") }, "proxy.endpoints./grafana/api.target: missing"},
		"grafana proxy path without an endpoint": {func(c Config) { set(c, "grafana.hosts[0].proxyPath", "/grafana-cloud/api") },
			"grafana.hosts[0].proxyPath: /grafana-cloud/api has no proxy.endpoints entry"},
		"grafana proxy to another stack": {func(c Config) { set(c, "proxy.endpoints./grafana/api.target", "https://other.grafana.net") },
			`proxy.endpoints./grafana/api.target: "https://other.grafana.net" is not grafana.hosts[0].domain`},
		"unauthenticated proxy": {func(c Config) { set(c, GrafanaProxy+".credentials", "dangerously-allow-unauthenticated") },
			"proxy.endpoints./grafana/api.credentials: dangerously-allow-unauthenticated is refused"},
		"literal grafana token": {func(c Config) { set(c, "proxy.endpoints./grafana/api.headers.Authorization", "Bearer glsa_literal") },
			"proxy.endpoints./grafana/api.headers.Authorization: a literal credential is refused"},
		"development environment": {func(c Config) { set(c, "auth.environment", "development") }, "auth.environment: is development"},
		"sqlite":                  {func(c Config) { set(c, "backend.database.client", "better-sqlite3") }, "backend.database.client: better-sqlite3"},
		"http base URL":           {func(c Config) { set(c, "app.baseUrl", "http://backstage.example.com") }, `app.baseUrl: "http://backstage.example.com" must be an https:// URL`},
		"include":                 {func(c Config) { set(c, "proxy", map[string]any{"$include": "proxy.yaml"}) }, "proxy.$include: $include is refused"},
		"undeclared variable elsewhere": {func(c Config) { set(c, "organization.name", "${ORG_NAME}") },
			"organization.name: substitutes ${ORG_NAME}, which the deployment does not provide"},
		"undeclared $env elsewhere": {func(c Config) { set(c, "organization.name", map[string]any{"$env": "ORG_NAME"}) },
			"organization.name.$env: substitutes ${ORG_NAME}"},
		"undeclared variable in a required key": {func(c Config) { set(c, "integrations.gitlab[0].token", "${GITLAB_PAT}") },
			"integrations.gitlab[0].token: substitutes ${GITLAB_PAT}, which the deployment does not provide"},
		"empty required key": {func(c Config) { set(c, "idp.baseDomain", "  ") }, "idp.baseDomain: empty"},
		"null required key":  {func(c Config) { set(c, "idp.ecrRegistry", nil) }, "idp.ecrRegistry: empty"},
		"scaffolds at another GitLab": {func(c Config) { set(c, "idp.gitlab.host", "gitlab.com") },
			`idp.gitlab.host: "gitlab.com" is not integrations.gitlab[0].host (${GITLAB_HOST})`},
		"scaffolds where the catalog does not look": {func(c Config) { set(c, "idp.gitlab.appGroup", "other") },
			`idp.gitlab.appGroup: "other" is not catalog.providers.gitlab.apps.group (${GITLAB_APP_GROUP})`},
		"links to another Argo CD": {func(c Config) { set(c, "idp.argocdUrl", "https://argocd.other.example") },
			`idp.argocdUrl: "https://argocd.other.example" is not argocd.baseUrl (${ARGOCD_URL})`},
		"no GitLab list": {func(c Config) { set(c, "integrations.gitlab", []any{}) }, "integrations.gitlab[0].host: missing"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := loadFile(t, productionFile)
			tc.edit(c)
			err := CheckProduction(c, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant one containing %q", err, tc.want)
			}
		})
	}
}

func TestCheckProductionAccepts(t *testing.T) {
	cases := map[string]func(Config){
		"escaped literal":    func(c Config) { set(c, "organization.name", "$${NOT_A_VARIABLE}") },
		"$env of a declared": func(c Config) { set(c, "idp.baseDomain", map[string]any{"$env": "BASE_DOMAIN"}) },
		"$file": func(c Config) {
			set(c, "integrations.gitlab[0].token", map[string]any{"$file": "/var/run/gitlab/token"})
		},
		"literal values":        func(c Config) { set(c, "idp.baseDomain", "apps.example.com") },
		"number":                func(c Config) { set(c, "backend.database.connection.port", 5432) },
		"second GitLab host":    func(c Config) { set(c, "integrations.gitlab[1]", nil) },
		"fully substituted URL": func(c Config) { set(c, "app.baseUrl", "${BACKSTAGE_HOST}") },
		// Types are Backstage's check (hack/check-backstage-config.sh).
		"mapping where a value goes": func(c Config) { set(c, "idp.ecrRegistry", map[string]any{"a": 1}) },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			c := loadFile(t, productionFile)
			edit(c)
			if err := CheckProduction(c, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A base app-config.yaml with guest sign-in (what `npx @backstage/create-app`
// writes) merged under ours keeps the guest: merging cannot remove a key.
// That is why the Deployment passes our file as its only --config.
func TestGuestInABaseFileSurvivesTheMerge(t *testing.T) {
	base, err := Parse([]byte("auth:\n  providers:\n    guest: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	merged := Merge(base, loadFile(t, productionFile))
	e := refusal(t, CheckProduction(merged, nil))
	if !slices.Contains(e.Problems, "auth.providers.guest: guest sign-in is refused in production") {
		t.Fatalf("guest from the base file not refused: %v", e)
	}
}

// breakings are the ways a required key goes missing.
var breakings = []func(Config, string){
	func(c Config, k string) { c.Delete(k) },
	func(c Config, k string) { set(c, k, "") },
	func(c Config, k string) { set(c, k, nil) },
	func(c Config, k string) {
		set(c, k, "${UNDECLARED_"+strings.ToUpper(strings.NewReplacer(".", "_", "[", "_", "]", "").Replace(k))+"}")
	},
	func(c Config, k string) { set(c, k, map[string]any{"$env": "NOT_PROVIDED"}) },
}

// TestPropertyEveryIncompleteSubsetRefused: draw any non-empty subset of
// the required keys and break each (delete it, empty it, null it, or make
// it substitute an undeclared variable): the check refuses the config and
// names exactly those keys as missing, in RequiredKeys order, and nothing
// else.
func TestPropertyEveryIncompleteSubsetRefused(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := loadFile(t, productionFile)
		idx := rapid.SliceOfNDistinct(rapid.IntRange(0, len(RequiredKeys)-1), 1, len(RequiredKeys), rapid.ID[int]).Draw(t, "keys")
		slices.Sort(idx)
		var want []string
		for _, i := range idx {
			key := RequiredKeys[i]
			breakings[rapid.IntRange(0, len(breakings)-1).Draw(t, "how")](c, key)
			want = append(want, key)
		}
		e := refusal(t, CheckProduction(c, nil))
		if !slices.Equal(e.Missing, want) {
			t.Fatalf("missing %v\nwant    %v", e.Missing, want)
		}
		if len(e.Problems) != 0 {
			t.Fatalf("unexpected problems besides the missing keys: %v", e.Problems)
		}
		for _, k := range want {
			if !strings.Contains(e.Error(), "\n  "+k+": ") {
				t.Fatalf("the message does not name %s:\n%v", k, e)
			}
		}
	})
}

var otherProviders = []string{"guest", "google", "github", "microsoft", "okta", "oidc", "oauth2Proxy"}

// githubEmailSignIn is the sign-in production used to have: GitHub, matching
// the User entity by e-mail, which gitlab.com hides for most users.
func githubEmailSignIn() map[string]any {
	return map[string]any{"production": map[string]any{
		"clientId": "github-client-id", "clientSecret": "github-client-secret",
		"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "emailMatchingUserEntityProfileEmail"}}},
	}}
}

// TestPropertyProductionSignInIsGitLabOnly: add any set of other sign-in
// providers, maybe drop GitLab, maybe put a dangerously… option anywhere:
// the check accepts exactly when GitLab is the only provider and nothing is
// dangerous, and then guest is never there.
func TestPropertyProductionSignInIsGitLabOnly(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := loadFile(t, productionFile)
		extra := rapid.SliceOfDistinct(rapid.SampledFrom(otherProviders), rapid.ID[string]).Draw(t, "providers")
		for _, p := range extra {
			set(c, "auth.providers."+p, map[string]any{"production": map[string]any{"clientId": "x"}})
		}
		dropGitLab := rapid.Bool().Draw(t, "dropGitLab")
		if dropGitLab {
			c.Delete("auth.providers.gitlab")
		}
		dangerous := rapid.Bool().Draw(t, "dangerous")
		if dangerous {
			at := rapid.SampledFrom(mappingPaths(c)).Draw(t, "at")
			name := rapid.SampledFrom([]string{"dangerouslyAllowOutsideDevelopment", "dangerouslyAllowSignInWithoutUserInCatalog", "dangerouslyDisableDefaultAuthPolicy"}).Draw(t, "option")
			set(c, joinPath(at, name), rapid.Bool().Draw(t, "value"))
		}
		err := CheckProduction(c, nil)
		wantOK := len(extra) == 0 && !dropGitLab && !dangerous
		if (err == nil) != wantOK {
			t.Fatalf("err = %v, want accepted = %v", err, wantOK)
		}
		if err == nil {
			providers, _ := c.Get("auth.providers")
			if keys := slices.Sorted(maps.Keys(providers.(map[string]any))); !slices.Equal(keys, []string{"gitlab"}) {
				t.Fatalf("accepted with providers %v", keys)
			}
			return
		}
		e := refusal(t, err)
		if slices.Contains(extra, "guest") && !slices.Contains(e.Problems, "auth.providers.guest: guest sign-in is refused in production") {
			t.Fatalf("guest not named: %v", e)
		}
	})
}

// TestPropertyDevelopmentHasBoth: a development config passes exactly when
// it keeps both guest and GitLab sign-in, whatever other providers it has.
func TestPropertyDevelopmentHasBoth(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := loadFile(t, developmentFile)
		for _, p := range rapid.SliceOfDistinct(rapid.SampledFrom(otherProviders[1:]), rapid.ID[string]).Draw(t, "others") {
			set(c, "auth.providers."+p, map[string]any{})
		}
		keepGuest, keepGitLab := rapid.Bool().Draw(t, "guest"), rapid.Bool().Draw(t, "gitlab")
		if !keepGuest {
			c.Delete("auth.providers.guest")
		}
		if !keepGitLab {
			c.Delete("auth.providers.gitlab")
		}
		err := CheckDevelopment(c)
		if (err == nil) != (keepGuest && keepGitLab) {
			t.Fatalf("guest %v, gitlab %v: err = %v", keepGuest, keepGitLab, err)
		}
	})
}

// TestPropertySubstitutionRule: a required value built from literal text,
// ${NAME}, ${NAME:-fallback} and escaped $${NAME} parts counts as present
// exactly when every name it really substitutes is a declared one.
func TestPropertySubstitutionRule(t *testing.T) {
	names := []string{"A", "B_1", "HOST", "TOKEN", "X"}
	rapid.Check(t, func(t *rapid.T) {
		declared := rapid.SliceOfDistinct(rapid.SampledFrom(names), rapid.ID[string]).Draw(t, "declared")
		var b strings.Builder
		ok, nonEmpty := true, false
		for range rapid.IntRange(1, 5).Draw(t, "parts") {
			name := rapid.SampledFrom(names).Draw(t, "name")
			switch rapid.IntRange(0, 3).Draw(t, "form") {
			case 0:
				b.WriteString(rapid.StringMatching(`[a-z:/.-]{1,8}`).Draw(t, "text"))
				nonEmpty = true
			case 1:
				b.WriteString("${" + name + "}")
				ok, nonEmpty = ok && slices.Contains(declared, name), true
			case 2:
				b.WriteString("${" + name + ":-fallback}")
				ok, nonEmpty = ok && slices.Contains(declared, name), true
			case 3:
				b.WriteString("$${" + name + "}")
				nonEmpty = true
			}
		}
		c := loadFile(t, productionFile)
		set(c, "idp.baseDomain", b.String())
		env := append(slices.Clone(declared), slices.DeleteFunc(slices.Clone(ProductionEnv), func(n string) bool { return n == "BASE_DOMAIN" })...)
		err := CheckProduction(c, env)
		if (err == nil) != (ok && nonEmpty) {
			t.Fatalf("value %q, declared %v: err = %v", b.String(), declared, err)
		}
		if err != nil {
			if e := refusal(t, err); !slices.Equal(e.Missing, []string{"idp.baseDomain"}) {
				t.Fatalf("missing %v, want only idp.baseDomain", e.Missing)
			}
		}
	})
}

// set writes v at path, creating mappings and growing lists on the way.
func set(c Config, path string, v any) {
	steps, err := parsePath(path)
	if err != nil {
		panic(err)
	}
	var parent any = map[string]any(c)
	assign := func(container any, s step, val any) any {
		switch x := container.(type) {
		case map[string]any:
			x[s.key] = val
			return x
		case []any:
			for len(x) <= s.index {
				x = append(x, nil)
			}
			x[s.index] = val
			return x
		}
		panic(fmt.Sprintf("cannot set %s", path))
	}
	get := func(container any, s step) any {
		switch x := container.(type) {
		case map[string]any:
			return x[s.key]
		case []any:
			if s.index < len(x) {
				return x[s.index]
			}
		}
		return nil
	}
	var chain []any
	for i, s := range steps {
		chain = append(chain, parent)
		if i == len(steps)-1 {
			break
		}
		next := get(parent, s)
		if next == nil || reflect.TypeOf(next).Kind() != reflect.Map && reflect.TypeOf(next).Kind() != reflect.Slice {
			if steps[i+1].index >= 0 {
				next = []any{}
			} else {
				next = map[string]any{}
			}
		}
		parent = next
	}
	// Assign bottom-up: appending to a list may give a new slice.
	val := v
	for i := len(steps) - 1; i >= 0; i-- {
		val = assign(chain[i], steps[i], val)
	}
}

func mappingPaths(c Config) []string {
	paths := []string{""}
	walk(map[string]any(c), "", func(path, _ string, v any) {
		if _, ok := v.(map[string]any); ok {
			paths = append(paths, path)
		}
	})
	return paths
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
