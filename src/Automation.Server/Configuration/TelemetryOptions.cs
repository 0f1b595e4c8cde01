using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>
/// The <c>Telemetry</c> section. Metrics are always on at <c>/metrics</c> (API keys with the <c>metrics</c> scope);
/// traces are exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (docs/operations.md).
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>How often the outbox depth gauge counts the waiting messages (one grouped COUNT, whatever the scrapes).</summary>
    public int OutboxDepthSeconds { get; set; } = 15;
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) => options.OutboxDepthSeconds < 1
        ? ValidateOptionsResult.Fail($"Telemetry:OutboxDepthSeconds must be 1 or more, not {options.OutboxDepthSeconds}.")
        : ValidateOptionsResult.Success;
}
