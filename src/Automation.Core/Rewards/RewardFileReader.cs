using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Rewards;

/// <summary>
/// Reads rules/rewards.json: a <c>Description</c> and <c>Items</c>, each with <c>Name</c>, <c>Title</c>, <c>Kind</c>
/// (coupon, gift or donation), <c>Points</c>, <c>Value</c>, <c>Stock</c>, <c>Tiers</c>, <c>PerCustomer</c>,
/// <c>Period</c>, <c>Enabled</c>, and <c>Campaign</c> (coupon) or <c>Charity</c> (donation). Problems come as
/// <c>file:line item: reason</c>.
/// </summary>
public static partial class RewardFileReader
{
    public const int MaxItems = 200;
    private const int MaxPoints = 100_000_000;
    private const int MaxStock = 100_000_000;

    private static readonly string[] TopLevelFields = ["$schema", "Description", "Items"];
    private static readonly string[] ItemFields = ["Name", "Title", "Kind", "Points", "Value", "Stock", "Tiers", "PerCustomer", "Period", "Enabled", "Campaign", "Charity"];

    /// <param name="campaignExists">Whether a coupon campaign of this name exists.</param>
    /// <param name="tiers">The tier names in force; null when there is no tiers file (names are not checked then).</param>
    public static (RewardProgram? Program, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, Func<string, bool> campaignExists, IReadOnlyCollection<string>? tiers)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "a rewards file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", TopLevelFields);
        var description = check.OptionalText(top, "Description", "") ?? "";
        var items = new List<RewardItem>();
        if (top["Items"] is not JsonArray array || array.Count > MaxItems)
            check.Add("Items", null, $"must be a list of at most {MaxItems} items");
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
                if (ReadItem(array[i], $"Items[{i}]", names, campaignExists, tiers, check) is { } item) items.Add(item);
        }
        if (check.Problems.Count > 0) return (null, check.Problems);
        return (new RewardProgram(description, items, file), []);
    }

    private static RewardItem? ReadItem(JsonNode? node, string path, HashSet<string> names, Func<string, bool> campaignExists, IReadOnlyCollection<string>? tiers,
        JourneyFileReader.Checker check)
    {
        if (node is not JsonObject item)
        {
            check.Add(path, null, "must be an object { \"Name\": …, \"Kind\": …, \"Points\": … }");
            return null;
        }
        var name = check.RequiredText(item, "Name", path)?.Trim();
        check.UnknownFields(item, path, ItemFields, name);
        if (name is not null && (!ItemName().IsMatch(name) || !names.Add(name)))
            check.Add($"{path}.Name", name, "must be unique and lower-case words joined by '-', such as coupon-10: the API names the item by it");
        var title = check.RequiredText(item, "Title", path, name);
        var kindText = check.RequiredText(item, "Kind", path, name);
        var kind = RewardKinds.Parse(kindText);
        if (kindText is not null && kind is null) check.Add($"{path}.Kind", name, $"'{kindText}' is not a kind of reward: use coupon, gift or donation");
        var points = check.Number(item, "Points", path, name, 1, MaxPoints, whole: true, required: true);
        var value = check.Number(item, "Value", path, name, 0, 1_000_000_000) ?? 0;
        var stock = check.Number(item, "Stock", path, name, 0, MaxStock, whole: true);
        var perCustomer = check.Number(item, "PerCustomer", path, name, 1, 1000, whole: true);
        var period = Period(item, path, name, check);
        if (period != RewardLimitPeriod.Ever && perCustomer is null) check.Add($"{path}.Period", name, "a period needs PerCustomer, the number allowed in it");
        var enabled = check.OptionalBool(item, "Enabled", path, name) ?? true;
        var allowed = Tiers(item, path, name, tiers, check);
        string? campaign = null, charity = null;
        if (kind == RewardKind.Coupon)
        {
            campaign = check.RequiredText(item, "Campaign", path, name);
            if (campaign is not null && !campaignExists(campaign)) check.Add($"{path}.Campaign", name, $"'{campaign}' is not a coupon campaign of rules/coupons/");
        }
        else if (item["Campaign"] is not null) check.Add($"{path}.Campaign", name, "only a coupon item names a campaign");
        if (kind == RewardKind.Donation) charity = check.RequiredText(item, "Charity", path, name);
        else if (item["Charity"] is not null) check.Add($"{path}.Charity", name, "only a donation item names a charity");
        if (name is null || title is null || kind is null || points is null) return null;
        return new RewardItem(name, title, kind.Value, (int)points.Value, value, (int?)stock, allowed, (int?)perCustomer, period, enabled, campaign, charity);
    }

    private static RewardLimitPeriod Period(JsonObject item, string path, string? name, JourneyFileReader.Checker check)
    {
        var text = check.OptionalText(item, "Period", path, name);
        switch (text)
        {
            case null or "ever": return RewardLimitPeriod.Ever;
            case "month": return RewardLimitPeriod.Month;
            case "year": return RewardLimitPeriod.Year;
            default:
                check.Add($"{path}.Period", name, $"'{text}' is not a period: use month, year or ever (UTC calendar)");
                return RewardLimitPeriod.Ever;
        }
    }

    private static List<string> Tiers(JsonObject item, string path, string? name, IReadOnlyCollection<string>? known, JourneyFileReader.Checker check)
    {
        var tiers = new List<string>();
        switch (item["Tiers"])
        {
            case null:
                return tiers;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var at = $"{path}.Tiers[{i}]";
                    if (array[i] is not JsonValue v || !v.TryGetValue<string>(out var tier) || string.IsNullOrWhiteSpace(tier))
                        check.Add(at, name, "must be a tier name");
                    else if (known is not null && !known.Contains(tier, StringComparer.Ordinal))
                        check.Add(at, name, $"'{tier}' is not a tier of rules/tiers.json ({string.Join(", ", known)})");
                    else tiers.Add(tier);
                }
                return tiers;
            default:
                check.Add($"{path}.Tiers", name, "must be a list of tier names, such as [\"Gold\"]; leave it out for every customer");
                return tiers;
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ItemName();
}
