package render

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// YAML writes objects as one multi-document YAML stream, fields in the
// order of the Kubernetes types, empty status and timestamps dropped, so
// equal input gives equal bytes. Each object becomes the YAML nodes of its
// JSON encoding (see walker), written as block YAML. Two workers share the
// objects, as a render is short enough for its latency to count, and the
// documents are joined in order.
func YAML(objs []Object) ([]byte, error) {
	docs := make([][]byte, len(objs))
	errs := make([]error, len(objs))
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func() {
		defer wg.Done()
		var w walker
		// One buffer a worker: the documents are slices of it.
		buf := bytes.NewBuffer(make([]byte, 0, 16<<10))
		for i := int(next.Add(1) - 1); i < len(objs); i = int(next.Add(1) - 1) {
			start := buf.Len()
			errs[i] = document(buf, &w, objs[i])
			docs[i] = buf.Bytes()[start:]
		}
	}
	// Two: a render is a dozen documents of uneven size, and more workers
	// would mostly repeat each other's type analysis.
	workers := min(2, runtime.GOMAXPROCS(0), len(objs))
	wg.Add(workers)
	for range workers - 1 {
		go work()
	}
	if workers > 0 {
		work()
	}
	wg.Wait()
	size := 0
	for i, doc := range docs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		size += len(doc)
	}
	out := make([]byte, 0, size)
	for _, doc := range docs {
		out = append(out, doc...)
	}
	return out, nil
}

// document appends one object's YAML document to buf. Every document opens
// with "---", so streams concatenate safely.
func document(buf *bytes.Buffer, w *walker, o Object) error {
	root, err := w.object(o)
	if err != nil {
		return err
	}
	apiVersionFirst(root)
	drop(root, "status")
	if md := value(root, "metadata"); md != nil {
		drop(md, "creationTimestamp")
	}
	if spec := value(root, "spec"); spec != nil && len(spec.Content) == 0 {
		drop(root, "spec")
	}
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return err
	}
	return enc.Close()
}

// apiVersionFirst puts apiVersion before kind, as every Kubernetes
// manifest reads (TypeMeta declares them the other way round).
func apiVersionFirst(m *yaml.Node) {
	if len(m.Content) >= 4 && m.Content[0].Value == "kind" && m.Content[2].Value == "apiVersion" {
		m.Content[0], m.Content[1], m.Content[2], m.Content[3] = m.Content[2], m.Content[3], m.Content[0], m.Content[1]
	}
}

func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func drop(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
