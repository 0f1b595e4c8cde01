using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Presales;

/// <summary>
/// Reads rules/presales.json: <c>Sales</c>, each with <c>Name</c>, <c>Title</c>, <c>Products</c> (a list of product ids
/// or SKUs, or <c>"all"</c>), <c>OpensAt</c> (when everyone may buy, with its offset), optional <c>EndsAt</c>,
/// <c>EarlyAccess</c> (<c>MaxHours</c> capping the tiers' <c>early_access_hours</c> perk, <c>Tiers</c> setting hours per
/// tier), <c>AnnounceToEveryone</c> and <c>AnnounceBy</c> (<c>events</c> or <c>broadcast</c>). Problems come as <c>file:line sale: reason</c>.
/// </summary>
public static partial class PresaleFileReader
{
    public const int MaxSales = 200;
    public const int MaxProducts = 10_000;
    public const int MaxEarlyHours = 24 * 30;

    /// <summary>The longest product id or SKU a sale or a question may name.</summary>
    public const int MaxProductLength = 100;

    private static readonly string[] TopLevelFields = ["$schema", "Description", "Sales"];
    private static readonly string[] SaleFields = ["Name", "Title", "Description", "Products", "OpensAt", "EndsAt", "EarlyAccess", "AnnounceToEveryone", "AnnounceBy"];
    private static readonly string[] EarlyFields = ["MaxHours", "Tiers"];

