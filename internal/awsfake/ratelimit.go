package awsfake

import (
	"net/http"
	"time"
)

// rateLimit is a fixed window aligned to multiples of the period since the
// Unix epoch; every request, throttled or not, counts. AWS's quotas are
// token buckets per account, region and API, but a window is enough to make
// a client see ThrottlingException, and is deterministic under a test clock.
type rateLimit struct {
	limit     int
	period    time.Duration
	windowEnd time.Time
	observed  int
}

// SetRateLimit throttles a service ("secretsmanager" or "sts") to limit
// requests per period, counted over all its operations and callers. Beyond
// it requests get HTTP 400 ThrottlingException "Rate exceeded" (Throttling
// for STS), which the AWS SDKs retry with backoff. A limit of zero or less
// removes the limit; a period of zero or less means one second, the unit of
// AWS's quotas.
func (f *Fake) SetRateLimit(service string, limit int, period time.Duration) {
	if period <= 0 {
		period = time.Second
	}
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	if limit <= 0 {
		delete(f.limits, service)
		return
	}
	f.limits[service] = &rateLimit{limit: limit, period: period}
}

// applyRateLimit counts the request and answers it when the window is
// exhausted; it reports whether to proceed.
func (f *Fake) applyRateLimit(rq *request) bool {
	f.reqMu.Lock()
	rl := f.limits[rq.svc]
	if rl == nil {
		f.reqMu.Unlock()
		return true
	}
	ns := f.now().UnixNano()
	end := time.Unix(0, ns-ns%int64(rl.period)+int64(rl.period))
	if !end.Equal(rl.windowEnd) {
		rl.windowEnd, rl.observed = end, 0
	}
	rl.observed++
	ok := rl.observed <= rl.limit
	f.reqMu.Unlock()
	if !ok {
		rq.fail(throttled(rq.svc, http.StatusBadRequest))
	}
	return ok
}
