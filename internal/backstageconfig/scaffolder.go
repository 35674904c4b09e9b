package backstageconfig

// scaffolder: the golden path's actions (the idp key) create projects where
// the rest of Backstage looks: on the GitLab of the integration whose token
// they publish with, in the group the catalog discovers apps in, and link
// to the Argo CD the plugin reads.
func (k *checker) scaffolder() {
	same := func(key, other, why string) {
		v, ok := k.set(key)
		w, wok := k.set(other)
		if ok && wok && v != w {
			k.problem("%s: %q is not %s (%v): %s", key, v, other, w, why)
		}
	}
	same("idp.gitlab.host", "integrations.gitlab[0].host", "scaffolds would publish where the integration's token does not reach")
	same("idp.gitlab.appGroup", "catalog.providers.gitlab.apps.group", "the catalog would not discover the apps it creates")
	same("idp.argocdUrl", "argocd.baseUrl", "the apps' links would open another Argo CD than the plugin reads")
}
