package appspec

import (
	"fmt"
	"regexp"
	"strings"
)

// repositoryPath is a repository path component as the distribution spec
// allows it (lowercase, separated by one of . _ __ -).
var repositoryPath = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)

// validateImageSettings: the prefix is a repository path, and no shared
// prefix covers the apps' repositories, which would let every app run every
// other app's images again.
func (p Platform) validateImageSettings() []string {
	var errs []string
	if !repositoryPath.MatchString(p.ImagePrefix) {
		errs = append(errs, fmt.Sprintf("%s: %q must be a repository path such as apps", EnvImagePrefix, p.ImagePrefix))
	}
	for _, s := range p.SharedImages {
		if !strings.HasSuffix(s, "/") {
			errs = append(errs, fmt.Sprintf("%s: %q must end with / so that a prefix cannot match a longer repository name", EnvSharedImages, s))
			continue
		}
		for _, r := range p.AllowedRegistries {
			if apps := r + p.ImagePrefix + "/"; strings.HasPrefix(apps, s) || strings.HasPrefix(s, apps) {
				errs = append(errs, fmt.Sprintf("%s: %q covers the apps' repositories %s<name>; share a repository outside %s", EnvSharedImages, s, apps, apps))
			}
		}
	}
	return errs
}

// imageOwnerProblem explains why an app may not run image (repository is
// the image's name without tag or digest), or returns "".
func imageOwnerProblem(name, repository, image string, p Platform) string {
	for _, r := range p.AllowedRegistries {
		if repository == r+p.ImagePrefix+"/"+name {
			return ""
		}
	}
	for _, s := range p.SharedImages {
		if strings.HasPrefix(image, s) {
			return ""
		}
	}
	own := p.AppRepository(name)
	for _, r := range p.AllowedRegistries {
		if strings.HasPrefix(image, r+p.ImagePrefix+"/") {
			return fmt.Sprintf("image %q belongs to another app's repository; app %s runs only images from its own, %s (its pipeline pushes there)", image, name, own)
		}
	}
	msg := fmt.Sprintf("image %q is not from app %s's repository %s; push it with the app's pipeline", image, name, own)
	if len(p.SharedImages) > 0 {
		msg += " or use a shared repository (" + strings.Join(p.SharedImages, ", ") + ")"
	}
	return msg
}
