using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Teams;

/// <summary>
/// Reads one team campaign file, rules/teams/&lt;name&gt;.json (schema: rules/teams.schema.json). Problems come as
/// <c>file:line: field: reason</c>; a file with any problem gives no campaign.
/// </summary>
public static partial class TeamCampaignReader
{
    public const int MaxTeamSize = 50;
    public const decimal MaxPool = 1_000_000m;
    public static readonly TimeSpan MaxTimeLimit = TimeSpan.FromDays(30);

    private static readonly string[] Fields =
        ["$schema", "Name", "Description", "Enabled", "Pool", "Currency", "TeamSize", "TimeLimit", "Split", "Floor", "Coupon", "IfUnfilled", "ConsolationCoupon"];

    /// <param name="couponExists">Whether a coupon campaign of that name exists; null skips the check.</param>
    public static (TeamCampaign? Campaign, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, Func<string, bool>? couponExists)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "a team campaign file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", Fields);

        var name = check.RequiredText(top, "Name", "");
        var expected = Path.GetFileNameWithoutExtension(file);
        if (name is not null && !CampaignName().IsMatch(name)) check.Add("Name", null, $"'{name}' must be lower-case words or numbers joined by '-', such as three-split-150");
        else if (name is not null && name != expected) check.Add("Name", null, $"'{name}' must match the file name '{expected}'");

        var pool = Amount(top, "Pool", check, required: true, min: 0.01m, max: MaxPool);
        var currency = check.RequiredText(top, "Currency", "");
        if (currency is not null && !CurrencyCode().IsMatch(currency)) check.Add("Currency", null, $"'{currency}' must be an ISO 4217 code such as CNY");
        var size = top["TeamSize"] is JsonValue s && s.TryGetValue<int>(out var n) && n is >= 2 and <= MaxTeamSize ? n : (int?)null;
        if (size is null) check.Add("TeamSize", null, $"must be a whole number from 2 to {MaxTeamSize}: the initiator and the friends they need");

        if (top["TimeLimit"] is null) check.Add("TimeLimit", null, "is required: how long the team has to fill, such as PT24H");
        var limit = check.Duration(top, "TimeLimit", "");
        if (limit > MaxTimeLimit) check.Add("TimeLimit", null, "must be at most P30D");

        var split = check.RequiredText(top, "Split", "") switch
        {
            null => (SplitKind?)null,
            "equal" => SplitKind.Equal,
            "random" => SplitKind.Random,
            var other => Problem<SplitKind>(check, "Split", $"'{other}' must be \"equal\" or \"random\""),
        };
        var floor = Amount(top, "Floor", check, required: split == SplitKind.Random, min: 0m, max: MaxPool) ?? 0m;
        if (split == SplitKind.Equal && top["Floor"] is not null) check.Add("Floor", null, "applies to the random split only: an equal split has no floor");
        if (pool is not null && size is not null && floor * size > pool)
            check.Add("Floor", null, $"{floor} for each of {size} members exceeds the pool of {pool}");

        var coupon = CouponName(top, "Coupon", check, couponExists, required: true);
        var unfilled = top["IfUnfilled"] is null ? UnfilledOutcome.Nothing : check.OptionalText(top, "IfUnfilled", "") switch
        {
            "nothing" => UnfilledOutcome.Nothing,
            "consolation" => UnfilledOutcome.Consolation,
            var other => Problem<UnfilledOutcome>(check, "IfUnfilled", $"'{other}' must be \"nothing\" or \"consolation\""),
        };
        if (unfilled == UnfilledOutcome.Consolation && top["ConsolationCoupon"] is null)
            check.Add("IfUnfilled", null, "\"consolation\" needs ConsolationCoupon: the coupon campaign members of an unfilled team get");
        var consolation = CouponName(top, "ConsolationCoupon", check, couponExists, required: false);
        if (unfilled == UnfilledOutcome.Nothing && top["ConsolationCoupon"] is not null)
            check.Add("ConsolationCoupon", null, "is given only with \"IfUnfilled\": \"consolation\"");

        var description = check.OptionalText(top, "Description", "") ?? "";
        var enabled = check.OptionalBool(top, "Enabled", "") ?? true;
        if (check.Problems.Count > 0) return (null, check.Problems);
        return (new TeamCampaign(name!, description, pool!.Value, currency!, size!.Value, limit!.Value, split!.Value, floor, coupon!, unfilled!.Value, consolation, enabled), []);
    }

    private static T? Problem<T>(JourneyFileReader.Checker check, string field, string reason) where T : struct
    {
        check.Add(field, null, reason);
        return null;
    }

    private static decimal? Amount(JsonObject top, string field, JourneyFileReader.Checker check, bool required, decimal min, decimal max)
    {
        switch (top[field])
        {
            case null:
                if (required) check.Add(field, null, "is required");
                return null;
            case JsonValue v when v.TryGetValue<decimal>(out var amount) && amount >= min && amount <= max && decimal.Round(amount, 2) == amount:
                return amount;
            default:
                check.Add(field, null, $"must be an amount from {min} to {max} with at most two decimals");
                return null;
        }
    }

    private static string? CouponName(JsonObject top, string field, JourneyFileReader.Checker check, Func<string, bool>? couponExists, bool required)
    {
        var name = required ? check.RequiredText(top, field, "") : check.OptionalText(top, field, "");
        if (name is not null && couponExists is not null && !couponExists(name))
            check.Add(field, null, $"no coupon campaign '{name}' in rules/coupons/");
        return name;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex CampaignName();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}
