// Command plugin-generator is an Argo CD ApplicationSet plugin generator:
// it discovers apps (projects holding an app.yaml) in a GitLab group, or in
// a local directory tree, and answers POST /api/v1/getparams.execute with
// one parameter set per app. See the README for flags and parameters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/peers"
	"github.com/vibe-coder-biz/idp/plugin-generator/refresh"
	"github.com/vibe-coder-biz/idp/plugin-generator/server"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, log)
	stop()
	if err != nil {
		log.Error("plugin-generator stopped", "err", err)
		os.Exit(1)
	}
}

type options struct {
	listen, source, tokenFile, webhookSecretFile                 string
	gitlabURL, gitlabGroup, gitlabTokenFile, dirRepoURL          string
	kubeconfig, argocdNamespace, pluginConfigMap                 string
	snapshotConfigMap                                            string
	peerService, podIP                                           string
	interval, scanTimeout, maxStaleness, firstScanWait, followUp time.Duration
	includeArchived, includeShared, noGraphQL                    bool
	concurrency                                                  int
}

// parseFlags reads flags, each with an environment fallback named in its
// usage, so the same binary configures from a Deployment's env.
func parseFlags(args []string, env func(string) (string, bool)) (options, error) {
	var o options
	fs := flag.NewFlagSet("plugin-generator", flag.ContinueOnError)
	str := func(p *string, name, envKey, def, usage string) {
		if v, ok := env(envKey); ok {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+envKey+")")
	}
	dur := func(p *time.Duration, name, envKey string, def time.Duration, usage string) {
		if v, ok := env(envKey); ok {
			if d, err := time.ParseDuration(v); err == nil {
				def = d
			}
		}
		fs.DurationVar(p, name, def, usage+" (env "+envKey+")")
	}
	boolean := func(p *bool, name, envKey, usage string) {
		v, _ := env(envKey)
		fs.BoolVar(p, name, v == "true", usage+" (env "+envKey+")")
	}
	str(&o.listen, "listen", "IDP_LISTEN", ":8080", "address to serve on")
	str(&o.source, "source", "IDP_SOURCE", "gitlab", `where apps come from: "gitlab" or "dir:PATH"`)
	str(&o.tokenFile, "token-file", "IDP_TOKEN_FILE", "", "file holding the bearer token Argo CD presents (required)")
	str(&o.webhookSecretFile, "webhook-secret-file", "IDP_WEBHOOK_SECRET_FILE", "", "file holding GitLab's X-Gitlab-Token; empty disables webhooks")
	str(&o.gitlabURL, "gitlab-url", "GITLAB_URL", "https://gitlab.com", "GitLab base URL")
	str(&o.gitlabGroup, "gitlab-group", "GITLAB_GROUP", "", "full path or id of the GitOps group")
	str(&o.gitlabTokenFile, "gitlab-token-file", "GITLAB_TOKEN_FILE", "", "file holding a GitLab token with read_api")
	str(&o.dirRepoURL, "dir-repo-url", "IDP_DIR_REPO_URL", "", "with dir:PATH, the git URL the tree is served from")
	str(&o.kubeconfig, "kubeconfig", "KUBECONFIG", "", "kubeconfig for ApplicationSet refreshes; in-cluster when empty")
	str(&o.argocdNamespace, "argocd-namespace", "IDP_ARGOCD_NAMESPACE", "argocd", "namespace of Argo CD")
	str(&o.pluginConfigMap, "plugin-configmap", "IDP_PLUGIN_CONFIGMAP", "idp-apps-generator", "name of this generator's plugin ConfigMap in Argo CD")
	str(&o.snapshotConfigMap, "snapshot-configmap", "IDP_SNAPSHOT_CONFIGMAP", "", "ConfigMap in -argocd-namespace holding the last complete scan, shared by the replicas, so a restart answers at once (empty: not persisted)")
	str(&o.peerService, "peer-service", "IDP_PEER_SERVICE", "", "the Service of all replicas, in -argocd-namespace: each rescans what a webhook changed before the ApplicationSets refresh (empty: one replica)")
	str(&o.podIP, "pod-ip", "POD_IP", "", "this replica's address among the Service's endpoints")
	dur(&o.interval, "interval", "IDP_SCAN_INTERVAL", 3*time.Minute, "time between full scans")
	dur(&o.scanTimeout, "scan-timeout", "IDP_SCAN_TIMEOUT", 2*time.Minute, "limit for one full scan")
	dur(&o.maxStaleness, "max-staleness", "IDP_MAX_STALENESS", 30*time.Minute, "answer 503 when the last complete scan is older")
	dur(&o.firstScanWait, "first-scan-wait", "IDP_FIRST_SCAN_WAIT", 20*time.Second, "how long a request waits for the first scan")
	dur(&o.followUp, "follow-up", "IDP_FOLLOW_UP", 15*time.Second, "after a webhook adds an app, refresh its ApplicationSets again this much later (0: off)")
	boolean(&o.includeArchived, "include-archived", "IDP_INCLUDE_ARCHIVED", "also discover archived projects")
	boolean(&o.includeShared, "include-shared", "IDP_INCLUDE_SHARED", "also discover projects shared into the group")
	boolean(&o.noGraphQL, "no-graphql", "IDP_NO_GRAPHQL", "read app.yaml through REST only, one request each, instead of 100 per GraphQL query")
	fs.IntVar(&o.concurrency, "concurrency", 8, "parallel GitLab file reads")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.tokenFile == "" {
		return o, errors.New("-token-file (IDP_TOKEN_FILE) is required: Argo CD must authenticate")
	}
	return o, nil
}

