using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Core.Journeys;

/// <summary>
/// What a journey step does when its rule holds: a closed set of records, read and checked from the step's
/// <c>Actions.OnSuccess</c> by <see cref="StepActions"/> and run by the journey engine, which matches on the type.
/// </summary>
public abstract record StepAction
{
    // Only the actions below: the engine's match over them is complete.
    private protected StepAction()
    {
    }

    /// <summary>The action's name in a journey file (<c>Actions.OnSuccess.Name</c>), also stored with each fired step.</summary>
    public abstract string Name { get; }
}

/// <summary><c>Send</c>: queues a message; <see cref="Context"/> is the whole step context (variants, coupon, …) the template sees.</summary>
public sealed record SendAction(string Channel, string Template, JsonObject Context) : StepAction
{
    public override string Name => StepActions.Send;

    /// <summary>The coupon campaign whose code the message carries, if the step names one.</summary>
    public string? Coupon => Context[nameof(Coupon)]?.ToString();
}

/// <summary><c>AddTag</c>: tags the customer.</summary>
public sealed record AddTagAction(string Tag) : StepAction
{
    public override string Name => StepActions.AddTag;
}

/// <summary><c>RemoveTag</c>: takes a tag off the customer.</summary>
public sealed record RemoveTagAction(string Tag) : StepAction
{
    public override string Name => StepActions.RemoveTag;
}

/// <summary><c>AwardPoints</c>: appends points to the customer's ledger.</summary>
/// <param name="TimesPerk">A number perk of the customer's tier (<see cref="Tiers.TierPerks.NumberNames"/>) the points are
/// multiplied by, rounded down; as with no tier (<see cref="Tiers.TierPerks.None"/>) when the customer holds none.</param>
public sealed record AwardPointsAction(int Points, string? TimesPerk = null) : StepAction
{
    public override string Name => StepActions.AwardPoints;
}

/// <summary>
/// <c>IssueCoupon</c>: gives the customer a code of a campaign of rules/coupons; a later <c>Send</c> of the instance
/// naming the campaign as its <c>Coupon</c> carries the same code.
/// </summary>
public sealed record IssueCouponAction(string Campaign) : StepAction
{
    public override string Name => StepActions.IssueCoupon;
}

/// <summary><c>OpenTeam</c>: opens a team of a team-split campaign (rules/teams/) for the customer, who shares its link.</summary>
public sealed record OpenTeamAction(string Campaign) : StepAction
{
    public override string Name => StepActions.OpenTeam;
}

/// <summary><c>Exit</c>: ends the instance.</summary>
public sealed record ExitAction : StepAction
{
    public override string Name => StepActions.Exit;
}

/// <summary>
/// Reads each action from its <c>Context</c>, reporting every problem as (context field, reason). Adding an action is
/// one record above, one reader here, one case in <c>JourneyEngine.RunActionAsync</c> and one entry in
/// rules/schema.json (docs/architecture.md).
/// </summary>
public static class StepActions
{
    public const string Send = "Send";
    public const string AddTag = "AddTag";
    public const string RemoveTag = "RemoveTag";
    public const string AwardPoints = "AwardPoints";
    public const string IssueCoupon = "IssueCoupon";
    public const string OpenTeam = "OpenTeam";
    public const string Exit = "Exit";

    private delegate StepAction? Reader(JsonObject context, JourneyReadOptions options, List<(string Field, string Reason)> problems);

    private static readonly (string Name, Reader Read)[] Readers =
    [
        (Send, ReadSend),
        (AddTag, (context, _, problems) => Required(context, "Tag", problems) is { } tag ? new AddTagAction(tag) : null),
        (RemoveTag, (context, _, problems) => Required(context, "Tag", problems) is { } tag ? new RemoveTagAction(tag) : null),
        (AwardPoints, ReadAwardPoints),
        (IssueCoupon, (context, options, problems) => Campaign(context, "Campaign", options, problems, required: true) is { } campaign ? new IssueCouponAction(campaign) : null),
        (OpenTeam, (context, _, problems) => Required(context, "Campaign", problems) is { } campaign ? new OpenTeamAction(campaign) : null),
        (Exit, (_, _, _) => new ExitAction()),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Readers.Select(r => r.Name)];

