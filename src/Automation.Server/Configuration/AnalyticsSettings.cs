using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>The <c>Analytics</c> settings: targets the reports draw as reference lines.</summary>
internal sealed class AnalyticsSettings
{
    public const string Section = "Analytics";

    /// <summary>
    /// The share of orders and revenue returning customers should bring, 0 to 1; null draws no line. appsettings.json
    /// ships the playbook's 0.5 (老客复购占比 50 % 以上).
    /// </summary>
    public double? ReturningShareTarget { get; init; }
}

/// <summary>Stops start-up on a target that is not a share, naming the key.</summary>
internal sealed class AnalyticsSettingsValidator : IValidateOptions<AnalyticsSettings>
{
    public ValidateOptionsResult Validate(string? name, AnalyticsSettings options) => Problem(options) is { } problem
        ? ValidateOptionsResult.Fail(problem)
        : ValidateOptionsResult.Success;

    /// <summary>What is wrong with <paramref name="options"/>, or null.</summary>
    public static string? Problem(AnalyticsSettings options) => options.ReturningShareTarget is { } target && !(target is >= 0 and <= 1)
        ? $"Analytics:ReturningShareTarget must be a share from 0 to 1 (0.5 is 50 %), not {target}."
        : null;
}
