using System.Text.Json.Nodes;
using Automation.Core.Journeys;

namespace Automation.Core.Referrals;

/// <summary>
/// The referral program, rules/referrals.json: the link each customer shares (<see cref="Link"/> with <c>{code}</c>
/// replaced), and what the referrer gets for a referred customer's first order once <see cref="RefundWindowDays"/>
/// have passed without it being refunded — <see cref="RewardPoints"/> or a coupon of <see cref="RewardCoupon"/>.
/// </summary>
public sealed record ReferralProgram(string Link, int RefundWindowDays, int? RewardPoints, string? RewardCoupon)
{
    public string LinkFor(string code) => Link.Replace("{code}", Uri.EscapeDataString(code), StringComparison.Ordinal);
}

/// <summary>Reads rules/referrals.json (schema: rules/referrals.schema.json); problems come as <c>file:line: field: reason</c>.</summary>
public static class ReferralFileReader
{
    private static readonly string[] Fields = ["$schema", "Description", "Link", "RefundWindowDays", "Reward"];
    private static readonly string[] RewardFields = ["Points", "Coupon"];

    /// <param name="couponExists">Whether a coupon campaign of that name exists; null skips the check.</param>
    public static (ReferralProgram? Program, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, Func<string, bool>? couponExists)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "the referrals file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", Fields);
        check.OptionalText(top, "Description", "");
        var link = check.RequiredText(top, "Link", "");
        if (link is not null && (!link.Contains("{code}", StringComparison.Ordinal) || !Uri.TryCreate(link.Replace("{code}", "X", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            check.Add("Link", null, "must be an http(s) address of the shop with {code} where the referral code goes, such as https://shop.example/?ref={code}");
        var window = top["RefundWindowDays"] is JsonValue w && w.TryGetValue<int>(out var days) && days is >= 0 and <= 365 ? days : (int?)null;
        if (window is null) check.Add("RefundWindowDays", null, "is required: whole days from 0 to 365 a first order must stay unrefunded before the referrer is rewarded");

        int? points = null;
        string? coupon = null;
        if (top["Reward"] is not JsonObject reward)
        {
            check.Add("Reward", null, "is required: { \"Points\": 500 } or { \"Coupon\": \"<campaign of rules/coupons/>\" }");
        }
        else
        {
            check.UnknownFields(reward, "Reward", RewardFields);
            if (reward.ContainsKey("Points") == reward.ContainsKey("Coupon")) check.Add("Reward", null, "must give exactly one of Points and Coupon");
            if (reward["Points"] is { } p)
            {
                if (p is JsonValue pv && pv.TryGetValue<int>(out var n) && n > 0) points = n;
                else check.Add("Reward.Points", null, "must be a whole number above 0");
            }
            coupon = check.OptionalText(reward, "Coupon", "Reward");
            if (coupon is not null && couponExists is not null && !couponExists(coupon)) check.Add("Reward.Coupon", null, $"no coupon campaign '{coupon}' in rules/coupons/");
        }
        return check.Problems.Count > 0 ? (null, check.Problems) : (new ReferralProgram(link!, window!.Value, points, coupon), []);
    }
}

/// <summary>The referral program in force; a bad rules/referrals.json is reported and the last good one keeps running; without the file, no rewards.</summary>
public sealed class ReferralCatalog(Coupons.CouponCatalog coupons) : LastGoodFile<ReferralProgram>
{
    public ReferralProgram? Program => Current;

    protected override (ReferralProgram? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
        ReferralFileReader.Read(file, utf8, name => coupons.Find(name) is not null);
}