    /// <summary>The action named, read from its context; null when the name is unknown or a problem was added.</summary>
    internal static StepAction? Read(string name, JsonObject context, JourneyReadOptions options, List<(string Field, string Reason)> problems)
    {
        var reader = Readers.FirstOrDefault(r => r.Name == name).Read;
        if (reader is null) return null;
        var before = problems.Count;
        var action = reader(context, options, problems);
        return problems.Count == before ? action : null;
    }

    private static SendAction? ReadSend(JsonObject context, JourneyReadOptions options, List<(string Field, string Reason)> problems)
    {
        var channel = Text(context, "Channel");
        var template = Text(context, "Template");
        if (channel is null) problems.Add(("Channel", $"is required: one of {string.Join(", ", options.Channels)}"));
        else if (!options.Channels.Contains(channel)) problems.Add(("Channel", $"'{channel}' is not a channel: use one of {string.Join(", ", options.Channels)}"));
        if (template is null) problems.Add(("Template", "is required, as <journey>/<step> under templates/"));
        else if (channel is not null && options.TemplateExists is { } exists && !exists(template, channel))
            problems.Add(("Template", $"no template 'templates/{template}.{channel}.liquid' (or a localised variant)"));
        problems.AddRange(Messaging.Variants.Check(context));
        Campaign(context, "Coupon", options, problems, required: false);
        if (context["Variants"] is JsonArray withCoupons)
        {
            for (var i = 0; i < withCoupons.Count; i++)
            {
                if (withCoupons[i] is JsonObject variant) Campaign(variant, "Coupon", options, problems, required: false, $"Variants[{i}].");
            }
        }
        if (channel is not null && options.TemplateExists is { } variantExists && context["Variants"] is JsonArray variants)
        {
            for (var i = 0; i < variants.Count; i++)
            {
                if (variants[i]?["Template"] is JsonValue t && t.TryGetValue<string>(out var variantTemplate) && !variantExists(variantTemplate, channel))
                    problems.Add(($"Variants[{i}].Template", $"no template 'templates/{variantTemplate}.{channel}.liquid' (or a localised variant)"));
            }
        }
        return channel is null || template is null ? null : new SendAction(channel, template, context);
    }

    private static AwardPointsAction? ReadAwardPoints(JsonObject context, JourneyReadOptions options, List<(string Field, string Reason)> problems)
    {
        var perk = Text(context, "TimesPerk");
        if (context["TimesPerk"] is not null && (perk is null || !Tiers.TierPerks.NumberNames.Contains(perk)))
            problems.Add(("TimesPerk", $"must name a number perk of rules/tiers.json: one of {string.Join(", ", Tiers.TierPerks.NumberNames)}"));
        if (context["Points"] is JsonValue points && points.GetValueKind() == JsonValueKind.Number && points.TryGetValue<int>(out var n) && n > 0)
            return new AwardPointsAction(n, perk);
        problems.Add(("Points", "must be a whole number above 0"));
        return null;
    }

    /// <summary>A coupon campaign the context names, which must be a file of rules/coupons when the options can tell.</summary>
    private static string? Campaign(JsonObject context, string name, JourneyReadOptions options, List<(string Field, string Reason)> problems, bool required, string prefix = "")
    {
        if (context[name] is null && !required) return null;
        var campaign = Text(context, name);
        if (campaign is null) problems.Add(($"{prefix}{name}", "must name a coupon campaign, a file of rules/coupons without .json"));
        else if (options.CouponCampaignExists is { } exists && !exists(campaign))
            problems.Add(($"{prefix}{name}", $"no coupon campaign 'rules/coupons/{campaign}.json' (or it is not valid)"));
        else return campaign;
        return null;
    }

    private static string? Required(JsonObject context, string name, List<(string Field, string Reason)> problems)
    {
        var text = Text(context, name);
        if (text is null) problems.Add((name, "is required"));
        return text;
    }

    private static string? Text(JsonObject context, string name) =>
        context[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}
