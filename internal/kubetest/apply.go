package kubetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

const fieldManager = "idp-test"

// Decode splits a multi-document YAML or JSON stream into objects.
func Decode(data []byte) ([]*unstructured.Unstructured, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(u.Object) > 0 {
			out = append(out, &u)
		}
	}
}

// InstallCRDs applies every *.yaml in dir and waits until each CRD is
// Established.
func (s *Server) InstallCRDs(t testing.TB, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in %s: %v", dir, err)
	}
	ctx := context.Background()
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, o := range objs {
			if o.GetKind() != "CustomResourceDefinition" {
				continue
			}
			if err := s.Apply(ctx, o, false); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			names = append(names, o.GetName())
		}
	}
	crds := s.dynamic().Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			u, err := crds.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				m, _ := c.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatalf("CRD %s not established: %v", name, err)
		}
	}
	s.mapper().Reset()
}

// Apply server-side applies obj with strict field validation: an unknown or
// duplicate field is an error, as kubectl apply --server-side reports it.
func (s *Server) Apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) error {
	ri, err := s.resource(obj.GroupVersionKind())
	if err != nil {
		return err
	}
	body, err := obj.MarshalJSON()
	if err != nil {
		return err
	}
	opts := metav1.PatchOptions{FieldManager: fieldManager, Force: ptr(true), FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err = ri(obj.GetNamespace()).Patch(ctx, obj.GetName(), types.ApplyPatchType, body, opts)
	return err
}

// Resource returns a client for any resource, namespaced or not.
func (s *Server) Resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, error) {
	ri, err := s.resource(gvk)
	if err != nil {
		return nil, err
	}
	return ri(namespace), nil
}

func (s *Server) resource(gvk schema.GroupVersionKind) (func(string) dynamic.ResourceInterface, error) {
	m, err := s.mapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		s.mapper().Reset()
		m, err = s.mapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, err
	}
	nri := s.dynamic().Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameRoot {
		return func(string) dynamic.ResourceInterface { return nri }, nil
	}
	return func(ns string) dynamic.ResourceInterface { return nri.Namespace(ns) }, nil
}

func (s *Server) dynamic() dynamic.Interface { return s.dyn }

func (s *Server) mapper() *restmapper.DeferredDiscoveryRESTMapper { return s.restMapper }

func ptr[T any](v T) *T { return &v }
