using System.Globalization;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>The <c>Guardrails</c> section: limits on marketing messages, checked as a dispatcher claims them.</summary>
public sealed class GuardrailsOptions
{
    public const string Section = "Guardrails";

    /// <summary>Most marketing messages per customer per channel in 24 hours; 0 for no cap.</summary>
    public int PerDay { get; set; } = 1;

    /// <summary>Most per 7 days; 0 for no cap.</summary>
    public int PerWeek { get; set; } = 3;

    /// <summary><c>HH:mm-HH:mm</c> in the customer's time zone, during which marketing waits; empty for none.</summary>
    public string QuietHours { get; set; } = "21:00-09:00";

    internal GuardrailSettings ToSettings()
    {
        if (string.IsNullOrWhiteSpace(QuietHours)) return new GuardrailSettings(PerDay, PerWeek, TimeOnly.MinValue, TimeOnly.MinValue);
        var (start, end) = ParseQuietHours(QuietHours)!.Value;
        return new GuardrailSettings(PerDay, PerWeek, start, end);
    }

    internal static (TimeOnly Start, TimeOnly End)? ParseQuietHours(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
            ? (start, end)
            : null;
    }
}

internal sealed class GuardrailsOptionsValidator : IValidateOptions<GuardrailsOptions>
{
    public ValidateOptionsResult Validate(string? name, GuardrailsOptions options)
    {
        if (options.PerDay < 0 || options.PerWeek < 0) return ValidateOptionsResult.Fail("Guardrails:PerDay and Guardrails:PerWeek must be 0 (no cap) or more.");
        if (!string.IsNullOrWhiteSpace(options.QuietHours) && GuardrailsOptions.ParseQuietHours(options.QuietHours) is null)
            return ValidateOptionsResult.Fail($"Guardrails:QuietHours must look like 21:00-09:00 (or be empty for none), not '{options.QuietHours}'.");
        return ValidateOptionsResult.Success;
    }
}
