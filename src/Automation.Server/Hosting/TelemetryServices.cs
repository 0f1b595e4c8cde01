using Automation.Core.Telemetry;
using Automation.Server.Configuration;
using Automation.Server.Http;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Automation.Server.Hosting;

/// <summary>
/// Metrics for Prometheus at <c>/metrics</c>, behind an API key with the <c>metrics</c> scope: the same keys and
/// reloads as the API, through any proxy in front of it, and no second port to bind and firewall. Traces go over OTLP
/// only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; without it no span is even created.
/// </summary>
internal static class TelemetryServices
{
    public const string MetricsPath = "/metrics";

    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddHostedService<OutboxDepthSampler>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("automation"))
            .WithMetrics(metrics => metrics
                .AddMeter(AutomationMetrics.Name)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
        {
            telemetry.WithTracing(tracing => tracing.AddSource(AutomationMetrics.Name).AddAspNetCoreInstrumentation());
            telemetry.UseOtlpExporter();
        }
    }

    public static void MapTelemetry(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiScopes.Metrics);
}
