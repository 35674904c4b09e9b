// Package peers tells the generator's other replicas what a GitLab webhook
// changed. GitLab's webhook reaches one replica through the Service, and
// Argo CD's next call may reach another: unless every replica has rescanned
// before the ApplicationSets are refreshed, about half of the "instant"
// refreshes would be answered from a stale snapshot.
package peers

import (
	"context"
	"fmt"
	"net/http"
)

// Lister names the other replicas' base URLs.
type Lister interface {
	Peers(ctx context.Context) ([]string, error)
}

// Static is a fixed list of base URLs.
type Static []string

// Peers returns the list.
func (s Static) Peers(context.Context) ([]string, error) { return s, nil }

// Notifier asks every peer to rescan projects and waits for all of them.
type Notifier struct {
	Peers Lister
	// TokenFile holds Argo CD's bearer token, which every replica accepts.
	TokenFile string
	Client    *http.Client
}

func (n *Notifier) client() *http.Client {
	if n.Client != nil {
		return n.Client
	}
	return http.DefaultClient
}

// errPeer names a peer that did not rescan.
func errPeer(url string, err error) error { return fmt.Errorf("peer %s: %w", url, err) }
