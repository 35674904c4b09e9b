// Package appspec is the one home of the app.yaml contract: its Go types,
// defaults, validation, strict parsing and JSON Schema. The CMP renders from
// it and the plugin generator discovers with it, so both agree on what a valid
// app is.
package appspec

// Group, Version and Kind identify an app.yaml document.
const (
	Group      = "idp.vibe-coder.biz"
	Version    = "v1alpha1"
	Kind       = "App"
	APIVersion = Group + "/" + Version
)

// App is one app.yaml: a single service owned by a team. Everything a
// platform decides (domain, load balancer, secret store, registries) lives in
// Platform, never here, so an app cannot widen its own limits.
type App struct {
	APIVersion string   `json:"apiVersion" jsonschema:"enum=idp.vibe-coder.biz/v1alpha1"`
	Kind       string   `json:"kind" jsonschema:"enum=App"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata names the app. The name is also its namespace, its Argo CD
// Application and AppProject, its host name and its Backstage entity.
type Metadata struct {
	Name string `json:"name" jsonschema:"minLength=2,maxLength=40,pattern=^[a-z]([-a-z0-9]*[a-z0-9])?$,description=DNS-1035 label: the app's namespace\\, host name\\, Argo CD Application and Backstage entity name."`
}

// Spec describes how the app runs.
type Spec struct {
	// Owner is the Backstage group that owns the app.
	Owner string `json:"owner" jsonschema:"minLength=1,maxLength=63,pattern=^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$,description=Backstage group (entity name) that owns the app."`
	// Description is shown in Backstage and on the dashboard.
	Description string `json:"description,omitempty" jsonschema:"maxLength=256"`
	// Image is the container image, from one of the platform's registries.
	Image string `json:"image" jsonschema:"minLength=1,maxLength=512,description=Container image reference from the app's own repository <registry>/<prefix>/<name> or a shared repository the platform lists; pin it by tag (CI writes the commit SHA) or digest."`
	// Port is the container port the app listens on; the Service and the
	// load balancer route to it.
	Port int32 `json:"port" jsonschema:"minimum=1024,maximum=65535,description=Port the app listens on (non-root: 1024 or above)."`

	Replicas *int32 `json:"replicas,omitempty" jsonschema:"minimum=1,maximum=20,default=2"`
	// Autoscaling, if set, lets a HorizontalPodAutoscaler choose the
	// replicas between its bounds; spec.replicas is then its minimum.
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	Command     []string     `json:"command,omitempty" jsonschema:"maxItems=32"`
	Args        []string     `json:"args,omitempty" jsonschema:"maxItems=64"`
	Env         []EnvVar     `json:"env,omitempty" jsonschema:"maxItems=100"`
	Resources   *Resources   `json:"resources,omitempty"`
	Health      *Health      `json:"health,omitempty"`
	Metrics     *Metrics     `json:"metrics,omitempty"`
	// SLO is what the app promises its users, measured from its own RED
	// metrics; every app with metrics has one (see the defaults).
	SLO       *SLO        `json:"slo,omitempty"`
	Ingress   *Ingress    `json:"ingress,omitempty"`
	Secrets   *Secrets    `json:"secrets,omitempty" jsonschema:"description=Present (even as {}) to sync the app's own secret store entry into its environment; absent\\, the app reads no secret."`
	Lifecycle *Lifecycle  `json:"lifecycle,omitempty"`
	Egress    *EgressRule `json:"egress,omitempty"`
}

// Autoscaling scales the Deployment on CPU use, within the namespace's
// quota (sized for MaxReplicas).
type Autoscaling struct {
	MaxReplicas int32 `json:"maxReplicas" jsonschema:"minimum=1,maximum=20,description=Most replicas the autoscaler may run; at least spec.replicas."`
	// CPUUtilization is the target average CPU use, as a percentage of the
	// CPU request.
	CPUUtilization int32 `json:"cpuUtilization,omitempty" jsonschema:"minimum=10,maximum=100,default=70"`
}

// EnvVar is a plain environment variable. Secret values never go here: they
// come from the app's secret (see Secrets).
type EnvVar struct {
	Name  string `json:"name" jsonschema:"minLength=1,maxLength=128,pattern=^[A-Za-z_][A-Za-z0-9_]*$"`
	Value string `json:"value" jsonschema:"maxLength=4096"`
}

// Resources are the container's requests and limits, as Kubernetes
// quantities.
type Resources struct {
	Requests *ResourceList `json:"requests,omitempty"`
	Limits   *ResourceList `json:"limits,omitempty"`
}

// ResourceList holds CPU and memory quantities such as "250m" and "256Mi".
type ResourceList struct {
	CPU    string `json:"cpu,omitempty" jsonschema:"pattern=^[0-9]+(\\.[0-9]+)?m?$,description=CPU quantity\\, e.g. 100m or 0.5."`
	Memory string `json:"memory,omitempty" jsonschema:"pattern=^[0-9]+(Ki|Mi|Gi)?$,description=Memory quantity\\, e.g. 128Mi."`
}

// Health configures the HTTP probes.
type Health struct {
	Path string `json:"path,omitempty" jsonschema:"pattern=^/[-A-Za-z0-9._~/]*$,maxLength=256,default=/health"`
	// StartupSeconds is how long a slow starter may take before liveness
	// checks begin.
	StartupSeconds int32 `json:"startupSeconds,omitempty" jsonschema:"minimum=2,maximum=600,default=60"`
}

// Metrics configures Prometheus scraping.
type Metrics struct {
	Enabled *bool  `json:"enabled,omitempty" jsonschema:"default=true"`
	Path    string `json:"path,omitempty" jsonschema:"pattern=^/[-A-Za-z0-9._~/]*$,maxLength=256,default=/metrics"`
	// Port is where the app serves Path, apart from the app port so that the
	// load balancer never reaches it; the app reads it from METRICS_PORT.
	// It defaults to DefaultMetricsPort. Equal to the app port (the old
	// layout) stays valid: the ALB then answers Path itself with a 404.
	Port int32 `json:"port,omitempty" jsonschema:"minimum=1024,maximum=65535,default=9464,description=Port the app serves metrics on (env METRICS_PORT)\\, apart from spec.port so the internet never reaches it. Defaults to 9464 (9465 when spec.port is 9464)."`
}

// SLO holds the app's service level objectives over 28 days.
type SLO struct {
	// Availability is the percentage of requests answered without a 5xx.
	Availability float64  `json:"availability,omitempty" jsonschema:"minimum=90,maximum=99.99,default=99.5"`
	Latency      *Latency `json:"latency,omitempty"`
}

// Latency is the share of requests that must be faster than a threshold.
type Latency struct {
	// Objective is the percentage of requests faster than Threshold.
	Objective float64 `json:"objective,omitempty" jsonschema:"minimum=50,maximum=99.99,default=95"`
	// Threshold must be a bucket bound of the templates' request duration
	// histogram, so that the rate of requests under it is exact.
	Threshold string `json:"threshold,omitempty" jsonschema:"enum=5ms,enum=10ms,enum=25ms,enum=50ms,enum=100ms,enum=250ms,enum=500ms,enum=1s,enum=2.5s,enum=5s,default=250ms"`
}

// Ingress exposes the app on the shared load balancer.
type Ingress struct {
	Enabled *bool `json:"enabled,omitempty" jsonschema:"default=true"`
	// Host defaults to <name>.<base domain>, the only host accepted: the
	// platform's certificate covers *.<base domain>, one label deep.
	Host string `json:"host,omitempty" jsonschema:"maxLength=253"`
	Path string `json:"path,omitempty" jsonschema:"pattern=^/[-A-Za-z0-9._~/]*$,maxLength=256,default=/"`
}

// Secrets asks for the app's secret store entry, synced into its Secret and
// read as environment variables. Without it the app reads no secret store
// entry at all; "secrets: {}" asks for the app's own entry with defaults.
type Secrets struct {
	// Key defaults to <prefix>/<name>; only that key or one below it is
	// accepted.
	Key string `json:"key,omitempty" jsonschema:"maxLength=512"`
	// RefreshInterval is how often the store is re-read, as a Go duration.
	RefreshInterval string `json:"refreshInterval,omitempty" jsonschema:"pattern=^([0-9]+(s|m|h))+$,default=1h"`
}

// Lifecycle tunes shutdown for graceful connection draining.
type Lifecycle struct {
	// TerminationGracePeriodSeconds bounds the whole shutdown: the platform
	// fits its preStop and the load balancer's drain inside it.
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty" jsonschema:"minimum=1,maximum=600,default=50"`
}

// EgressRule opens outbound traffic beyond DNS and HTTPS.
type EgressRule struct {
	// HTTPS allows outbound TCP 443 to any address outside the cluster.
	HTTPS *bool `json:"https,omitempty" jsonschema:"default=true"`
}
