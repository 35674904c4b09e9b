package backstageconfig

import (
	"fmt"
	"strings"
)

// defaultGrafanaProxyPath is where the Grafana plugin sends its requests
// when a host sets no proxyPath.
const defaultGrafanaProxyPath = "/grafana/api"

// secretHeaders are the proxy headers Backstage's proxy schema marks secret.
var secretHeaders = []string{"Authorization", "authorization", "X-Api-Key", "x-api-key"}

// grafana: each Grafana host's proxy path has a proxy endpoint, that
// endpoint reaches the host's own domain (the cards link to the stack they
// list), and no proxy endpoint carries a literal credential.
func (k *checker) grafana() {
	endpoints, _ := get[map[string]any](k.c, "proxy.endpoints")
	hosts, _ := get[[]any](k.c, "grafana.hosts")
	for i := range hosts {
		at := fmt.Sprintf("grafana.hosts[%d]", i)
		path := defaultGrafanaProxyPath
		if p, ok := get[string](k.c, at+".proxyPath"); ok {
			path = p
			if _, ok := endpoints[p]; !ok {
				k.problem("%s.proxyPath: %s has no proxy.endpoints entry: the plugin's requests would reach nothing", at, p)
				continue
			}
		}
		domain, ok := k.set(at + ".domain")
		target, tok := k.set("proxy.endpoints." + path + ".target")
		if ok && tok && strings.TrimSuffix(fmt.Sprint(target), "/") != strings.TrimSuffix(fmt.Sprint(domain), "/") {
			k.problem("proxy.endpoints.%s.target: %q is not %s.domain (%v): the cards would list one Grafana and link to another", path, target, at, domain)
		}
	}
	for _, name := range sortedKeys(endpoints) {
		for _, h := range secretHeaders {
			key := "proxy.endpoints." + name + ".headers." + h
			v, _ := k.set(key)
			if s, ok := v.(string); ok && len(substitutedNames(s)) == 0 {
				k.problem("%s: a literal credential is refused: it would sit in the ConfigMap; substitute a variable from the backstage-secrets Secret", key)
			}
		}
	}
}
