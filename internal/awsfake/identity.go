package awsfake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Role is an IAM role that web identities may assume, with the trust and
// permission policies of the project's IRSA roles (terraform/modules/iam)
// reduced to what they say: who may assume it, and which secrets it reads.
type Role struct {
	// ARN, e.g. arn:aws:iam::123456789012:role/idp-external-secrets.
	ARN string `json:"arn"`
	// Subjects are the "sub" claims the trust policy accepts (StringEquals
	// on <issuer>:sub), e.g. system:serviceaccount:external-secrets:external-secrets.
	Subjects []string `json:"subjects"`
	// Audiences are the client IDs of the OIDC provider the role trusts;
	// the token's "aud" must hold one. Default: sts.amazonaws.com.
	Audiences []string `json:"audiences,omitempty"`
	// SecretPrefixes are the secret names the role may read, as in the IAM
	// resource arn:aws:secretsmanager:REGION:ACCOUNT:secret:<prefix>*.
	SecretPrefixes []string `json:"secret_prefixes"`
	// Actions are the Secrets Manager actions allowed on those secrets
	// ("secretsmanager:*" for all). Default: DefaultActions.
	Actions []string `json:"actions,omitempty"`
	// MaxSessionSeconds caps DurationSeconds (IAM's MaxSessionDuration).
	// Default 3600.
	MaxSessionSeconds int `json:"max_session_seconds,omitempty"`
}

// DefaultActions are those of the External Secrets policy in
// terraform/modules/iam.
var DefaultActions = []string{
	"secretsmanager:GetSecretValue",
	"secretsmanager:DescribeSecret",
	"secretsmanager:GetResourcePolicy",
	"secretsmanager:ListSecretVersionIds",
}

// AccessKey is a long-term access key of an IAM user whose permissions are
// those of Role, for callers that sign with static credentials rather than
// through STS.
type AccessKey struct {
	ID     string `json:"id"`     // e.g. AKIAIOSFODNN7EXAMPLE
	Secret string `json:"secret"` // the secret access key
	User   string `json:"user,omitempty"`
	Role   string `json:"role"` // ARN of the Role whose permissions apply
}

// Session describes temporary credentials issued by AssumeRoleWithWebIdentity.
type Session struct {
	AccessKeyID string    `json:"access_key_id"`
	Role        string    `json:"role"`
	SessionName string    `json:"session_name"`
	Subject     string    `json:"subject"`
	Expiration  time.Time `json:"expiration"`
}

// credential is a key the fake accepts signatures from: a long-term key
// (token empty, expires zero) or a session.
type credential struct {
	accessKey, secret, token string
	role                     string // ARN; its policy is looked up per request, so a reload applies at once
	principal                string // ARN named in AccessDenied messages
	userID                   string // GetCallerIdentity's UserId
	subject, sessionName     string
	expires                  time.Time
}

func (r *Role) name() string { return r.ARN[strings.LastIndex(r.ARN, "/")+1:] }

func (r *Role) maxSession() time.Duration {
	if r.MaxSessionSeconds > 0 {
		return time.Duration(r.MaxSessionSeconds) * time.Second
	}
	return time.Hour
}

func (r *Role) audiences() []string {
	if len(r.Audiences) > 0 {
		return r.Audiences
	}
	return []string{"sts.amazonaws.com"}
}

func (r *Role) validate() error {
	if !strings.HasPrefix(r.ARN, "arn:aws:iam::") || !strings.Contains(r.ARN, ":role/") {
		return fmt.Errorf("awsfake: role %q: want arn:aws:iam::ACCOUNT:role/NAME", r.ARN)
	}
	return nil
}

// AddRole adds or replaces a role.
func (f *Fake) AddRole(r Role) error {
	if err := r.validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles[r.ARN] = cloneRole(r)
	return nil
}

func cloneRole(r Role) *Role {
	r.Subjects = slices.Clone(r.Subjects)
	r.Audiences = slices.Clone(r.Audiences)
	r.SecretPrefixes = slices.Clone(r.SecretPrefixes)
	r.Actions = slices.Clone(r.Actions)
	return &r
}

// AddAccessKey registers a long-term key; an empty ID or Secret is generated.
// It returns the key as registered.
func (f *Fake) AddAccessKey(k AccessKey) AccessKey {
	if k.ID == "" {
		k.ID = "AKIA" + randomID(16)
	}
	if k.Secret == "" {
		k.Secret = randomSecret(30)
	}
	if k.User == "" {
		k.User = "awsfake"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[k.ID] = &credential{
		accessKey: k.ID, secret: k.Secret, role: k.Role,
		principal: "arn:aws:iam::" + f.account + ":user/" + k.User,
		userID:    "AIDA" + stableID(k.User, 17),
	}
	return k
}

// issueSession mints temporary credentials for role, as STS does: an ASIA
// key, a secret and a session token, valid until expires.
func (f *Fake) issueSession(role *Role, sessionName, subject string, expires time.Time) *credential {
	c := &credential{
		accessKey: "ASIA" + randomID(16), secret: randomSecret(30), token: randomSecret(240),
		role:        role.ARN,
		principal:   "arn:aws:sts::" + f.account + ":assumed-role/" + role.name() + "/" + sessionName,
		userID:      roleID(role.ARN) + ":" + sessionName,
		subject:     subject,
		sessionName: sessionName,
		expires:     expires,
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[c.accessKey] = c
	return c
}

// lookupCredential finds the key a request was signed with. A session key is
// only valid with its own session token, a long-term one only without any,
// which is AWS's rule too.
func (f *Fake) lookupCredential(svc, accessKey, token string) (*credential, *apiError) {
	f.mu.RLock()
	c := f.keys[accessKey]
	f.mu.RUnlock()
	if c == nil || c.token != token {
		return nil, authError(svc, authUnknownKey, "The security token included in the request is invalid.")
	}
	if !c.expires.IsZero() && !f.now().Before(c.expires) {
		return nil, authError(svc, authExpired, "The security token included in the request is expired")
	}
	return c, nil
}

// Sessions lists the temporary credentials issued and still known (expired
// ones included), oldest first.
func (f *Fake) Sessions() []Session {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []Session
	for _, c := range f.keys {
		if c.token != "" {
			out = append(out, Session{AccessKeyID: c.accessKey, Role: c.role, SessionName: c.sessionName, Subject: c.subject, Expiration: c.expires})
		}
	}
	slices.SortFunc(out, func(a, b Session) int { return a.Expiration.Compare(b.Expiration) })
	return out
}

// ExpireSessions ends every issued session now, so the next call signed with
// one gets ExpiredTokenException and the client must assume the role again.
func (f *Fake) ExpireSessions() {
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.keys {
		if c.token != "" {
			c.expires = now
		}
	}
}

// roleID is IAM's stable unique ID of a role (AROA…), derived from its ARN.
func roleID(arn string) string { return "AROA" + stableID(arn, 17) }

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// stableID is n characters of [A-Z2-7] derived from s.
func stableID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return idEncoding.EncodeToString(sum[:])[:n]
}

// randomID is n characters of [A-Z2-7]: access key IDs must not be guessable
// from one another, since they name the credentials.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return idEncoding.EncodeToString(b)[:n]
}

// randomSecret is base64 of n random bytes (AWS's secrets and tokens are
// base64 too).
func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
