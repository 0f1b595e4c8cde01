using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;

namespace Automation.Core.Tiers;

/// <summary>
/// Reads rules/tiers.json: <c>WindowDays</c> (default 365), <c>Tiers</c> lowest first, each with <c>Name</c>,
/// <c>MinSpend</c> and/or <c>MinOrders</c>, <c>Multiplier</c> and typed <c>Perks</c> (<see cref="TierPerks"/>), and optional <c>SpendBands</c>.
/// Problems come as <c>file:line tier: reason</c>.
/// </summary>
public static class TierFileReader
{
    public const int DefaultWindowDays = 365;

    private static readonly string[] TopLevelFields = ["$schema", "Description", "WindowDays", "Tiers", "SpendBands"];
    private static readonly string[] TierFields = ["Name", "Description", "MinSpend", "MinOrders", "Multiplier", "Perks"];
    private static readonly string[] BandFields = ["MinMonthlySpend", "PointsPerCurrencyUnit"];

    public static (TierProgram? Program, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "the tiers file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", TopLevelFields);

        var window = check.Number(top, "WindowDays", "", null, min: 1, max: 3650, whole: true) is { } days ? (int)days : DefaultWindowDays;
        var tiers = ReadTiers(top, check);
        var bands = ReadBands(top, check);
        return check.Problems.Count > 0 ? (null, check.Problems) : (new TierProgram(window, tiers, bands), []);
    }

    private static List<TierDefinition> ReadTiers(JsonObject top, JourneyFileReader.Checker check)
    {
        var tiers = new List<TierDefinition>();
        if (top["Tiers"] is not JsonArray array || array.Count == 0)
        {
            check.Add("Tiers", null, "must be a non-empty array of tiers, lowest first");
            return tiers;
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"Tiers[{i}]";
            if (array[i] is not JsonObject tier)
            {
                check.Add(path, null, "must be an object");
                continue;
            }
            var name = check.RequiredText(tier, "Name", path)?.Trim();
            check.UnknownFields(tier, path, TierFields, name);
            if (name is not null && (name.Length > 40 || !names.Add(name))) check.Add($"{path}.Name", name, "must be unique and at most 40 characters");
            check.OptionalText(tier, "Description", path, name);
            var minSpend = check.Number(tier, "MinSpend", path, name, min: 0);
            var minOrders = check.Number(tier, "MinOrders", path, name, min: 0, whole: true) is { } n ? (int?)n : null;
            var multiplier = check.Number(tier, "Multiplier", path, name, min: 0) ?? 1m;
            var perks = TierPerksReader.Read(tier["Perks"], path, name, check);

            if (i == 0 && (minSpend is not null || minOrders is not null))
                check.Add(path, name, "the first tier is the one every customer who ordered holds: it takes no MinSpend or MinOrders");
            if (i > 0 && minSpend is null && minOrders is null)
                check.Add(path, name, "needs MinSpend or MinOrders (only the first tier is open to all)");
            if (tiers.Count > 0 && tiers[^1] is { } below && (minSpend < below.MinSpend || minOrders < below.MinOrders))
                check.Add(path, name, $"thresholds must not fall below those of {below.Name}: tiers go lowest first");
            if (name is not null && perks is not null) tiers.Add(new TierDefinition(name, tiers.Count, minSpend, minOrders, multiplier, perks));
        }
        return tiers;
    }

    private static List<SpendBand> ReadBands(JsonObject top, JourneyFileReader.Checker check)
    {
        var bands = new List<SpendBand>();
        switch (top["SpendBands"])
        {
            case null:
                return bands;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = $"SpendBands[{i}]";
                    if (array[i] is not JsonObject band)
                    {
                        check.Add(path, null, "must be an object { \"MinMonthlySpend\": …, \"PointsPerCurrencyUnit\": … }");
                        continue;
                    }
                    check.UnknownFields(band, path, BandFields);
                    var from = check.Number(band, "MinMonthlySpend", path, null, min: 0, required: true);
                    var rate = check.Number(band, "PointsPerCurrencyUnit", path, null, min: 0, required: true);
                    if (from is null || rate is null) continue;
                    if (bands.Count > 0 && from <= bands[^1].MinMonthlySpend)
                        check.Add($"{path}.MinMonthlySpend", null, "bands go lowest first, each above the one before");
                    bands.Add(new SpendBand(from.Value, rate.Value));
                }
                return bands;
            default:
                check.Add("SpendBands", null, "must be an array of bands, lowest first");
                return bands;
        }
    }
}
