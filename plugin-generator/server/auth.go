package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
	"sync"
	"time"
)

// Secret is a token read from a mounted file and re-read when the file
// changes, so rotating the Kubernetes Secret needs no restart.
type Secret struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	digest  [sha256.Size]byte
	err     error
}

// NewSecret reads path once; a missing or empty file is an error at start.
func NewSecret(path string) (*Secret, error) {
	s := &Secret{path: path}
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Equal compares presented with the current token in constant time:
// comparing digests hides the token's length as well as its bytes.
func (s *Secret) Equal(presented string) bool {
	digest, err := s.current()
	if err != nil || presented == "" {
		return false
	}
	got := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(got[:], digest[:]) == 1
}

func (s *Secret) current() ([sha256.Size]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if info, err := os.Stat(s.path); err == nil && (!info.ModTime().Equal(s.modTime) || info.Size() != s.size) {
		s.reloadLocked()
	}
	return s.digest, s.err
}

func (s *Secret) reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reloadLocked()
	return s.err
}

// reloadLocked keeps the previous token if the new file is unreadable or
// empty: a half-written rotation must not lock Argo CD out.
func (s *Secret) reloadLocked() {
	info, err := os.Stat(s.path)
	if err != nil {
		s.setErr(fmt.Errorf("token file %s: %w", s.path, err))
		return
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		s.setErr(fmt.Errorf("token file %s: %w", s.path, err))
		return
	}
	tok := bytes.TrimSpace(data)
	if len(tok) == 0 {
		s.setErr(fmt.Errorf("token file %s is empty", s.path))
		return
	}
	s.digest, s.err = sha256.Sum256(tok), nil
	s.modTime, s.size = info.ModTime(), info.Size()
}

func (s *Secret) setErr(err error) {
	if s.digest == ([sha256.Size]byte{}) {
		s.err = err
	}
}
