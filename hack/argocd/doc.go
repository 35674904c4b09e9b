// Package argocd holds the tests that run the project against Argo CD's own
// code: its cmp-server and repo-server manifest generation, its types, and
// its ApplicationSet plugin client. Argo CD forces replace directives on its
// importers, so these tests live in this nested module and the product
// module stays go-installable.
package argocd
