// Package manifesttest builds the project's kustomize bases the way
// `kubectl apply -k` does and checks what they contain, so every manifest
// test reads the same objects a platform team applies.
package manifesttest

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// Build runs kustomize on dir (a directory holding kustomization.yaml) and
// returns its objects in output order.
func Build(t testing.TB, dir string) []*unstructured.Unstructured {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kubetest.Decode(out)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return objs
}

// Find returns the object of kind and name, failing the test if absent.
func Find(t testing.TB, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s among %d objects", kind, name, len(objs))
	return nil
}
