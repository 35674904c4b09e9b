package gitlabfake_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// Readers walk listings, files and trees while writers commit, archive and
// add projects; run with -race.
func TestConcurrentUse(t *testing.T) {
	f, _ := start(t)
	ids := addProjects(f, "gitops", 150)
	for _, id := range ids[:10] {
		f.Commit(id, map[string]string{"app.yaml": "v0"})
	}
	c := client(t, f)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for r := range 4 {
		wg.Go(func() {
			for i := range 20 {
				opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 50}, Simple: gitlab.Ptr(r%2 == 0)}
				for {
					_, resp, err := c.Groups.ListGroupProjects("gitops", opt)
					if err != nil {
						errs <- err
						return
					}
					if resp.NextPage == 0 {
						break
					}
					opt.Page = resp.NextPage
				}
				id := ids[i%10]
				if _, _, err := c.RepositoryFiles.GetFile(id, "app.yaml", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")}); err != nil {
					errs <- err
					return
				}
				if _, _, err := c.Repositories.ListTree(id, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 50 {
			f.Commit(ids[i%10], map[string]string{"app.yaml": fmt.Sprintf("v%d", i+1)})
			f.Archive(ids[20+i%10], i%2 == 0)
			f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/new", Path: fmt.Sprintf("n%d", i)})
			_ = f.PushEvent(ids[i%10])
			_ = f.Requests()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// client-go sizes a client-side limiter from the first RateLimit-Limit it
// sees: 2/3 of the advertised rate with bursts of 1/3. With a limit set on
// the fake, a client-go caller therefore paces itself.
func TestClientGoPacesItselfUnderRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for client-go's limiter")
	}
	f := gitlabfake.Start(t, gitlabfake.Options{Token: token})
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"})
	f.SetRateLimit(120) // 2/s advertised → client-go allows 1.32/s, burst 1
	c := client(t, f)
	began := time.Now()
	for range 3 {
		if _, _, err := c.Projects.GetProject(1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(began); d < time.Second {
		t.Fatalf("3 calls took %v; client-go did not throttle itself", d)
	} else {
		t.Logf("3 calls at RateLimit-Limit: 120 took %v", d)
	}
	if n := f.Requests()["GET /projects/:id"]; n != 3 {
		t.Fatalf("requests = %d: the fake should never have needed to throttle", n)
	}
}
