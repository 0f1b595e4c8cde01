using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Automation.Core.Messaging;
using Automation.Core.Telemetry;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The Prometheus scrape at /metrics after real ingestion, journeys, a Quartz tick and a send, its protection, and one
/// trace from the ingest request through the journey step to the send.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class TelemetryApiTests(string provider)
{
    private const string MetricsOnlyKey = "metrics-key-0123456789abcdef";
    private const string IngestOnlyKey = "ingest-key-0123456789abcdef";

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private AutomationFactory Factory(Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
            ["Telemetry:OutboxDepthSeconds"] = "1",
            ["Api:Keys:1:Key"] = MetricsOnlyKey, ["Api:Keys:1:Scopes:0"] = "metrics",
            ["Api:Keys:2:Key"] = IngestOnlyKey, ["Api:Keys:2:Scopes:0"] = "ingest",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return new AutomationFactory(_db, _clock, settings: settings).WithShippedJourneys();
    }

    /// <summary>The customer puts something in her cart (cart-recovery), then orders (it exits; welcome-series sends its thank-you at once).</summary>
    private static async Task FirstOrder(HttpClient client, string user)
    {
        (await client.PostAsJsonAsync("/v1/identify", new { userId = user, traits = new { email = $"{user}@example.com", firstName = "Ann" } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/track", new { userId = user, @event = "Product Added", properties = new { product_id = "tea", price = 5 } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/track", new { userId = user, @event = "Order Completed", messageId = $"{user}-order-1", properties = new { order_id = $"{user}-1", total = 20 } }))
            .EnsureSuccessStatusCode();
    }

    private static async Task<IReadOnlyList<PrometheusSample>> Scrape(HttpClient metrics)
    {
        using var response = await metrics.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_scrape_after_an_ingest_and_a_send_has_every_metric_family()
    {
        await using var factory = Factory(new() { ["Scheduler:Enabled"] = "true", ["Scheduler:TickSeconds"] = "1" });
        await File.WriteAllTextAsync(Path.Combine(factory.ContentRoot, "rules", "tiers.json"), "{ not json");
        using var client = factory.CreateAuthorizedClient();
        using var metrics = factory.CreateClient();
        metrics.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsOnlyKey);

        await FirstOrder(client, "u4815");
        var batch = new
        {
            batch = new object[]
            {
                new { type = "track", userId = "u4815", @event = "Order Completed", messageId = "u4815-order-1", properties = new { order_id = "u4815-1", total = 20 } },
                new { type = "track", @event = "No user" },
            },
        };
        (await client.PostAsJsonAsync("/v1/batch", batch)).EnsureSuccessStatusCode();

        // The thank-you waits in the outbox, as the sampler counts it; Quartz ticks as the test moves the clock.
        var queued = await Eventually.Until(async () =>
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            return await Scrape(metrics);
        }, s => s.Sum("automation_outbox_depth", ("automation_outbox_status", "queued"), ("automation_channel", "email")) >= 1
            && s.Sum("automation_scheduler_job_duration_seconds_count", ("automation_job", "journey-tick")) >= 1, what: "the queued thank-you and a tick");
        queued.Sum("automation_scheduler_job_lag_seconds_count", ("automation_job", "journey-tick")).Should().BeGreaterThanOrEqualTo(1);

        while (await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
        var sent = await Eventually.Until(() => Scrape(metrics),
            s => s.Sum("automation_outbox_depth", ("automation_outbox_status", "queued"), ("automation_channel", "email")) == 0, what: "the drained outbox");

        sent.Sum("automation_outbox_deliveries_total", ("automation_channel", "email"), ("automation_delivery_outcome", "sent")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_ingest_messages_total", ("automation_ingest_outcome", "accepted")).Should().BeGreaterThanOrEqualTo(3);
        sent.Sum("automation_ingest_messages_total", ("automation_ingest_outcome", "duplicate")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_ingest_messages_total", ("automation_ingest_outcome", "rejected")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_ingest_groups_total").Should().BeGreaterThanOrEqualTo(3);
        sent.Sum("automation_ingest_derivation_duration_seconds_count").Should().BeGreaterThanOrEqualTo(3);
        sent.Sum("automation_journey_entries_total", ("automation_journey", "cart-recovery")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_journey_entries_total", ("automation_journey", "welcome-series")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_journey_exits_total", ("automation_journey", "cart-recovery"), ("automation_journey_end", "exited")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_journey_steps_total", ("automation_journey", "welcome-series")).Should().BeGreaterThanOrEqualTo(1);
        sent.Sum("automation_rules_reload_failures_total", ("automation_rules_file", "tiers")).Should().BeGreaterThanOrEqualTo(1);
        sent.Should().Contain(s => s.Name == "http_server_request_duration_seconds_count", "ASP.NET Core's own metrics are exported");
        sent.Should().Contain(s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal), "the runtime's metrics are exported");
        // Low cardinality: no customer, address or message id in any label.
        sent.SelectMany(s => s.Labels.Values).Should().NotContain(v => v.Contains("4815", StringComparison.Ordinal) || v.Contains('@', StringComparison.Ordinal));
    }

    [Test]
    public async Task A_scrape_without_a_key_with_the_metrics_scope_is_refused()
    {
        await using var factory = Factory();
        using var anonymous = factory.CreateClient();
        (await anonymous.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var ingestOnly = factory.CreateClient();
        ingestOnly.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestOnlyKey);
        (await ingestOnly.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // The scope goes no further than the scrape.
        using var metricsOnly = factory.CreateClient();
        metricsOnly.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsOnlyKey);
        (await metricsOnly.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await metricsOnly.GetAsync("/v1/messages")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_ingest_request_the_journey_step_it_fired_and_the_send_share_one_trace()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is AutomationMetrics.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) activities.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var factory = Factory();
        using var client = factory.CreateAuthorizedClient();

        await FirstOrder(client, "tess");
        while (await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }

        Activity[] seen;
        lock (activities) seen = [.. activities];
        var step = seen.Single(a => a.OperationName == "journey.step" && (string?)a.GetTagItem("automation.journey") == "welcome-series");
        var send = seen.Single(a => a.OperationName == "outbox.send" && a.TraceId == step.TraceId);
        send.ParentSpanId.Should().Be(step.SpanId, "the send continues the step that queued the message");
        ((string?)send.GetTagItem("automation.delivery.outcome")).Should().Be("sent");
        var group = seen.Single(a => a.OperationName == "ingest.group" && a.SpanId == step.ParentSpanId);
        var request = seen.Single(a => a.SpanId == group.ParentSpanId);
        request.Kind.Should().Be(ActivityKind.Server);
        request.Source.Name.Should().Be("Microsoft.AspNetCore");
        new[] { group.TraceId, step.TraceId, send.TraceId }.Should().AllBeEquivalentTo(request.TraceId);
    }
}
