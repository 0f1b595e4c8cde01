using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;

namespace Automation.Core.Tiers;

/// <summary>Reads a tier's <c>Perks</c> object: only the names of <see cref="TierPerks.Names"/>, each of its type.</summary>
internal static class TierPerksReader
{
    /// <summary>The perks, or null after reporting why not (with file and line) to <paramref name="check"/>.</summary>
    public static TierPerks? Read(JsonNode? node, string path, string? tier, JourneyFileReader.Checker check)
    {
        var at = JourneyFileReader.Checker.Join(path, "Perks");
        switch (node)
        {
            case null:
                return TierPerks.None;
            case not JsonObject:
                check.Add(at, tier, $"must be an object of perks such as {{ \"{TierPerks.FreeShippingOverName}\": 0 }}");
                return null;
        }
        var perks = (JsonObject)node;
        var before = check.Problems.Count;
        check.UnknownFields(perks, at, [.. TierPerks.Names], tier);
        var read = new TierPerks
        {
            DiscountPercent = Number(perks, TierPerks.DiscountPercentName, at, tier, check, max: 100) ?? 0m,
            FreeShippingOver = Number(perks, TierPerks.FreeShippingOverName, at, tier, check, max: decimal.MaxValue, nullMeans: "no order ships free"),
            EarlyAccessHours = (int)(Number(perks, TierPerks.EarlyAccessHoursName, at, tier, check, max: 24 * 365, whole: true) ?? 0m),
            BirthdayPointsMultiplier = Number(perks, TierPerks.BirthdayPointsMultiplierName, at, tier, check, max: 100) ?? 1m,
            BirthdayGift = Bool(perks, TierPerks.BirthdayGiftName, at, tier, check),
            DedicatedService = Bool(perks, TierPerks.DedicatedServiceName, at, tier, check),
        };
        return check.Problems.Count > before ? null : read;
    }

    private static decimal? Number(JsonObject perks, string name, string path, string? tier, JourneyFileReader.Checker check, decimal max,
        bool whole = false, string? nullMeans = null)
    {
        var node = perks[name];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var n) && n >= 0 && n <= max
            && (!whole || n == decimal.Truncate(n)))
            return n;
        var range = max < decimal.MaxValue ? $" from 0 to {max}" : " of at least 0";
        check.Add(JourneyFileReader.Checker.Join(path, name), tier,
            $"must be a {(whole ? "whole " : "")}number{range}{(nullMeans is null ? "" : $" (or leave it out: {nullMeans})")}");
        return null;
    }

    private static bool Bool(JsonObject perks, string name, string path, string? tier, JourneyFileReader.Checker check)
    {
        switch (perks[name])
        {
            case null:
                return false;
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return v.GetValue<bool>();
            default:
                check.Add(JourneyFileReader.Checker.Join(path, name), tier, "must be true or false");
                return false;
        }
    }
}
