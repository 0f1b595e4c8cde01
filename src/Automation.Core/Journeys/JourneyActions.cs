using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Core.Journeys;

/// <summary>The actions a journey step may run, and the <c>Context</c> each needs.</summary>
public static class JourneyActions
{
    public const string Send = "Send";
    public const string AddTag = "AddTag";
    public const string RemoveTag = "RemoveTag";
    public const string AwardPoints = "AwardPoints";
    public const string IssueCoupon = "IssueCoupon";
    public const string Exit = "Exit";

    public static IReadOnlyList<string> Names { get; } = [Send, AddTag, RemoveTag, AwardPoints, IssueCoupon, Exit];

    /// <summary>Problems with an action's context as (context field, reason).</summary>
    internal static IEnumerable<(string Field, string Reason)> Check(string action, JsonObject context, JourneyReadOptions options)
    {
        switch (action)
        {
            case Send:
                var channel = Text(context, "Channel");
                var template = Text(context, "Template");
                if (channel is null) yield return ("Channel", $"is required: one of {string.Join(", ", options.Channels)}");
                else if (!options.Channels.Contains(channel)) yield return ("Channel", $"'{channel}' is not a channel: use one of {string.Join(", ", options.Channels)}");
                if (template is null) yield return ("Template", "is required, as <journey>/<step> under templates/");
                else if (channel is not null && options.TemplateExists is { } exists && !exists(template, channel))
                    yield return ("Template", $"no template 'templates/{template}.{channel}.liquid' (or a localised variant)");
                foreach (var problem in Messaging.Variants.Check(context)) yield return problem;
                if (channel is not null && options.TemplateExists is { } variantExists && context["Variants"] is JsonArray variants)
                {
                    for (var i = 0; i < variants.Count; i++)
                    {
                        if (variants[i]?["Template"] is JsonValue t && t.TryGetValue<string>(out var variantTemplate) && !variantExists(variantTemplate, channel))
                            yield return ($"Variants[{i}].Template", $"no template 'templates/{variantTemplate}.{channel}.liquid' (or a localised variant)");
                    }
                }
                break;
            case AddTag or RemoveTag:
                if (Text(context, "Tag") is null) yield return ("Tag", "is required");
                break;
            case AwardPoints:
                if (context["Points"] is not JsonValue points || points.GetValueKind() != JsonValueKind.Number || !points.TryGetValue<int>(out var n) || n <= 0)
                    yield return ("Points", "must be a whole number above 0");
                break;
            case IssueCoupon:
                if (Text(context, "Coupon") is null) yield return ("Coupon", "is required");
                break;
        }
    }

    private static string? Text(JsonObject context, string name) =>
        context[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}

/// <summary>What a journey file is checked against besides its own text.</summary>
/// <param name="Channels">Channel names a <c>Send</c> may use.</param>
/// <param name="TemplateExists">Whether a template exists for (template, channel); null skips the check.</param>
/// <param name="CronProblem">Why a schedule is not a valid cron expression, or null; when not given only its shape is checked.</param>
public sealed record JourneyReadOptions(IReadOnlySet<string> Channels, Func<string, string, bool>? TemplateExists, Func<string, string?>? CronProblem = null,
    RuleLimits? Limits = null)
{
    /// <summary>The budget expressions are validated and run under.</summary>
    public RuleLimits RuleLimits => Limits ?? RuleLimits.Default;

    public static IReadOnlySet<string> DefaultChannels { get; } = new HashSet<string>(["email", "sms", "webhook", "file"], StringComparer.Ordinal);
}
