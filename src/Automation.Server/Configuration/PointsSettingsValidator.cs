using Automation.Core.Points;
using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>Stops start-up on a <c>Points</c> setting that would make earning or checkout redemption meaningless, naming the key.</summary>
internal sealed class PointsSettingsValidator : IValidateOptions<PointsSettings>
{
    public const string Section = "Points";

    public ValidateOptionsResult Validate(string? name, PointsSettings options) => Problem(options) is { } problem
        ? ValidateOptionsResult.Fail(problem)
        : ValidateOptionsResult.Success;

    private static string? Problem(PointsSettings o) =>
        o.PerCurrencyUnit is < 0m or > 1_000_000m ? $"Points:PerCurrencyUnit must be from 0 to 1000000, not {o.PerCurrencyUnit}."
        : o.ExpiryMonths is < 1 or > 1200 ? $"Points:ExpiryMonths must be from 1 to 1200, not {o.ExpiryMonths}."
        : o.Value is <= 0m or > 1_000_000m ? $"Points:Value must be above 0 and at most 1000000 (currency units per point), not {o.Value}."
        : o.MinimumRedemption is < 1 ? $"Points:MinimumRedemption must be at least 1 point, not {o.MinimumRedemption}."
        : o.MaxOrderShare is <= 0m or > 1m ? $"Points:MaxOrderShare must be above 0 and at most 1 (a fraction of the order), not {o.MaxOrderShare}."
        : o.QuoteMinutes is < 1 or > 1440 ? $"Points:QuoteMinutes must be from 1 to 1440, not {o.QuoteMinutes}."
        : null;
}
