package render

import (
	"fmt"
	"math"
	"strconv"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/vibe-coder-biz/idp/appspec"
)

// sloWindows are the rate windows the burn-rate alerts read, recorded once
// so that each alert compares two cheap series.
var sloWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}

// burnAlert is one tier of the Google SRE workbook's multi-window,
// multi-burn-rate alerts (chapter 5, as Sloth and Pyrra generate them): it
// fires when the error budget burns faster than Factor times the rate that
// would spend it exactly over the SLO's window, over both a long window
// (the burn is real) and a short one (it is still going on).
type burnAlert struct {
	Factor      float64
	Long, Short string
}

// The page tier catches a fast burn (2 % of the budget in an hour, 5 % in
// six hours), the ticket tier a slow one (10 % in a day, or spending the
// whole budget before the 28 days are out).
var (
	pageBurns   = []burnAlert{{14.4, "1h", "5m"}, {6, "6h", "30m"}}
	ticketBurns = []burnAlert{{3, "1d", "2h"}, {1, "3d", "6h"}}
)

// sli is one objective: the ratio of bad requests, and its budget.
type sli struct {
	name   string  // availability or latency
	budget float64 // the share of requests allowed to be bad
	bad    string  // what a bad request is, for people
	errors func(window string) string
}

// sloRules records the app's error ratios and alerts on their burn rates,
// labelled with the owning team for routing. Probes and ALB health checks
// (the health path) are not the users' requests and are left out; the
// metrics path is on its own port and never in the app's request metrics.
func sloRules(app *appspec.App) *monitoringv1.PrometheusRule {
	name := app.Metadata.Name
	sel := fmt.Sprintf(`namespace=%q,route!=%q`, name, app.Spec.Health.Path)
	slo := app.Spec.SLO
	le := appspec.LatencyBuckets[slo.Latency.Threshold]
	slis := []sli{{
		name:   "availability",
		budget: budget(slo.Availability),
		bad:    "fail",
		errors: func(w string) string {
			return fmt.Sprintf(`sum(rate(%[1]s{%[2]s,status=~"5.."}[%[3]s])) / sum(rate(%[1]s{%[2]s}[%[3]s]))`, metricRequests, sel, w)
		},
	}, {
		name:   "latency",
		budget: budget(slo.Latency.Objective),
		bad:    "take longer than " + slo.Latency.Threshold,
		errors: func(w string) string {
			return fmt.Sprintf(`1 - (sum(rate(%[1]s_bucket{%[2]s,le=%[4]q}[%[3]s])) / sum(rate(%[1]s_count{%[2]s}[%[3]s])))`, metricDuration, sel, w, le)
		},
	}}
	var groups []monitoringv1.RuleGroup
	for _, s := range slis {
		groups = append(groups, recordGroup(app, s), alertGroup(app, s))
	}
	return &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
		ObjectMeta: meta(app, name+"-slo"),
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: groups},
	}
}

// budget is the share of bad requests an objective in percent allows,
// rounded so that 99.5 reads 0.005 and not 0.0050000000000000044.
func budget(objective float64) float64 {
	return math.Round((100-objective)*1e6) / 1e8
}

func recordName(window string) string {
	return "slo:sli_error:ratio_rate" + window
}

func sloLabels(app *appspec.App, s sli) map[string]string {
	return map[string]string{"app": app.Metadata.Name, "slo": s.name}
}

func recordGroup(app *appspec.App, s sli) monitoringv1.RuleGroup {
	g := monitoringv1.RuleGroup{Name: "slo-" + s.name + "-sli", Interval: ptr(monitoringv1.Duration("30s"))}
	for _, w := range sloWindows {
		g.Rules = append(g.Rules, monitoringv1.Rule{
			Record: recordName(w),
			Expr:   intstr.FromString(s.errors(w)),
			Labels: sloLabels(app, s),
		})
	}
	return g
}

func alertGroup(app *appspec.App, s sli) monitoringv1.RuleGroup {
	sel := fmt.Sprintf(`{app=%q,slo=%q}`, app.Metadata.Name, s.name)
	tier := func(alert, severity, speed string, burns []burnAlert) monitoringv1.Rule {
		expr := ""
		for i, b := range burns {
			if i > 0 {
				expr += "\nor\n"
			}
			threshold := strconv.FormatFloat(math.Round(b.Factor*s.budget*1e9)/1e9, 'g', -1, 64)
			expr += fmt.Sprintf("(%s%s > %s and %s%s > %s)", recordName(b.Long), sel, threshold, recordName(b.Short), sel, threshold)
		}
		labels := sloLabels(app, s)
		labels["severity"], labels["team"] = severity, app.Spec.Owner
		return monitoringv1.Rule{
			Alert:  alert,
			Expr:   intstr.FromString(expr),
			Labels: labels,
			Annotations: map[string]string{
				"summary": fmt.Sprintf("%s is burning its %s error budget %s", app.Metadata.Name, s.name, speed),
				"description": fmt.Sprintf("%s's %s SLO allows %s of requests to %s over 28 days; at the current rate the budget runs out %s.",
					app.Metadata.Name, s.name, strconv.FormatFloat(math.Round(s.budget*1e8)/1e6, 'g', -1, 64)+" %", s.bad, map[string]string{"page": "within days", "ticket": "before the 28 days are out"}[severity]),
			},
		}
	}
	return monitoringv1.RuleGroup{Name: "slo-" + s.name + "-alerts", Rules: []monitoringv1.Rule{
		tier("SLOFastBurn", "page", "fast", pageBurns),
		tier("SLOSlowBurn", "ticket", "slowly", ticketBurns),
	}}
}
