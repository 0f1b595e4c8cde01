using System.Globalization;
using System.Text.RegularExpressions;
using Automation.Core.Broadcasts;
using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Presales;
using Automation.Core.Segments;
using Automation.Core.Tiers;

namespace Automation.Server.Apis;

/// <summary>The body of <c>POST /v1/broadcasts</c> and (without name and time) of <c>POST /v1/broadcasts/preview</c>.</summary>
internal sealed record BroadcastRequest(string? Name, string? Segment, string? Channel, string? Template, string? SendAt, string? LocalTime,
    string? Presale, int? HoldoutPercent, List<BroadcastVariantRequest>? Variants);

/// <summary>One A/B arm of a <see cref="BroadcastRequest"/>.</summary>
internal sealed record BroadcastVariantRequest(string? Name, string? Template, double? Weight);

/// <summary>A request checked against the segments, channels and templates there are; Errors names every field at fault.</summary>
internal sealed partial record CheckedBroadcast(Segment? Segment, DateTimeOffset SendAt, Presale? Sale, IReadOnlyList<BroadcastVariant> Variants,
    IReadOnlyList<FieldError> Errors)
{
    public const int MaxHoldoutPercent = 50;

    /// <summary>Checks <paramref name="request"/>; a preview needs no name or time.</summary>
    public static CheckedBroadcast Check(BroadcastRequest request, bool preview, SegmentCatalog segments, IReadOnlyDictionary<string, Core.Messaging.IChannel> channels,
        TemplateFiles templates, PresaleCatalog presales, TierProgram? tiers, DateTimeOffset now)
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

        var (sendAt, sale) = CheckTiming(request, preview, presales, tiers, now, errors);
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
        return new CheckedBroadcast(segment, sendAt, sale, variants, errors);
    }

    /// <summary>
    /// When the walk starts: at <c>sendAt</c> (now when left out), at the first arrival of <c>localTime</c> anywhere, or
    /// at the earliest tier's opening of <c>presale</c> (now once that has passed). The three exclude each other.
    /// </summary>
    private static (DateTimeOffset SendAt, Presale? Sale) CheckTiming(BroadcastRequest request, bool preview, PresaleCatalog presales, TierProgram? tiers,
        DateTimeOffset now, List<FieldError> errors)
    {
        if (new[] { request.SendAt, request.LocalTime, request.Presale }.Count(t => t is not null) > 1)
        {
            errors.Add(new("sendAt", "give one of sendAt, localTime and presale: each sets when members get it"));
            return (now, null);
        }
        if (request.Presale is { } name)
        {
            if (presales.Find(name) is not { } sale)
                errors.Add(new("presale", $"'{name}' is not a pre-sale of rules/presales.json (GET /v1/presales lists them)"));
            else if (sale.EndedAt(now)) errors.Add(new("presale", $"'{name}' ended at {sale.EndsAt:O}"));
            else if (!sale.AnnouncedByBroadcast)
                errors.Add(new("presale", $"'{name}' is announced by events (the presale-announcement journey): set \"AnnounceBy\": \"broadcast\" on it in rules/presales.json so customers are not told twice"));
            else
            {
                var first = sale.Openings(tiers).Select(o => o.OpensAt).Append(sale.OpensAt).Min();
                return (first > now ? first : now, sale);
            }
        }
        else if (request.LocalTime is { } localText)
        {
            if (!BroadcastTiming.TryParseLocal(localText, out var local))
                errors.Add(new("localTime", $"'{localText}' is not a local time such as 2026-12-24T10:00 (no offset: each customer's own zone applies)"));
            else if (BroadcastTiming.FirstArrival(local) < now)
                errors.Add(new("localTime", $"{localText} has already come in the zones furthest ahead (UTC+14, at {BroadcastTiming.FirstArrival(local).UtcDateTime:yyyy-MM-dd HH:mm} UTC): "
                    + "give a later time so that every customer gets it at that time of their day"));
            else return (BroadcastTiming.FirstArrival(local), null);
        }
        else if (!preview && request.SendAt is { } sendText)
        {
            if (!OffsetPattern().IsMatch(sendText) || !DateTimeOffset.TryParse(sendText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var sendAt))
                errors.Add(new("sendAt", $"'{sendText}' is not an ISO 8601 time with an offset, such as 2026-12-24T09:00:00+08:00"));
            else if (sendAt < now)
                errors.Add(new("sendAt", $"{sendText} is in the past: leave it out to send now"));
            else return (sendAt, null);
        }
        return (now, null);
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
