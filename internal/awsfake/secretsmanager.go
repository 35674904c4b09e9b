package awsfake

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Secrets Manager speaks the AWS JSON 1.1 protocol: POST / with
// Content-Type application/x-amz-json-1.1, the operation in
// X-Amz-Target: secretsmanager.<Operation>, input and output as JSON
// objects with the API reference's member names, timestamps as epoch
// seconds, blobs as base64.
const (
	contentTypeJSON = "application/x-amz-json-1.1"
	targetPrefix    = "secretsmanager."
)

// smOperations lists the operations of the Secrets Manager API (2017-10-17),
// to tell an operation the fake does not serve (answered by IAM's verdict,
// see serveSecretsManager) from one that does not exist.
var smOperations = map[string]bool{
	"BatchGetSecretValue": true, "CancelRotateSecret": true, "CreateSecret": true,
	"DeleteResourcePolicy": true, "DeleteSecret": true, "DescribeSecret": true,
	"GetRandomPassword": true, "GetResourcePolicy": true, "GetSecretValue": true,
	"ListSecretVersionIds": true, "ListSecrets": true, "PutResourcePolicy": true,
	"PutSecretValue": true, "RemoveRegionsFromReplication": true,
	"ReplicateSecretToRegions": true, "RestoreSecret": true, "RotateSecret": true,
	"StopReplicationToReplica": true, "TagResource": true, "UntagResource": true,
	"UpdateSecret": true, "UpdateSecretVersionStage": true, "ValidateResourcePolicy": true,
}

// smHandlers are the operations the fake implements: those ESO's provider
// calls to read secrets, and the other two actions of the project's policy.
var smHandlers = map[string]func(f *Fake, s *secret, in *smInput) (any, *apiError){
	"GetSecretValue":       (*Fake).getSecretValue,
	"DescribeSecret":       (*Fake).describeSecret,
	"GetResourcePolicy":    (*Fake).getResourcePolicy,
	"ListSecretVersionIds": (*Fake).listSecretVersionIds,
}

// smInput holds the members of every implemented operation's input.
type smInput struct {
	SecretID     *string `json:"SecretId"`
	VersionID    *string `json:"VersionId"`
	VersionStage *string `json:"VersionStage"`
}

