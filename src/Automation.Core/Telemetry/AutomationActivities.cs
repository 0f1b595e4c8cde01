using System.Diagnostics;

namespace Automation.Core.Telemetry;

/// <summary>
/// The server's spans: an ingest group's derivation, the journey steps it fires and the dispatcher's send share one
/// trace. The outbox row keeps the W3C <c>traceparent</c> of the step that queued it, so the send, minutes or hours
/// later, is a child of that step.
/// </summary>
public static class AutomationActivities
{
    /// <summary>Spans every component starts; exporters listen to <see cref="AutomationMetrics.Name"/>.</summary>
    public static readonly ActivitySource Source = new(AutomationMetrics.Name);

    /// <summary>The current span as a W3C traceparent, for a row that another process picks up later; null when none is recorded.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { Recorded: true } current ? current.Id : null;

    /// <summary>A span whose parent is the stored traceparent (none when it is missing or malformed).</summary>
    public static Activity? StartFrom(string name, string? traceParent, ActivityKind kind = ActivityKind.Internal) =>
        ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
}
