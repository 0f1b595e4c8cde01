using System.Globalization;
using System.Text.RegularExpressions;
using Automation.Core.Broadcasts;
using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Segments;

namespace Automation.Server.Apis;

/// <summary>The body of <c>POST /v1/broadcasts</c> and (without name and time) of <c>POST /v1/broadcasts/preview</c>.</summary>
internal sealed record BroadcastRequest(string? Name, string? Segment, string? Channel, string? Template, string? SendAt, string? LocalTime,
    int? HoldoutPercent, List<BroadcastVariantRequest>? Variants);

/// <summary>One A/B arm of a <see cref="BroadcastRequest"/>.</summary>
internal sealed record BroadcastVariantRequest(string? Name, string? Template, double? Weight);

/// <summary>A request checked against the segments, channels and templates there are; Errors names every field at fault.</summary>
internal sealed partial record CheckedBroadcast(Segment? Segment, DateTimeOffset SendAt, IReadOnlyList<BroadcastVariant> Variants, IReadOnlyList<FieldError> Errors)
{
    public const int MaxHoldoutPercent = 50;

    /// <summary>Checks <paramref name="request"/>; a preview needs no name or time.</summary>
    public static CheckedBroadcast Check(BroadcastRequest request, bool preview, SegmentCatalog segments, IReadOnlyDictionary<string, Core.Messaging.IChannel> channels,
        TemplateFiles templates, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (!preview && string.IsNullOrWhiteSpace(request.Name)) errors.Add(new("name", "is required"));
        Segment? segment = null;
        if (string.IsNullOrWhiteSpace(request.Segment)) errors.Add(new("segment", "is required"));
        else if ((segment = segments.Find(request.Segment)) is null)
            errors.Add(new("segment", $"'{request.Segment}' is not a segment: a segment is a file rules/segments/<name>.json (GET /v1/segments lists them)"));
        var channelKnown = false;
        if (string.IsNullOrWhiteSpace(request.Channel)) errors.Add(new("channel", "is required"));
        else if (!(channelKnown = channels.ContainsKey(request.Channel)))
            errors.Add(new("channel", $"'{request.Channel}' is not a channel: use one of {string.Join(", ", channels.Keys.Order(StringComparer.Ordinal))}"));
        CheckTemplate("template", request.Template, request.Channel, channelKnown, templates, errors);

        var sendAt = now;
        if (!preview && request.SendAt is not null)
        {
            if (!OffsetPattern().IsMatch(request.SendAt) || !DateTimeOffset.TryParse(request.SendAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out sendAt))
                errors.Add(new("sendAt", $"'{request.SendAt}' is not an ISO 8601 time with an offset, such as 2026-12-24T09:00:00+08:00"));
            else if (sendAt < now)
                errors.Add(new("sendAt", $"{request.SendAt} is in the past: leave it out to send now"));
        }
        if (request.LocalTime is not null)
            errors.Add(new("localTime", "sending at a local time in each customer's time zone is not supported yet: give sendAt with an offset"));
        if (request.HoldoutPercent is < 0 or > MaxHoldoutPercent)
            errors.Add(new("holdoutPercent", $"must be from 0 to {MaxHoldoutPercent}"));

        var variants = new List<BroadcastVariant>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (request.Variants?.Count ?? 0); i++)
        {
            var v = request.Variants![i];
            if (string.IsNullOrWhiteSpace(v.Name)) errors.Add(new($"variants[{i}].name", "is required"));
            else if (v.Name == Core.Messaging.Variants.Holdout || !names.Add(v.Name)) errors.Add(new($"variants[{i}].name", $"'{v.Name}' is used twice or reserved"));
            if (v.Weight is { } weight && !(weight > 0)) errors.Add(new($"variants[{i}].weight", "must be a number above 0"));
            var template = v.Template ?? request.Template;
            CheckTemplate($"variants[{i}].template", template, request.Channel, channelKnown, templates, errors);
            variants.Add(new BroadcastVariant(v.Name ?? "", template ?? "", v.Weight ?? 1));
        }
        return new CheckedBroadcast(segment, sendAt, variants, errors);
    }

    private static void CheckTemplate(string field, string? template, string? channel, bool channelKnown, TemplateFiles templates, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(template)) errors.Add(new(field, "is required"));
        else if (channelKnown && templates.Find(template, channel!, null) is null)
            errors.Add(new(field, $"'{template}' has no {channel} template: there is no templates/{template}.{channel}.liquid"));
    }

    [GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex OffsetPattern();
}