    /// <param name="tiers">The tier names of rules/tiers.json; null when there is no tiers file (names are not checked then).</param>
    public static (IReadOnlyList<Presale>? Sales, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, IReadOnlyCollection<string>? tiers)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "the pre-sales file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", TopLevelFields);
        check.OptionalText(top, "Description", "");
        var sales = new List<Presale>();
        if (top["Sales"] is not JsonArray array || array.Count > MaxSales)
        {
            check.Add("Sales", null, $"must be a list of at most {MaxSales} pre-sales (empty for none)");
            return (null, check.Problems);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"Sales[{i}]";
            if (array[i] is not JsonObject sale)
            {
                check.Add(path, null, "must be an object { \"Name\": …, \"Title\": …, \"Products\": …, \"OpensAt\": … }");
                continue;
            }
            if (ReadSale(sale, path, tiers, check) is { } read)
            {
                if (names.Add(read.Name)) sales.Add(read);
                else check.Add($"{path}.Name", read.Name, "another sale has this name already: names must be unique");
            }
        }
        return check.Problems.Count > 0 ? (null, check.Problems) : (sales, []);
    }

    private static Presale? ReadSale(JsonObject sale, string path, IReadOnlyCollection<string>? tiers, JourneyFileReader.Checker check)
    {
        var name = check.RequiredText(sale, "Name", path)?.Trim();
        if (name is not null && (name.Length > 60 || !SaleName().IsMatch(name)))
        {
            check.Add($"{path}.Name", null, $"'{name}' must be lower-case words joined by '-', at most 60 characters, such as autumn-collection: the API names the sale by it");
            name = null;
        }
        check.UnknownFields(sale, path, SaleFields, name);
        var title = check.RequiredText(sale, "Title", path, name)?.Trim();
        var description = check.OptionalText(sale, "Description", path, name) ?? "";
        var products = Products(sale, path, name, check, out var productsGood);
        var opensAt = Instant(sale, "OpensAt", path, name, check, required: true);
        var endsAt = Instant(sale, "EndsAt", path, name, check, required: false);
        if (opensAt is not null && endsAt is not null && endsAt <= opensAt) check.Add($"{path}.EndsAt", name, "must be after OpensAt");
        var (maxHours, tierHours, earlyGood) = Early(sale, path, name, tiers, check);
        var announce = check.OptionalBool(sale, "AnnounceToEveryone", path, name) ?? false;
        var announceBy = check.OptionalText(sale, "AnnounceBy", path, name) ?? "events";
        var announceByGood = announceBy is "events" or "broadcast";
        if (!announceByGood) check.Add($"{path}.AnnounceBy", name, $"'{announceBy}' must be \"events\" (the announce job) or \"broadcast\" (a broadcast naming the sale)");
        return name is null || title is null || opensAt is null || !productsGood || !earlyGood || !announceByGood
            ? null
            : new Presale(name, title, description, products, opensAt.Value, endsAt, maxHours, tierHours, announce, announceBy == "broadcast");
    }

    private static List<string>? Products(JsonObject sale, string path, string? name, JourneyFileReader.Checker check, out bool good)
    {
        good = true;
        var at = $"{path}.Products";
        switch (sale["Products"])
        {
            case JsonValue v when v.TryGetValue<string>(out var all) && all == "all":
                return null;
            case JsonArray list when list.Count is > 0 and <= MaxProducts:
                var products = new List<string>();
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is JsonValue p && p.TryGetValue<string>(out var product) && ProductProblem(product) is null) products.Add(product);
                    else
                    {
                        check.Add($"{at}[{i}]", name, $"must be a product id or SKU of 1 to {MaxProductLength} characters without spaces or control characters");
                        good = false;
                    }
                }
                return products;
            default:
                check.Add(at, name, $"must be \"all\" or a list of 1 to {MaxProducts:N0} product ids or SKUs");
                good = false;
                return null;
        }
    }

    /// <summary>Why a product id or SKU cannot be one, or null when it can.</summary>
    public static string? ProductProblem(string product) =>
        product.Length is 0 or > MaxProductLength ? $"must be 1 to {MaxProductLength} characters"
        : product.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) ? "must not contain spaces or control characters"
        : null;

    private static (int? MaxHours, Dictionary<string, int> TierHours, bool Good) Early(JsonObject sale, string path, string? name,
        IReadOnlyCollection<string>? tiers, JourneyFileReader.Checker check)
    {
        var hours = new Dictionary<string, int>(StringComparer.Ordinal);
        var at = $"{path}.EarlyAccess";
        var before = check.Problems.Count;
        switch (sale["EarlyAccess"])
        {
            case null:
                return (null, hours, true);
            case JsonObject early:
                check.UnknownFields(early, at, EarlyFields, name);
                var max = check.Number(early, "MaxHours", at, name, min: 0, max: MaxEarlyHours, whole: true) is { } m ? (int?)m : null;
                switch (early["Tiers"])
                {
                    case null:
                        break;
                    case JsonObject byTier:
                        foreach (var (tier, _) in byTier)
                        {
                            if (tiers is not null && !tiers.Contains(tier, StringComparer.Ordinal))
                                check.Add($"{at}.Tiers.{tier}", name, $"'{tier}' is not a tier of rules/tiers.json ({string.Join(", ", tiers)})");
                            else if (check.Number(byTier, tier, $"{at}.Tiers", name, min: 0, max: MaxEarlyHours, whole: true) is { } h)
                                hours[tier] = (int)h;
                        }
                        break;
                    default:
                        check.Add($"{at}.Tiers", name, "must be an object of tier names and hours, such as { \"Gold\": 24 }");
                        break;
                }
                return (max, hours, check.Problems.Count == before);
            default:
                check.Add(at, name, "must be an object { \"MaxHours\": …, \"Tiers\": { \"Gold\": 24 } }; leave it out to give each tier its early_access_hours perk");
                return (null, hours, false);
        }
    }

    private static DateTimeOffset? Instant(JsonObject sale, string field, string path, string? name, JourneyFileReader.Checker check, bool required)
    {
        var text = required ? check.RequiredText(sale, field, path, name) : check.OptionalText(sale, field, path, name);
        if (text is null) return null;
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
            return at;
        check.Add(JourneyFileReader.Checker.Join(path, field), name, $"'{text}' must be a date and time with its offset, such as 2026-09-01T10:00:00+08:00");
        return null;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SaleName();
}
