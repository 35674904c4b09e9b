package awsfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Staging labels Secrets Manager moves by itself when a value is put.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
)

// Version identifies one version of a secret, as returned by PutSecret.
type Version struct {
	ARN       string `json:"ARN"`
	Name      string `json:"Name"`
	VersionID string `json:"VersionId"`
}

// SecretInfo is a snapshot of a secret held by the fake.
type SecretInfo struct {
	ARN               string            `json:"arn"`
	Name              string            `json:"name"`
	CurrentVersion    string            `json:"current_version,omitempty"` // "" for a secret without a value
	Versions          int               `json:"versions"`
	MarkedForDeletion bool              `json:"marked_for_deletion,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
}

type secret struct {
	name, arn    string
	description  string
	tags         map[string]string
	created      time.Time
	lastChanged  time.Time
	lastAccessed time.Time // day granularity, as AWS reports it
	deleted      time.Time // zero unless scheduled for deletion
	versions     map[string]*version
	stages       map[string]string // label → version ID
}

type version struct {
	id      string
	str     *string
	bin     []byte
	created time.Time
}

// current returns the AWSCURRENT version, nil for a secret created without
// a value (as terraform/modules/secrets creates them).
func (s *secret) current() *version { return s.versions[s.stages[stageCurrent]] }

// labels lists the staging labels attached to a version.
func (s *secret) labels(id string) []string {
	var out []string
	for l, v := range s.stages {
		if v == id {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

func (s *secret) info() SecretInfo {
	return SecretInfo{
		ARN: s.arn, Name: s.name, CurrentVersion: s.stages[stageCurrent], Versions: len(s.versions),
		MarkedForDeletion: !s.deleted.IsZero(), Tags: maps.Clone(s.tags),
	}
}

// PutSecret stores value as the new AWSCURRENT version of the secret name,
// creating the secret if needed, as PutSecretValue (or CreateSecret) does.
// The version it replaces becomes AWSPREVIOUS.
func (f *Fake) PutSecret(name, value string) Version {
	return f.putVersion(name, &value, nil)
}

// PutSecretBinary is PutSecret for a SecretBinary value.
func (f *Fake) PutSecretBinary(name string, value []byte) Version {
	return f.putVersion(name, nil, bytes.Clone(value))
}

// CreateSecret creates the secret name without a value if it does not exist
// and returns its ARN. Reading it answers ResourceNotFoundException until a
// value is put, as in AWS.
func (f *Fake) CreateSecret(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.secretLocked(name).arn
}

func (f *Fake) putVersion(name string, str *string, bin []byte) Version {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.secretLocked(name)
	f.seq++
	now := f.now()
	v := &version{id: uuidFrom(name, f.seq), str: str, bin: bin, created: now}
	s.versions[v.id] = v
	if prev, ok := s.stages[stageCurrent]; ok {
		s.stages[stagePrevious] = prev
	}
	s.stages[stageCurrent] = v.id
	s.lastChanged = now
	return Version{ARN: s.arn, Name: s.name, VersionID: v.id}
}

// secretLocked returns the secret name, creating it empty. The ARN ends in
// the six random characters AWS appends, here derived from the name and a
// counter so a re-created secret gets a new ARN, as in AWS.
func (f *Fake) secretLocked(name string) *secret {
	if s := f.secrets[name]; s != nil {
		return s
	}
	f.seq++
	now := f.now()
	s := &secret{
		name: name, arn: f.secretARNPrefix() + name + "-" + suffixFrom(name, f.seq),
		tags: map[string]string{}, created: now, lastChanged: now,
		versions: map[string]*version{}, stages: map[string]string{},
	}
	f.secrets[name] = s
	return s
}

func (f *Fake) secretARNPrefix() string {
	return "arn:aws:secretsmanager:" + f.region + ":" + f.account + ":secret:"
}

// DeleteSecret removes the secret at once (DeleteSecret with
// ForceDeleteWithoutRecovery) and reports whether it existed.
func (f *Fake) DeleteSecret(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.secrets[name]
	delete(f.secrets, name)
	return ok
}

// ScheduleSecretDeletion marks the secret for deletion (DeleteSecret with a
// recovery window): reads then fail with InvalidRequestException until
// RestoreSecret.
func (f *Fake) ScheduleSecretDeletion(name string) bool {
	return f.setDeleted(name, f.now())
}

// RestoreSecret cancels a scheduled deletion.
func (f *Fake) RestoreSecret(name string) bool { return f.setDeleted(name, time.Time{}) }

func (f *Fake) setDeleted(name string, t time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.secrets[name]
	if s != nil {
		s.deleted = t
	}
	return s != nil
}

// TagSecret sets tags on a secret (TagResource); ESO reads them with
// metadataPolicy: Fetch.
func (f *Fake) TagSecret(name string, tags map[string]string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.secrets[name]
	if s != nil {
		maps.Copy(s.tags, tags)
	}
	return s != nil
}

// Secret returns a snapshot of the secret name.
func (f *Fake) Secret(name string) (SecretInfo, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s := f.secrets[name]
	if s == nil {
		return SecretInfo{}, false
	}
	return s.info(), true
}

// Secrets lists every secret, by name.
func (f *Fake) Secrets() []SecretInfo {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]SecretInfo, 0, len(f.secrets))
	for _, n := range slices.Sorted(maps.Keys(f.secrets)) {
		out = append(out, f.secrets[n].info())
	}
	return out
}

// resolveLocked finds the secret a SecretId names: a name, a full ARN, or a
// partial ARN (the ARN without its six-character suffix), the three forms
// AWS accepts. name is what the policy is checked against, so that a
// secret the caller may not read is denied whether it exists or not.
func (f *Fake) resolveLocked(id string) (s *secret, name string) {
	name = id
	if rest, ok := strings.CutPrefix(id, f.secretARNPrefix()); ok {
		name = rest
		for _, s := range f.secrets {
			if s.arn == id {
				return s, s.name
			}
		}
	}
	return f.secrets[name], name
}

// uuidFrom is a version ID: a UUID-shaped value, deterministic for a given
// sequence of calls.
func uuidFrom(name string, seq uint64) string {
	h := sha256.Sum256([]byte(name + "\x00" + strconv.FormatUint(seq, 10)))
	x := []byte(hex.EncodeToString(h[:16]))
	x[12], x[16] = '4', 'a' // version 4, RFC 4122 variant
	return fmt.Sprintf("%s-%s-%s-%s-%s", x[0:8], x[8:12], x[12:16], x[16:20], x[20:32])
}

func suffixFrom(name string, seq uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	h := sha256.Sum256([]byte(name + "\x01" + strconv.FormatUint(seq, 10)))
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[int(h[i])%len(alphabet)]
	}
	return string(b)
}
