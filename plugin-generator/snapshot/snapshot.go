// Package snapshot persists the last complete scan, so that a restarted
// generator answers from it at once instead of waiting minutes for a full
// scan, or failing while GitLab is down.
package snapshot

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// Version is the encoding Encode writes and Decode reads.
const Version = 1

// maxDecoded bounds what Decode inflates: the stored form is at most a
// ConfigMap (1 MiB), and a forged one must not exhaust memory.
const maxDecoded = 256 << 20

// State is one complete scan.
type State struct {
	ScannedAt time.Time // when the full scan the repos come from completed
	// PublishedAt is when the answer last changed, by that scan or by a
	// webhook's rescan since; it orders the writers. Zero means ScannedAt.
	PublishedAt time.Time
	Repos       []source.Repo
}

// order is the time a stored snapshot is ranked by.
func order(scannedAt, publishedAt time.Time) time.Time {
	if publishedAt.IsZero() {
		return scannedAt
	}
	return publishedAt
}

// Apps counts the repos that hold an app.yaml.
func (s State) Apps() int {
	n := 0
	for _, r := range s.Repos {
		if r.HasApp() {
			n++
		}
	}
	return n
}

// doc is the stored document. Version and scannedAt keep their names and
// meaning in every version: replicas of different versions order their
// snapshots by them.
type doc struct {
	Version     int        `json:"version"`
	ScannedAt   time.Time  `json:"scannedAt"`
	PublishedAt time.Time  `json:"publishedAt,omitzero"`
	Repos       []wireRepo `json:"repos"`
}

// header is a doc of any version, its repos left undecoded.
type header struct {
	Version     int             `json:"version"`
	ScannedAt   time.Time       `json:"scannedAt"`
	PublishedAt time.Time       `json:"publishedAt,omitzero"`
	Repos       json.RawMessage `json:"repos"`
}

// Encode returns s as gzip-compressed JSON. It fails on a string that is
// not UTF-8 (JSON would silently replace it) and on a time outside years
// 0-9999.
func Encode(s State) ([]byte, error) {
	w, err := toWireRepos(s.Repos)
	if err != nil {
		return nil, err
	}
	return encode(s, w)
}

func toWireRepos(repos []source.Repo) ([]wireRepo, error) {
	if repos == nil {
		return nil, nil
	}
	w := make([]wireRepo, len(repos))
	for i, r := range repos {
		var err error
		if w[i], err = toWire(r); err != nil {
			return nil, fmt.Errorf("snapshot: project %d: %w", r.ID, err)
		}
	}
	return w, nil
}

func encode(s State, repos []wireRepo) ([]byte, error) {
	b, err := json.Marshal(doc{Version: Version, ScannedAt: s.ScannedAt, PublishedAt: s.PublishedAt, Repos: repos})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads what Encode wrote. Corrupt data and an unknown version are
// errors: the caller logs them and goes on as if there were no snapshot.
func Decode(data []byte) (*State, error) {
	h, err := decodeHeader(data)
	if err != nil {
		return nil, err
	}
	if h.Version != Version {
		return nil, fmt.Errorf("snapshot: version %d, this generator reads %d", h.Version, Version)
	}
	var w []wireRepo
	if err := json.Unmarshal(h.Repos, &w); err != nil {
		return nil, fmt.Errorf("snapshot: corrupt repos: %w", err)
	}
	s := &State{ScannedAt: h.ScannedAt, PublishedAt: h.PublishedAt}
	if w != nil {
		s.Repos = make([]source.Repo, len(w))
	}
	for i, r := range w {
		if s.Repos[i], err = r.repo(); err != nil {
			return nil, fmt.Errorf("snapshot: corrupt project %d: %w", r.ID, err)
		}
	}
	return s, nil
}

// decodeHeader reads the document of any version.
func decodeHeader(data []byte) (header, error) {
	var h header
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return h, fmt.Errorf("snapshot: corrupt: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil {
		return h, fmt.Errorf("snapshot: corrupt: %w", err)
	}
	if len(b) > maxDecoded {
		return h, fmt.Errorf("snapshot: corrupt: inflates beyond %d bytes", maxDecoded)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("snapshot: corrupt: %w", err)
	}
	if h.Version == 0 {
		return h, errors.New("snapshot: corrupt: no version")
	}
	return h, nil
}
