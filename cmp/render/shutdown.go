package render

// A pod behind the shared ALB (target type ip) shuts down on two clocks at
// once. When it is deleted the kubelet runs the preStop, then sends SIGTERM,
// and kills it terminationGracePeriodSeconds after the delete. Meanwhile the
// AWS Load Balancer Controller sees the endpoint go and deregisters the
// pod's IP: from then the ALB sends it no new request and lets in-flight ones
// finish for the target group's deregistration delay (300 s unless set).
// The EKS best-practices guide (load balancing, "Gracefully handle the
// client requests") therefore delays SIGTERM with a preStop sleep until the
// load balancer has stopped routing, and the delay must end before the kill.
const (
	// deregisterSeconds is how long the preStop keeps the pod serving while
	// the delete travels watch -> controller reconcile -> ELB API -> ALB
	// nodes. The guide's example sleeps 10 s for kube-proxy alone; the
	// controller's reconcile and the ELB API call come on top, so 15 s.
	deregisterSeconds = 15
	// exitSeconds is what the app keeps, after the ALB's drain, to close its
	// last connections and exit before SIGKILL.
	exitSeconds = 5
)

// shutdown is one pod's termination timeline, in seconds from the delete.
type shutdown struct {
	preStop int64 // the preStop sleep; 0 renders no preStop hook
	drain   int64 // the ALB target group's deregistration delay
}

// shutdownFor fits the timeline in a grace period. The default grace period
// (appspec.DefaultGracePeriod, 50 s) gives the full 15 s preStop, a 30 s
// drain and 5 s to exit. A longer one lengthens the drain: the app asked for
// time to finish long requests. A shorter one, which old app.yaml files may
// set, shrinks the preStop to at most half of it, so the kubelet never kills
// mid-preStop and the app keeps the other half after SIGTERM; the drain then
// ends at least exitSeconds (or half the remaining time) before the kill.
// Always: preStop < grace and preStop + drain < grace.
func shutdownFor(grace int64) shutdown {
	preStop := min(deregisterSeconds, grace/2)
	left := grace - preStop
	return shutdown{preStop: preStop, drain: max(left-exitSeconds, left/2)}
}
