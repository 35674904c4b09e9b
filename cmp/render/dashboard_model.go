// The SDK's v1 dashboard is deprecated for dashboard v2, but the Grafana
// Operator posts spec.json to Grafana's /api/dashboards/db, which takes the
// v1 model only.
//
//lint:file-ignore SA1019 the operator takes the v1 model

package render

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/vibe-coder-biz/idp/appspec"
)

// The metric names the golden-path templates export (prom-client), all with
// the labels method, route and status.
const (
	metricRequests = "http_requests_total"
	metricErrors   = "http_request_errors_total" // the 5xx answers alone
	metricDuration = "http_request_duration_seconds"
)

// dsVar is the dashboard's data source variable: Grafana Cloud names its
// Prometheus data source after the stack, so the dashboard picks the
// stack's default Prometheus instead of naming one.
const dsVar = "datasource"

var promDS = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${" + dsVar + "}")}

// requestSelector picks the users' requests: probes and ALB health checks
// hit the health path, and the metrics path is on its own port and never in
// the request metrics. It is the selector the SLO rules record with.
func requestSelector(app *appspec.App) string {
	return fmt.Sprintf(`namespace=%q,route!=%q`, app.Metadata.Name, app.Spec.Health.Path)
}

// dashboardModel is the app's dashboard as Grafana's JSON model, built with
// Grafana's own typed SDK: a row of RED panels from the request metrics and
// a row of the SLOs' recorded error ratios against their budgets.
func dashboardModel(app *appspec.App, uid string) ([]byte, error) {
	b := dashboard.NewDashboardBuilder(app.Metadata.Name).
		Uid(uid).
		Tags(dashboardTags(app)).
		Editable().
		Timezone(common.TimeZoneBrowser).
		Time("now-6h", "now").
		Refresh("1m").
		WithVariable(dashboard.NewDatasourceVariableBuilder(dsVar).Label("Data source").Type("prometheus"))
	if app.Spec.Description != "" {
		b = b.Description(app.Spec.Description)
	}
	d, err := sloRow(redRow(b, requestSelector(app)), app).Build()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(d, "", "  ")
}

// redRow adds rate, errors and duration of the requests sel picks.
func redRow(b *dashboard.DashboardBuilder, sel string) *dashboard.DashboardBuilder {
	return b.WithRow(dashboard.NewRowBuilder("Requests (RED)").Id(1)).
		WithPanel(panel(2, "Rate", "Requests per second by route: the users' requests, without probes and health checks.", "reqps").
			WithTarget(query("A", fmt.Sprintf(`sum by (route) (rate(%s{%s}[$__rate_interval]))`, metricRequests, sel), "{{route}}"))).
		WithPanel(panel(3, "Errors", "Share of requests answered with a 5xx, by route.", "percentunit").
			WithTarget(query("A", fmt.Sprintf(`sum by (route) (rate(%s{%s}[$__rate_interval])) / sum by (route) (rate(%s{%s}[$__rate_interval]))`, metricErrors, sel, metricRequests, sel), "{{route}}"))).
		WithPanel(panel(4, "Duration", "Request latency quantiles over all routes.", "s").
			WithTarget(durationQuantile("A", "0.5", sel)).
			WithTarget(durationQuantile("B", "0.95", sel)).
			WithTarget(durationQuantile("C", "0.99", sel)))
}

// sloRow adds the app's two SLOs (slo.go records their error ratios).
func sloRow(b *dashboard.DashboardBuilder, app *appspec.App) *dashboard.DashboardBuilder {
	slo := app.Spec.SLO
	return b.WithRow(dashboard.NewRowBuilder("SLOs (error budget)").Id(5)).
		WithPanel(sloPanel(app, 6, "availability", fmt.Sprintf("Share of requests answered with a 5xx, against the %s %% objective's budget.", fmtFloat(slo.Availability)), budget(slo.Availability))).
		WithPanel(sloPanel(app, 7, "latency", fmt.Sprintf("Share of requests slower than %s, against the %s %% objective's budget.", slo.Latency.Threshold, fmtFloat(slo.Latency.Objective)), budget(slo.Latency.Objective)))
}

// dashboardTags: the Backstage entity selects its dashboards by the app's
// name (grafana/dashboard-selector: "tags @> '<name>'"); the owner's tag
// lists a team's dashboards.
func dashboardTags(app *appspec.App) []string {
	return []string{"idp", app.Metadata.Name, "team:" + app.Spec.Owner}
}

// panel is a time series of the stack's Prometheus; ids are fixed so that
// links to a panel (viewPanel=<id>) survive a render.
func panel(id uint32, title, desc, unit string) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Id(id).
		Title(title).
		Description(desc).
		Datasource(promDS).
		Unit(unit).
		Min(0).
		Height(8).
		Span(8).
		Legend(common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom).ShowLegend(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
}

func query(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(ref).Expr(expr).LegendFormat(legend).Range().Datasource(promDS)
}

func durationQuantile(ref, q, sel string) *prometheus.DataqueryBuilder {
	pct, _ := strconv.ParseFloat(q, 64)
	return query(ref, fmt.Sprintf(`histogram_quantile(%s, sum by (le) (rate(%s_bucket{%s}[$__rate_interval])))`, q, metricDuration, sel), "p"+fmtFloat(pct*100))
}

// sloPanel plots the error ratios the SLO rules record, over a short and a
// long window, with the objective's budget as a red line: above it, the
// budget burns faster than the 28 days allow.
func sloPanel(app *appspec.App, id uint32, sli, desc string, budget float64) *timeseries.PanelBuilder {
	series := func(window string) string {
		return fmt.Sprintf(`%s{app=%q,slo=%q}`, recordName(window), app.Metadata.Name, sli)
	}
	return panel(id, "SLO "+sli, desc, "percentunit").
		Span(12).
		WithTarget(query("A", series("5m"), "5m")).
		WithTarget(query("B", series("1h"), "1h")).
		WithTarget(query("C", series("1d"), "1d")).
		Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
			{Color: "green"},
			{Value: cog.ToPtr(budget), Color: "red"},
		})).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine))
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
