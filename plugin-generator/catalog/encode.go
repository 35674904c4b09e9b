package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"sync"
)

// maxCachedAnswers bounds the answers kept per snapshot: one per distinct
// input.parameters, and a platform has a handful of ApplicationSets.
const maxCachedAnswers = 64

// answers caches encoded getparams answers for one snapshot, which never
// changes once published: at 10,000 apps an answer is megabytes of JSON,
// and encoding it per request would dominate latency.
type answers struct {
	mu    sync.Mutex
	byKey map[string]*Answer
}

// Answer is one encoded {"output":{"parameters":[...]}} body, plain and
// gzip-compressed: Go's HTTP client (Argo CD's) asks for gzip by itself, and
// at 10,000 apps that shrinks megabytes to a few hundred kilobytes.
type Answer struct {
	JSON []byte
	Gzip []byte
}

// Answer returns the encoded body for the apps matching filters.
func (s *Snapshot) Answer(filters map[string]any) (*Answer, error) {
	if filters == nil {
		filters = map[string]any{} // absent and empty input mean the same
	}
	key, err := json.Marshal(filters) // maps marshal with sorted keys
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	body, ok := s.cache.byKey[string(key)]
	s.cache.mu.Unlock()
	if ok {
		return body, nil
	}
	params, err := s.Select(filters)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Output struct {
			Parameters []Params `json:"parameters"`
		} `json:"output"`
	}
	resp.Output.Parameters = params
	if body, err = encode(resp); err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.byKey == nil || len(s.cache.byKey) >= maxCachedAnswers {
		s.cache.byKey = map[string]*Answer{}
	}
	s.cache.byKey[string(key)] = body
	return body, nil
}

func encode(v any) (*Answer, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level cannot fail
	if _, err := zw.Write(plain); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &Answer{JSON: plain, Gzip: buf.Bytes()}, nil
}