func run(ctx context.Context, args []string, env func(string) (string, bool), log *slog.Logger) error {
	o, err := parseFlags(args, env)
	if err != nil {
		return err
	}
	platform, err := appspec.PlatformFromEnv(env)
	if err != nil {
		return err
	}
	token, err := server.NewSecret(o.tokenFile)
	if err != nil {
		return err
	}
	var webhookSecret *server.Secret
	if o.webhookSecretFile != "" {
		if webhookSecret, err = server.NewSecret(o.webhookSecretFile); err != nil {
			return err
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var store *catalog.Store
	metrics := server.NewMetrics(reg, func() float64 {
		if snap, _ := store.Current(); snap != nil {
			return time.Since(snap.ScannedAt).Seconds()
		}
		return -1
	})
	src, err := newSource(o, metrics)
	if err != nil {
		return err
	}
	store = catalog.NewStore(src, platform)
	store.OnScan = func(d time.Duration, s *catalog.Snapshot, err error) {
		metrics.ObserveScan(d, s, err)
		if err != nil {
			log.Error("scan failed; serving the last complete scan", "duration", d, "err", err)
			return
		}
		log.Info("scan complete", "duration", d, "apps", len(s.Apps), "problems", len(s.Problems))
		for _, p := range s.Problems {
			log.Warn("project refused", "project", p.Project, "reason", p.Reason, "message", p.Message)
		}
	}
	kube, err := kubeConfig(o, log)
	if err != nil {
		return err
	}
	refresher, err := newRefresher(o, kube)
	if err != nil {
		return err
	}
	peerSet, err := newPeers(o, kube)
	if err != nil {
		return err
	}
	persist, err := newPersistence(o, kube, log)
	if err != nil {
		return err
	}
	if persist != nil {
		store.OnPublish = persist.offer
	}
	srv := server.New(server.Config{
		Store: store, Token: token, WebhookSecret: webhookSecret, Refresher: refresher, Peers: peerSet,
		Metrics: metrics, Gatherer: reg, Log: log,
		MaxStaleness: o.maxStaleness, FirstScanWait: o.firstScanWait, FollowUp: o.followUp,
	})
	return serve(ctx, o, srv, store, persist, log)
}

func serve(ctx context.Context, o options, srv *server.Server, store *catalog.Store, persist *persistence, log *slog.Logger) error {
	if persist != nil {
		persist.restore(ctx, store)
		go persist.run(ctx)
	}
	go store.Run(ctx, o.interval, o.scanTimeout)
	go srv.Start(ctx)
	hs := &http.Server{Addr: o.listen, Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	log.Info("serving", "addr", o.listen, "source", o.source)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}

func newSource(o options, metrics *server.Metrics) (source.Source, error) {
	if dir, ok := strings.CutPrefix(o.source, "dir:"); ok {
		return source.NewDir(dir, o.dirRepoURL, "main"), nil
	}
	if o.source != "gitlab" {
		return nil, fmt.Errorf("-source %q: want gitlab or dir:PATH", o.source)
	}
	if o.gitlabTokenFile == "" {
		return nil, errors.New("-gitlab-token-file (GITLAB_TOKEN_FILE) is required with -source gitlab")
	}
	tok, err := os.ReadFile(o.gitlabTokenFile)
	if err != nil {
		return nil, fmt.Errorf("GitLab token: %w", err)
	}
	hc := &http.Client{Transport: metrics.InstrumentGitLab(http.DefaultTransport), Timeout: 30 * time.Second}
	return source.NewGitLab(source.GitLabOptions{
		BaseURL: o.gitlabURL, Token: strings.TrimSpace(string(tok)), Group: o.gitlabGroup,
		IncludeArchived: o.includeArchived, IncludeShared: o.includeShared,
		Concurrency: o.concurrency, NoGraphQL: o.noGraphQL, HTTPClient: hc,
	})
}

// kubeConfig connects to the cluster for ApplicationSet refreshes and peer
// discovery. Outside a cluster without a kubeconfig it returns nil: webhooks
// still rescan.
func kubeConfig(o options, log *slog.Logger) (*rest.Config, error) {
	cfg, err := rest.InClusterConfig()
	if o.kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	}
	if errors.Is(err, rest.ErrNotInCluster) {
		log.Info("not in a cluster and no kubeconfig: ApplicationSet refreshes are off")
		return nil, nil
	}
	return cfg, err
}

func newRefresher(o options, cfg *rest.Config) (server.Refresher, error) {
	if cfg == nil {
		return nil, nil
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &refresh.Refresher{Client: client, Namespace: o.argocdNamespace, ConfigMap: o.pluginConfigMap}, nil
}

// newPeers finds the other replicas through the Service's endpoints.
func newPeers(o options, cfg *rest.Config) (server.Peers, error) {
	if o.peerService == "" || cfg == nil {
		return nil, nil
	}
	if o.podIP == "" {
		return nil, errors.New("-peer-service needs -pod-ip (POD_IP, from the downward API) to tell itself from its peers")
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	_, port, err := net.SplitHostPort(o.listen)
	if err != nil {
		return nil, fmt.Errorf("-listen %q: %w", o.listen, err)
	}
	p, _ := strconv.Atoi(port)
	return &peers.Notifier{
		Peers:     &peers.EndpointSlices{Client: client, Namespace: o.argocdNamespace, Service: o.peerService, Self: o.podIP, Port: p},
		TokenFile: o.tokenFile,
		Client:    &http.Client{Timeout: 25 * time.Second},
	}, nil
}
