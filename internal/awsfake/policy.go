package awsfake

import "strings"

// resourceless are the Secrets Manager actions IAM authorizes on "*" only.
// No role of the fake is granted "*" (the project's IRSA policy lists secret
// ARNs), so these are always denied, exactly as for the real role.
var resourceless = map[string]bool{
	"ListSecrets": true, "BatchGetSecretValue": true, "GetRandomPassword": true,
}

// authorize evaluates the caller's role policy for a Secrets Manager action
// on a secret name. As in IAM, this comes before the lookup: a secret
// outside the role's prefixes is denied whether it exists or not.
// secretID is the SecretId as the caller gave it, for the message.
func (f *Fake) authorize(c *credential, op, name, secretID string) *apiError {
	action := "secretsmanager:" + op
	f.mu.RLock()
	role := f.roles[c.role]
	f.mu.RUnlock()
	if role != nil && !resourceless[op] && allows(role, action) && matchesPrefix(role.SecretPrefixes, name) {
		return nil
	}
	if resourceless[op] {
		secretID = ""
	}
	return errAccessDenied("AccessDeniedException", c.principal, action, secretID)
}

func allows(r *Role, action string) bool {
	actions := r.Actions
	if len(actions) == 0 {
		actions = DefaultActions
	}
	for _, a := range actions {
		// IAM action names are case-insensitive.
		if strings.EqualFold(a, action) || a == "secretsmanager:*" || a == "*" {
			return true
		}
	}
	return false
}

func matchesPrefix(prefixes []string, name string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
