//go:build tools

package argocd

// The all-in-one Argo CD binary that hack/tools/argocd.sh builds for the
// end-to-end test; importing it here keeps its dependencies in go.sum.
import _ "github.com/argoproj/argo-cd/v3/cmd"
