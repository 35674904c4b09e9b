package backstageconfig

import (
	"fmt"
	"strings"
)

// signIn: production signs in at GitLab only, through SignInResolver only,
// at the GitLab whose users the org provider ingests (so every User it
// matches is one the catalog has).
func (k *checker) signIn() {
	if v, ok := k.set("auth.environment"); ok && v != "production" {
		k.problem("auth.environment: is %v; production sign-in reads auth.providers.*.production only when it is \"production\"", v)
	}
	providers, _ := get[map[string]any](k.c, "auth.providers")
	for _, name := range sortedKeys(providers) {
		switch name {
		case "gitlab":
		case "guest":
			k.problem("auth.providers.guest: guest sign-in is refused in production")
		default:
			k.problem("auth.providers.%s: only GitLab sign-in is allowed in production", name)
		}
		k.resolvers("auth.providers." + name + ".production.signIn.resolvers")
	}
	host, hostOK := k.set("integrations.gitlab[0].host")
	if !hostOK {
		return
	}
	if v, ok := k.set("auth.providers.gitlab.production.audience"); ok && v != fmt.Sprintf("https://%v", host) {
		k.problem("auth.providers.gitlab.production.audience: %q is not https:// + integrations.gitlab[0].host (%v): users would sign in at another GitLab than the one the catalog reads", v, host)
	}
	if v, ok := k.set("catalog.providers.gitlab.org.host"); ok && v != host {
		k.problem("catalog.providers.gitlab.org.host: %q is not integrations.gitlab[0].host (%v): sign-in would match users of another GitLab", v, host)
	}
	if v, ok := k.set("catalog.providers.gitlab.org.orgEnabled"); ok && v != true {
		k.problem("catalog.providers.gitlab.org.orgEnabled: must be true: sign-in needs the User entities it ingests")
	}
}

// resolvers refuses every resolver in the list at key but SignInResolver.
func (k *checker) resolvers(key string) {
	list, _ := get[[]any](k.c, key)
	for i := range list {
		at := fmt.Sprintf("%s[%d].resolver", key, i)
		name, ok := k.set(at)
		switch {
		case !ok || name == SignInResolver:
		case strings.Contains(strings.ToLower(fmt.Sprint(name)), "email"):
			k.problem("%s: %v is refused: gitlab.com shows most users' e-mail to no one, so most people would match no User; production signs in with %s only", at, name, SignInResolver)
		default:
			k.problem("%s: %v is refused; production signs in with %s only", at, name, SignInResolver)
		}
	}
}
