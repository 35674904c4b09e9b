// Command awsfake serves the AWS fake (Secrets Manager and STS on one
// endpoint) for callers that are not Go tests, such as the External Secrets
// controller started by an end-to-end test:
//
//	awsfake -listen 127.0.0.1:0 -tls-cert tls.crt -tls-key tls.key \
//	  -state state.json -token-keys sa.pub \
//	  -issuer https://kubernetes.default.svc.cluster.local
//
// It prints the endpoint's base URL on the first line of stdout once
// listening (set both AWS_SECRETSMANAGER_ENDPOINT and AWS_STS_ENDPOINT to
// it), and with -admin-listen the admin API's base URL on the second.
//
// The state file (awsfake.State, JSON) is read at start and again on SIGHUP
// or POST /_fake/reload; a reload makes the fake hold exactly the file's
// roles, keys and secrets (see Fake.Apply). The admin API, JSON out, is
// served under /_fake/ on the AWS listener, or only on -admin-listen if set:
//
//	PUT    /_fake/secrets/{name}      body: the value  → {"ARN","Name","VersionId"}
//	                                  (?binary=true stores it as SecretBinary)
//	POST   /_fake/secrets/{name}      create without a value (as terraform does)
//	DELETE /_fake/secrets/{name}      delete now (?recovery=true: schedule deletion)
//	GET    /_fake/secrets[/{name}]    → SecretInfo (list, or one)
//	POST   /_fake/restore/{name}      cancel a scheduled deletion
//	PUT    /_fake/tags/{name}         {"key": "value", …}
//	POST   /_fake/faults              awsfake.Fault (delay as "2s"); DELETE clears
//	PUT    /_fake/rate-limit          {"service": "secretsmanager", "limit": n, "period": "1s"}
//	GET    /_fake/requests            → {"total", "by_operation", "unmatched"}; DELETE resets
//	GET    /_fake/sessions            → issued sessions
//	POST   /_fake/sessions/expire     end every session now
//	POST   /_fake/reload              re-read the state file
//
// {name} is the secret name as is, slashes included
// (/_fake/secrets/idp/apps/hello-world).
package main

import (
	"crypto"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

type config struct {
	listen, adminListen string
	tlsCert, tlsKey     string
	state               string
	region, account     string
	tokenKeys, issuer   string
}

func main() {
	var c config
	flag.StringVar(&c.listen, "listen", "127.0.0.1:0", "address of the AWS endpoint (loopback by default)")
	flag.StringVar(&c.adminListen, "admin-listen", "", "separate address for the admin API; empty serves it under /_fake/ on -listen")
	flag.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate: serve HTTPS (clients trust it with AWS_CA_BUNDLE)")
	flag.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of -tls-cert")
	flag.StringVar(&c.state, "state", "", "JSON state file (roles, access keys, secrets), reloaded on SIGHUP")
	flag.StringVar(&c.region, "region", "us-east-2", "the region clients must sign for")
	flag.StringVar(&c.account, "account", "123456789012", "account ID in ARNs")
	flag.StringVar(&c.tokenKeys, "token-keys", "", "PEM public keys verifying web identity tokens (kube-apiserver's --service-account-key-file); empty: signatures unchecked")
	flag.StringVar(&c.issuer, "issuer", "", "the only accepted token issuer (kube-apiserver's --service-account-issuer); empty: any")
	flag.Parse()
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

func run(c config) error {
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return fmt.Errorf("-tls-cert and -tls-key go together")
	}
	opts := awsfake.Options{Region: c.region, AccountID: c.account, Issuer: c.issuer}
	if c.tokenKeys != "" {
		keys, err := readKeys(c.tokenKeys)
		if err != nil {
			return err
		}
		opts.TokenKeys = keys
	}
	f := awsfake.New(opts)
	reload := func() error { return loadState(f, c.state) }
	if err := reload(); err != nil {
		return err
	}
	go reloadOnHangup(reload)

	admin := newAdmin(f, reload)
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	handler := http.Handler(f)
	if c.adminListen == "" {
		handler = withAdmin(f, admin)
	}
	fmt.Println(baseURL(c, ln))
	if c.adminListen == "" {
		return serve(c, ln, handler)
	}
	al, err := net.Listen("tcp", c.adminListen)
	if err != nil {
		return err
	}
	fmt.Println(baseURL(c, al))
	go func() { log.Fatal(serve(c, al, admin)) }()
	return serve(c, ln, handler)
}

func readKeys(path string) ([]crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return awsfake.ParsePublicKeys(b)
}

func loadState(f *awsfake.Fake, path string) error {
	if path == "" {
		return nil
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	st, err := awsfake.ReadState(file)
	if err != nil {
		return err
	}
	return f.Apply(st)
}

// reloadOnHangup re-reads the state on SIGHUP; a bad file is logged and the
// previous state kept, so a test's typo does not kill the fake.
func reloadOnHangup(reload func() error) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	for range ch {
		if err := reload(); err != nil {
			log.Printf("awsfake: reload: %v", err)
		}
	}
}

func baseURL(c config, ln net.Listener) string {
	scheme := "http"
	if c.tlsCert != "" {
		scheme = "https"
	}
	return scheme + "://" + ln.Addr().String()
}

func serve(c config, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if c.tlsCert != "" {
		return srv.ServeTLS(ln, c.tlsCert, c.tlsKey)
	}
	return srv.Serve(ln)
}

// withAdmin serves the admin API under /_fake/ and AWS everywhere else: AWS
// clients only ever POST to /.
func withAdmin(f *awsfake.Fake, admin http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_fake/") {
			admin.ServeHTTP(w, r)
			return
		}
		f.ServeHTTP(w, r)
	})
}
