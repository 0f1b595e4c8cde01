using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>The <c>Ingestion</c> section: how incoming messages are read.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>
    /// How far ahead of the receive time (after the <c>sentAt</c> correction) a timestamp may be before it is taken
    /// as a device clock gone wrong and replaced by the receive time.
    /// </summary>
    public int FutureToleranceMinutes { get; set; } = 5;
}

internal sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options) => options.FutureToleranceMinutes < 0
        ? ValidateOptionsResult.Fail($"Ingestion:FutureToleranceMinutes must be 0 or more, not {options.FutureToleranceMinutes}.")
        : ValidateOptionsResult.Success;
}