// epoch renders a timestamp as the JSON protocols do: seconds since the
// epoch, with milliseconds.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64)), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// serveSecretsManager authenticates, decodes, authorizes and answers one
// call. An operation the fake does not implement is still judged by the
// role's policy first, so that (as with the real IRSA role) ESO's find or
// push paths get AccessDeniedException rather than a fake-only error.
func (f *Fake) serveSecretsManager(rq *request) {
	if !strings.HasPrefix(rq.r.Header.Get("Content-Type"), contentTypeJSON) || rq.r.Method != http.MethodPost {
		rq.fail(&apiError{http.StatusBadRequest, "UnknownOperationException", ""})
		return
	}
	cred, aerr := f.authenticate(rq.r, rq.body, serviceSM)
	if aerr != nil {
		rq.fail(aerr)
		return
	}
	var in smInput
	if err := json.NewDecoder(bytes.NewReader(rq.body)).Decode(&in); err != nil {
		rq.fail(&apiError{http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected."})
		return
	}
	out, aerr := f.callSM(rq, cred, &in)
	if aerr != nil {
		rq.fail(aerr)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		rq.fail(&apiError{http.StatusInternalServerError, "InternalServiceError", err.Error()})
		return
	}
	writeBody(rq.w, http.StatusOK, contentTypeJSON, rq.id, b)
}

func (f *Fake) callSM(rq *request, cred *credential, in *smInput) (any, *apiError) {
	if !smOperations[rq.op] {
		return nil, &apiError{http.StatusBadRequest, "UnknownOperationException", ""}
	}
	if resourceless[rq.op] {
		return nil, f.authorize(cred, rq.op, "", "")
	}
	if in.SecretID == nil || *in.SecretID == "" {
		return nil, errValidation("secretId")
	}
	f.mu.RLock()
	s, name := f.resolveLocked(*in.SecretID)
	f.mu.RUnlock()
	if err := f.authorize(cred, rq.op, name, *in.SecretID); err != nil {
		return nil, err
	}
	h := smHandlers[rq.op]
	if h == nil {
		return nil, &apiError{http.StatusNotImplemented, "InternalServiceError", "awsfake does not implement secretsmanager:" + rq.op}
	}
	if s == nil {
		return nil, errResourceNotFound("Secrets Manager can't find the specified secret.")
	}
	return h(f, s, in)
}

type getSecretValueOutput struct {
	ARN           string
	Name          string
	VersionID     string  `json:"VersionId"`
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"`
	VersionStages []string
	CreatedDate   epoch
}

// getSecretValue picks the version by VersionId and/or VersionStage
// (AWSCURRENT when neither is given), with the errors AWS gives for each way
// of missing.
func (f *Fake) getSecretValue(s *secret, in *smInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.deleted.IsZero() {
		return nil, errInvalidRequest("You can't perform this operation on the secret because it was marked for deletion.")
	}
	v, err := pickVersion(s, in)
	if err != nil {
		return nil, err
	}
	s.lastAccessed = f.now().UTC().Truncate(24 * time.Hour)
	return getSecretValueOutput{
		ARN: s.arn, Name: s.name, VersionID: v.id, SecretString: v.str, SecretBinary: v.bin,
		VersionStages: s.labels(v.id), CreatedDate: epoch(v.created),
	}, nil
}

func pickVersion(s *secret, in *smInput) (*version, *apiError) {
	stage := stageCurrent
	if in.VersionStage != nil {
		stage = *in.VersionStage
	}
	if in.VersionID == nil {
		v := s.versions[s.stages[stage]]
		if v == nil {
			return nil, errResourceNotFound("Secrets Manager can't find the specified secret value for staging label: " + stage)
		}
		return v, nil
	}
	v := s.versions[*in.VersionID]
	if v == nil {
		return nil, errResourceNotFound("Secrets Manager can't find the specified secret value for VersionId: " + *in.VersionID)
	}
	if in.VersionStage != nil && s.stages[stage] != v.id {
		return nil, errInvalidParameter("You provided a VersionStage that is not associated to the provided VersionId.")
	}
	return v, nil
}

type tag struct{ Key, Value string }

type describeSecretOutput struct {
	ARN                string
	Name               string
	Description        string `json:",omitempty"`
	CreatedDate        epoch
	LastChangedDate    epoch
	LastAccessedDate   *epoch              `json:",omitempty"`
	DeletedDate        *epoch              `json:",omitempty"`
	Tags               []tag               `json:",omitempty"`
	VersionIdsToStages map[string][]string `json:",omitempty"`
}

// describeSecret answers metadata only; it works on a secret marked for
// deletion too (that is how one sees DeletedDate).
func (f *Fake) describeSecret(s *secret, _ *smInput) (any, *apiError) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := describeSecretOutput{
		ARN: s.arn, Name: s.name, Description: s.description,
		CreatedDate: epoch(s.created), LastChangedDate: epoch(s.lastChanged),
		LastAccessedDate: epochPtr(s.lastAccessed), DeletedDate: epochPtr(s.deleted),
	}
	for _, k := range slices.Sorted(maps.Keys(s.tags)) {
		out.Tags = append(out.Tags, tag{k, s.tags[k]})
	}
	for id := range s.versions {
		if l := s.labels(id); len(l) > 0 {
			if out.VersionIdsToStages == nil {
				out.VersionIdsToStages = map[string][]string{}
			}
			out.VersionIdsToStages[id] = l
		}
	}
	return out, nil
}

// getResourcePolicy: the fake's secrets carry no resource policy, so AWS's
// answer is the ARN and name alone.
func (f *Fake) getResourcePolicy(s *secret, _ *smInput) (any, *apiError) {
	return map[string]string{"ARN": s.arn, "Name": s.name}, nil
}

type versionEntry struct {
	VersionID        string `json:"VersionId"`
	VersionStages    []string
	CreatedDate      epoch
	LastAccessedDate *epoch `json:",omitempty"`
}

// listSecretVersionIds lists the versions that carry a label (AWS leaves the
// deprecated ones out unless IncludeDeprecated, which the fake ignores).
func (f *Fake) listSecretVersionIds(s *secret, _ *smInput) (any, *apiError) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := struct {
		ARN, Name string
		Versions  []versionEntry
	}{ARN: s.arn, Name: s.name, Versions: []versionEntry{}}
	for id, v := range s.versions {
		if l := s.labels(id); len(l) > 0 {
			out.Versions = append(out.Versions, versionEntry{VersionID: id, VersionStages: l, CreatedDate: epoch(v.created)})
		}
	}
	slices.SortFunc(out.Versions, func(a, b versionEntry) int { return strings.Compare(a.VersionID, b.VersionID) })
	return out, nil
}
