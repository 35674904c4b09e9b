package gitlabfake

import "net/http"

// route maps the endpoints that manage projects (create, update, delete,
// members, tokens, variables, protected branches) and identify the caller.
// segs are the decoded path segments after /api/v4/.
func route(method string, segs []string) (string, handlerFunc, []string) {
	m := method + " "
	n := len(segs)
	switch {
	case n == 1 && segs[0] == "user" && method == http.MethodGet:
		return m + "/user", (*Fake).getUser, nil
	case n == 2 && segs[0] == "namespaces" && method == http.MethodGet:
		return m + "/namespaces/:id", (*Fake).getNamespace, []string{segs[1]}
	case n == 1 && segs[0] == "projects" && method == http.MethodGet:
		return m + "/projects", (*Fake).listProjects, nil
	case n == 1 && segs[0] == "projects" && method == http.MethodPost:
		return m + "/projects", (*Fake).createProject, nil
	case n == 2 && segs[0] == "projects" && method == http.MethodPut:
		return m + "/projects/:id", (*Fake).updateProject, []string{segs[1]}
	case n == 2 && segs[0] == "projects" && method == http.MethodDelete:
		return m + "/projects/:id", (*Fake).deleteProject, []string{segs[1]}
	case n < 3 || segs[0] != "projects":
		return "", nil, nil
	}
	id, sub := segs[1], segs[2]
	one := func(name string, h handlerFunc) (string, handlerFunc, []string) {
		return m + "/projects/:id/" + name, h, []string{id}
	}
	two := func(name string, h handlerFunc) (string, handlerFunc, []string) {
		return m + "/projects/:id/" + name, h, []string{id, segs[3]}
	}
	switch {
	case n == 4 && sub == "repository" && segs[3] == "branches" && method == http.MethodPost:
		return one("repository/branches", (*Fake).createBranch)
	case n == 3 && sub == "members" && method == http.MethodPost:
		return one("members", (*Fake).addMember)
	case n == 3 && sub == "members" && method == http.MethodGet:
		return one("members", (*Fake).listMembers)
	case n == 4 && sub == "members" && segs[3] == "all" && method == http.MethodGet:
		return one("members/all", (*Fake).listAllMembers)
	case n == 3 && sub == "share" && method == http.MethodPost:
		return one("share", (*Fake).shareProject)
	case n == 3 && sub == "access_tokens" && method == http.MethodPost:
		return one("access_tokens", (*Fake).createAccessToken)
	case n == 3 && sub == "access_tokens" && method == http.MethodGet:
		return one("access_tokens", (*Fake).listAccessTokens)
	case n == 4 && sub == "access_tokens" && method == http.MethodGet:
		return two("access_tokens/:token_id", (*Fake).getAccessToken)
	case n == 4 && sub == "access_tokens" && method == http.MethodDelete:
		return two("access_tokens/:token_id", (*Fake).revokeAccessToken)
	case n == 3 && sub == "deploy_tokens" && method == http.MethodPost:
		return one("deploy_tokens", (*Fake).createDeployToken)
	case n == 3 && sub == "deploy_tokens" && method == http.MethodGet:
		return one("deploy_tokens", (*Fake).listDeployTokens)
	case n == 4 && sub == "deploy_tokens" && method == http.MethodDelete:
		return two("deploy_tokens/:token_id", (*Fake).deleteDeployToken)
	case n == 3 && sub == "variables" && method == http.MethodPost:
		return one("variables", (*Fake).createVariable)
	case n == 3 && sub == "variables" && method == http.MethodGet:
		return one("variables", (*Fake).listVariables)
	case n == 4 && sub == "variables" && method == http.MethodGet:
		return two("variables/:key", (*Fake).getVariable)
	case n == 4 && sub == "variables" && method == http.MethodPut:
		return two("variables/:key", (*Fake).updateVariable)
	case n == 4 && sub == "variables" && method == http.MethodDelete:
		return two("variables/:key", (*Fake).deleteVariable)
	case n == 3 && sub == "protected_branches" && method == http.MethodPost:
		return one("protected_branches", (*Fake).protectBranch)
	case n == 3 && sub == "protected_branches" && method == http.MethodGet:
		return one("protected_branches", (*Fake).listProtectedBranches)
	case n == 4 && sub == "protected_branches" && method == http.MethodGet:
		return two("protected_branches/:name", (*Fake).getProtectedBranch)
	case n == 4 && sub == "protected_branches" && method == http.MethodDelete:
		return two("protected_branches/:name", (*Fake).unprotectBranch)
	}
	return "", nil, nil
}
