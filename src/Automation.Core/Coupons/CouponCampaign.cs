using System.Globalization;
using Automation.Core.Journeys;

namespace Automation.Core.Coupons;

/// <summary>Whether a coupon takes an amount or a percentage off.</summary>
public enum CouponValueKind
{
    AmountOff,
    PercentOff,
}

/// <summary>What a coupon is worth: an amount off in a currency, or a percentage off.</summary>
public sealed record CouponValue(CouponValueKind Kind, decimal Amount, string? Currency)
{
    /// <summary>How a customer reads it: <c>15%</c>, or the amount as money in their culture (<c>¥20.00</c>, <c>€20,00</c>).</summary>
    public string Format(CultureInfo culture) => Kind == CouponValueKind.PercentOff
        ? $"{Amount.ToString("0.##", culture)}%"
        : Messaging.LiquidFilters.FormatMoney(Amount, Currency ?? "", culture);
}

/// <summary>
/// When codes of a campaign may be issued, and how long an issued code is good for: from <see cref="Until"/> and
/// <see cref="DaysFromIssue"/>, whichever comes first.
/// </summary>
public sealed record CouponValidity(DateTimeOffset? From, DateTimeOffset? Until, int? DaysFromIssue)
{
    /// <summary>When a code issued at <paramref name="issuedAt"/> expires; null when it never does.</summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset issuedAt)
    {
        DateTimeOffset? fromIssue = DaysFromIssue is { } days ? issuedAt.AddDays(days) : null;
        return (fromIssue, Until) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            ({ } a, null) => a,
            (null, var b) => b,
        };
    }

    /// <summary>Why no code may be issued at <paramref name="at"/>, or null when codes may be issued.</summary>
    public string? Closed(DateTimeOffset at) =>
        From is { } from && at < from ? $"the campaign starts on {from:yyyy-MM-dd}"
        : Until is { } until && at >= until ? $"the campaign ended on {until:yyyy-MM-dd}"
        : null;
}

/// <summary>How generated codes look: <see cref="Prefix"/> then <see cref="Length"/> characters drawn from <see cref="Alphabet"/>.</summary>
public sealed record CouponCodeFormat(string Alphabet, int Length, string Prefix)
{
    /// <summary>Upper-case letters and digits without those read as one another (0/O, 1/I/L): 31 characters.</summary>
    public const string DefaultAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public const int DefaultLength = 10;
}

/// <summary>
/// A coupon campaign, one file of <c>rules/coupons/</c>: what its codes are worth, when they may be issued and used, how
/// many each customer (<see cref="PerCustomer"/>, ever; null: no limit) and the whole campaign may have, who may have them, and where the codes come from (generated
/// here, or imported from the shop when <see cref="Generated"/> is null).
/// </summary>
public sealed record CouponCampaign(
    string Name,
    string? Description,
    CouponValue Value,
    decimal? MinimumSpend,
    CouponValidity Validity,
    int? PerCustomer,
    int? Budget,
    CompiledRule? Eligible,
    CouponCodeFormat? Generated,
    string File)
{
    /// <summary>Codes come from the shop (<c>POST /v1/coupons/{campaign}/codes</c>, <c>automation coupons import</c>).</summary>
    public bool Imported => Generated is null;
}
