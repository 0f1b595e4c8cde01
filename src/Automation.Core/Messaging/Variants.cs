using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Core.Messaging;

/// <summary>
/// A/B tests of a <c>Send</c> step: <c>"Variants": [{ "Name": "A", "Weight": 1 }, { "Name": "B", "Weight": 1, "Template": "…", "Coupon": "…" }]</c>
/// and an optional <c>"Holdout": 0.1</c>. A customer's arm is a hash of journey and customer, so it is the same on
/// every node, every retry and every step of that journey. The holdout gets no message but is recorded.
/// </summary>
public static class Variants
{
    public const string Holdout = "holdout";

    /// <summary>The arm of a customer, and the action context with that variant's values laid over the step's.</summary>
    public static (string? Variant, JsonObject Context) Assign(string journey, string customerKey, JsonObject context)
    {
        var variants = (context["Variants"] as JsonArray)?.OfType<JsonObject>().ToList();
        var holdout = context["Holdout"] is JsonValue h && h.TryGetValue<double>(out var share) ? share : 0;
        if ((variants is null || variants.Count == 0) && holdout <= 0) return (null, context);

        var point = UnitHash($"{journey}\n{customerKey}");
        if (point < holdout) return (Holdout, context);
        if (variants is null || variants.Count == 0) return (null, context);

        // Rescale what is left after the holdout onto the variants' weights.
        var position = (point - holdout) / (1 - holdout) * variants.Sum(Weight);
        var chosen = variants[^1];
        foreach (var variant in variants)
        {
            position -= Weight(variant);
            if (position < 0)
            {
                chosen = variant;
                break;
            }
        }
        return (chosen["Name"]!.GetValue<string>(), Apply(context, chosen));
    }

    /// <summary>The step's context with one variant's values (all but Name and Weight) laid over it.</summary>
    public static JsonObject Apply(JsonObject context, JsonObject variant)
    {
        var merged = (JsonObject)context.DeepClone();
        merged.Remove("Variants");
        merged.Remove("Holdout");
        foreach (var (key, value) in variant)
        {
            if (key is not ("Name" or "Weight")) merged[key] = value?.DeepClone();
        }
        return merged;
    }

    /// <summary>Problems with a step's variants as (field, reason); used when the journey file is read.</summary>
    public static IEnumerable<(string Field, string Reason)> Check(JsonObject context)
    {
        if (context["Holdout"] is { } holdout && !(holdout is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is >= 0 and < 1))
            yield return ("Holdout", "must be a share from 0 up to (not including) 1, such as 0.1");
        if (context["Variants"] is null) yield break;
        if (context["Variants"] is not JsonArray variants || variants.Count == 0)
        {
            yield return ("Variants", "must be a non-empty array of { \"Name\": …, \"Weight\": … }");
            yield break;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < variants.Count; i++)
        {
            if (variants[i] is not JsonObject variant || variant["Name"] is not JsonValue name || !name.TryGetValue<string>(out var text) || text.Length == 0)
                yield return ($"Variants[{i}].Name", "is required");
            else if (text == Holdout || !names.Add(text))
                yield return ($"Variants[{i}].Name", $"'{text}' is used twice or reserved");
            if (variants[i] is JsonObject { } withWeight && withWeight["Weight"] is { } weight && !(weight is JsonValue w && w.GetValueKind() == JsonValueKind.Number && w.GetValue<double>() > 0))
                yield return ($"Variants[{i}].Weight", "must be a number above 0");
        }
    }

    private static double Weight(JsonObject variant) => variant["Weight"] is JsonValue w && w.TryGetValue<double>(out var weight) ? weight : 1;

    private static double UnitHash(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return BitConverter.ToUInt64(hash, 0) / (ulong.MaxValue + 1.0);
    }
}
