package gitlabfake

import (
	"net/http"
	"strconv"
	"time"
)

// rateLimit is a Rack::Attack-style fixed window: windows are aligned to
// multiples of the period since the Unix epoch and every request, throttled
// or not, counts.
type rateLimit struct {
	limit     int
	period    time.Duration
	windowEnd time.Time
	observed  int
	throttled int // 429s answered since the last ResetCounts
}

// Throttled returns how many requests the rate limit answered with 429
// since the last ResetCounts.
func (f *Fake) Throttled() int {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	return f.limit.throttled
}

// SetRateLimit throttles the API to requestsPerMinute requests per one-minute
// window, counted over all endpoints and callers (GitLab counts per user; the
// fake has one). Zero or less removes the limit.
//
// As GitLab.com documents, every response then carries RateLimit-Name,
// RateLimit-Limit, RateLimit-Observed, RateLimit-Remaining and RateLimit-Reset
// (Unix seconds), and a throttled one is a 429 "Retry later" with Retry-After
// (seconds) and RateLimit-ResetTime added. Beware that client-go configures a
// client-side limiter from the first RateLimit-Limit it sees (2/3 of the rate,
// bursts of 1/3), so a client-go caller slows itself down once a limit is set.
func (f *Fake) SetRateLimit(requestsPerMinute int) {
	f.SetRateLimitPeriod(requestsPerMinute, time.Minute)
}

// SetRateLimitPeriod is SetRateLimit with a window other than a minute, so
// tests can watch a window reset without waiting a minute. RateLimit-Limit is
// still reported per minute, as GitLab adjusts it.
func (f *Fake) SetRateLimitPeriod(limit int, period time.Duration) {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	if period <= 0 {
		period = time.Minute
	}
	f.limit = rateLimit{limit: limit, period: period, throttled: f.limit.throttled}
}

// applyRateLimit counts the request, sets the RateLimit headers and answers
// 429 when the window is exhausted; it reports whether to proceed.
func (f *Fake) applyRateLimit(w http.ResponseWriter) bool {
	f.reqMu.Lock()
	rl := &f.limit
	if rl.limit <= 0 {
		f.reqMu.Unlock()
		return true
	}
	now := f.now()
	ns := now.UnixNano()
	end := time.Unix(0, ns-ns%int64(rl.period)+int64(rl.period))
	if !end.Equal(rl.windowEnd) {
		rl.windowEnd, rl.observed = end, 0
	}
	rl.observed++
	observed, limit := rl.observed, rl.limit
	if observed > limit {
		rl.throttled++
	}
	perMinute := int(float64(limit) * float64(time.Minute) / float64(rl.period))
	f.reqMu.Unlock()

	h := w.Header()
	h.Set("RateLimit-Name", "throttle_authenticated_api")
	h.Set("RateLimit-Limit", strconv.Itoa(perMinute))
	h.Set("RateLimit-Observed", strconv.Itoa(observed))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, limit-observed)))
	h.Set("RateLimit-Reset", strconv.FormatInt(end.Unix(), 10))
	if observed <= limit {
		return true
	}
	wait := end.Sub(now)
	h.Set("Retry-After", strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second))))
	h.Set("RateLimit-ResetTime", end.UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte("Retry later\n"))
	return false
}
