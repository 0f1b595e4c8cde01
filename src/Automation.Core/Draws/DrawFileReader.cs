using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Draws;

/// <summary>What a draw file's names are checked against: the tiers of rules/tiers.json and the coupon campaigns, where known.</summary>
/// <param name="Tiers">The tier names in force; null when there is no tiers file (names are not checked then).</param>
/// <param name="CampaignExists">Whether a coupon campaign of this name exists; null when campaigns are not checked.</param>
public sealed record DrawReadContext(IReadOnlyCollection<string>? Tiers, Func<string, bool>? CampaignExists)
{
    public static DrawReadContext Unchecked { get; } = new(null, null);
}

/// <summary>
/// Reads one <c>rules/draws/&lt;name&gt;.json</c>: <c>EntryCost</c>, <c>Prizes</c> (each <c>Name</c>, <c>Kind</c>,
/// <c>Weight</c>, <c>Stock</c>, and <c>Campaign</c> or <c>Points</c>), <c>DailyLimit</c>, <c>From</c>/<c>Until</c> and
/// <c>EligibleTiers</c>. Problems come as <c>file:line prize: reason</c>.
/// </summary>
public static partial class DrawFileReader
{
    public const int MaxPrizes = 50;
    private const int MaxWeight = 1_000_000;
    private const int MaxAmount = 1_000_000;
    private const int MaxStock = 100_000_000;

    private static readonly string[] TopLevelFields = ["$schema", "Description", "EntryCost", "DailyLimit", "From", "Until", "EligibleTiers", "Prizes"];
    private static readonly string[] PrizeFields = ["Name", "Kind", "Weight", "Stock", "Campaign", "Points"];

    public static (Draw? Draw, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, DrawReadContext context)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "a draw file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", TopLevelFields);

        var name = Path.GetFileNameWithoutExtension(file);
        if (!DrawName().IsMatch(name)) check.Add("file name", null, $"'{name}' must be lower-case words joined by '-', such as weekly-points-draw: the API names the draw by it");
        var description = check.OptionalText(top, "Description", "") ?? "";
        var cost = Whole(top, "EntryCost", "", null, check, min: 1, max: MaxAmount, required: true);
        var dailyLimit = Whole(top, "DailyLimit", "", null, check, min: 1, max: 1000);
        var from = Instant(top, "From", check);
        var until = Instant(top, "Until", check);
        if (from is not null && until is not null && until <= from) check.Add("Until", null, "must be after From");
        var tiers = ReadTiers(top, context, check);
        var prizes = ReadPrizes(top, context, check);
        if (check.Problems.Count > 0) return (null, check.Problems);
        return (new Draw(name, description, cost!.Value, prizes, dailyLimit, from, until, tiers, file), []);
    }

    private static List<string> ReadTiers(JsonObject top, DrawReadContext context, JourneyFileReader.Checker check)
    {
        var tiers = new List<string>();
        switch (top["EligibleTiers"])
        {
            case null:
                return tiers;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = $"EligibleTiers[{i}]";
                    if (array[i] is not JsonValue v || !v.TryGetValue<string>(out var tier) || string.IsNullOrWhiteSpace(tier))
                        check.Add(path, null, "must be a tier name");
                    else if (context.Tiers is { } known && !known.Contains(tier, StringComparer.Ordinal))
                        check.Add(path, null, $"'{tier}' is not a tier of rules/tiers.json ({string.Join(", ", known)})");
                    else tiers.Add(tier);
                }
                return tiers;
            default:
                check.Add("EligibleTiers", null, "must be a list of tier names, such as [\"Silver\", \"Gold\"]; leave it out to let every customer enter");
                return tiers;
        }
    }

    private static List<DrawPrize> ReadPrizes(JsonObject top, DrawReadContext context, JourneyFileReader.Checker check)
    {
        var prizes = new List<DrawPrize>();
        if (top["Prizes"] is not JsonArray array || array.Count is 0 or > MaxPrizes)
        {
            check.Add("Prizes", null, $"must be a list of 1 to {MaxPrizes} prizes");
            return prizes;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"Prizes[{i}]";
            if (array[i] is not JsonObject prize)
            {
                check.Add(path, null, "must be an object { \"Name\": …, \"Kind\": …, \"Weight\": …, \"Stock\": … }");
                continue;
            }
            var name = check.RequiredText(prize, "Name", path)?.Trim();
            check.UnknownFields(prize, path, PrizeFields, name);
            if (name is not null && (name.Length > 40 || !names.Add(name))) check.Add($"{path}.Name", name, "must be unique within the draw and at most 40 characters");
            var kind = Kind(prize, path, name, check);
            var weight = Whole(prize, "Weight", path, name, check, min: 1, max: MaxWeight, required: true);
            var stock = Whole(prize, "Stock", path, name, check, min: 0, max: MaxStock, required: kind is PrizeKind.Coupon or PrizeKind.Points);
            var campaign = kind == PrizeKind.Coupon ? Campaign(prize, path, name, context, check) : null;
            var points = kind == PrizeKind.Points ? Whole(prize, "Points", path, name, check, min: 1, max: MaxAmount, required: true) : null;
            if (kind != PrizeKind.Coupon && prize["Campaign"] is not null) check.Add($"{path}.Campaign", name, "only a coupon prize names a campaign");
            if (kind != PrizeKind.Points && prize["Points"] is not null) check.Add($"{path}.Points", name, "only a points prize gives points");
            if (name is not null && kind is not null && weight is not null)
                prizes.Add(new DrawPrize(name, kind.Value, weight.Value, stock, campaign, points ?? 0));
        }
        return prizes;
    }

    private static PrizeKind? Kind(JsonObject prize, string path, string? name, JourneyFileReader.Checker check)
    {
        var text = check.RequiredText(prize, "Kind", path, name);
        var kind = PrizeKinds.Parse(text);
        if (text is not null && kind is null) check.Add($"{path}.Kind", name, $"'{text}' is not a kind of prize: use coupon, points or nothing");
        return kind;
    }

    private static string? Campaign(JsonObject prize, string path, string? name, DrawReadContext context, JourneyFileReader.Checker check)
    {
        var campaign = check.RequiredText(prize, "Campaign", path, name);
        if (campaign is not null && context.CampaignExists is { } exists && !exists(campaign))
            check.Add($"{path}.Campaign", name, $"'{campaign}' is not a coupon campaign of rules/coupons/");
        return campaign;
    }

    private static DateTimeOffset? Instant(JsonObject top, string field, JourneyFileReader.Checker check)
    {
        var text = check.OptionalText(top, field, "");
        if (text is null) return null;
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
            return at;
        check.Add(field, null, $"'{text}' must be a date and time with its offset, such as 2026-12-01T00:00:00+08:00");
        return null;
    }

    private static int? Whole(JsonObject obj, string field, string path, string? prize, JourneyFileReader.Checker check, int min, int max, bool required = false)
    {
        var at = JourneyFileReader.Checker.Join(path, field);
        switch (obj[field])
        {
            case null:
                if (required) check.Add(at, prize, "is required");
                return null;
            case JsonValue v when v.TryGetValue<int>(out var n) && n >= min && n <= max:
                return n;
            default:
                check.Add(at, prize, $"must be a whole number from {min} to {max.ToString("N0", CultureInfo.InvariantCulture)}");
                return null;
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex DrawName();
}
