package awsfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"time"
)

// State is a declarative state, for callers that are not Go (through
// cmd/awsfake's -state file). In JSON:
//
//	{"roles": [{"arn": "arn:aws:iam::123456789012:role/idp-external-secrets",
//	            "subjects": ["system:serviceaccount:external-secrets:external-secrets"],
//	            "secret_prefixes": ["idp/"]}],
//	 "access_keys": [{"id": "AKIA…", "secret": "…", "role": "arn:aws:iam::…"}],
//	 "secrets": [{"name": "idp/apps/hello-world", "string": "{\"API_KEY\":\"x\"}"},
//	             {"name": "idp/platform/backstage"}]}
//
// A secret with neither string nor binary (base64 in JSON) exists without a
// value, like the containers terraform/modules/secrets creates.
type State struct {
	Roles      []Role       `json:"roles,omitempty"`
	AccessKeys []AccessKey  `json:"access_keys,omitempty"`
	Secrets    []SecretSpec `json:"secrets,omitempty"`
}

// SecretSpec describes one secret of a State.
type SecretSpec struct {
	Name              string            `json:"name"`
	String            *string           `json:"string,omitempty"`
	Binary            []byte            `json:"binary,omitempty"`
	Description       string            `json:"description,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	MarkedForDeletion bool              `json:"marked_for_deletion,omitempty"`
}

// ReadState decodes a JSON state, rejecting unknown fields so that a typo in
// a state file is an error rather than a silently missing role.
func ReadState(r io.Reader) (State, error) {
	var st State
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return State{}, fmt.Errorf("awsfake: state: %w", err)
	}
	seen := map[string]bool{}
	for i, s := range st.Secrets {
		if s.Name == "" || seen[s.Name] {
			return State{}, fmt.Errorf("awsfake: state: secret %d: name empty or repeated", i)
		}
		if s.String != nil && s.Binary != nil {
			return State{}, fmt.Errorf("awsfake: state: secret %s: both string and binary", s.Name)
		}
		seen[s.Name] = true
	}
	for _, r := range st.Roles {
		if err := r.validate(); err != nil {
			return State{}, err
		}
	}
	return st, nil
}

// Apply makes the fake hold exactly st: roles and access keys are replaced,
// secrets missing from st are deleted, and a secret whose value differs
// from st's gets a new version (so a reload looks like PutSecretValue to the
// clients). Sessions already issued stay valid; their role's new policy
// applies from the next request.
func (f *Fake) Apply(st State) error {
	for _, r := range st.Roles {
		if err := r.validate(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.roles = map[string]*Role{}
	for _, r := range st.Roles {
		f.roles[r.ARN] = cloneRole(r)
	}
	for id, c := range f.keys {
		if c.token == "" {
			delete(f.keys, id)
		}
	}
	want := map[string]bool{}
	for _, s := range st.Secrets {
		want[s.Name] = true
	}
	for name := range f.secrets {
		if !want[name] {
			delete(f.secrets, name)
		}
	}
	f.mu.Unlock()

	for _, k := range st.AccessKeys {
		f.AddAccessKey(k)
	}
	for _, s := range st.Secrets {
		f.applySecret(s)
	}
	return nil
}

func (f *Fake) applySecret(spec SecretSpec) {
	f.mu.Lock()
	s := f.secretLocked(spec.Name)
	s.description = spec.Description
	s.tags = maps.Clone(spec.Tags)
	if s.tags == nil {
		s.tags = map[string]string{}
	}
	if spec.MarkedForDeletion {
		if s.deleted.IsZero() {
			s.deleted = f.now()
		}
	} else {
		s.deleted = time.Time{}
	}
	same := sameValue(s.current(), spec)
	f.mu.Unlock()
	switch {
	case same:
	case spec.String != nil:
		f.PutSecret(spec.Name, *spec.String)
	case spec.Binary != nil:
		f.PutSecretBinary(spec.Name, spec.Binary)
	}
}

func sameValue(v *version, spec SecretSpec) bool {
	switch {
	case v == nil:
		return spec.String == nil && spec.Binary == nil
	case spec.String != nil:
		return v.str != nil && *v.str == *spec.String
	case spec.Binary != nil:
		return v.bin != nil && bytes.Equal(v.bin, spec.Binary)
	}
	// A value cannot be removed through PutSecretValue; keep it.
	return true
}
