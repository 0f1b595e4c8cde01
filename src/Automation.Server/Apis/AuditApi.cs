using System.Globalization;
using Automation.Core.Audit;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// <c>GET /v1/audit?actor=&amp;action=&amp;target=&amp;since=&amp;until=&amp;cursor=&amp;limit=</c>: the audit log, newest
/// first, filtered (each filter matches exactly; <c>since</c> inclusive, <c>until</c> exclusive), a page at a time:
/// <c>next</c> is the <c>cursor</c> of the next page, null on the last.
/// </summary>
internal static class AuditApi
{
    public const int DefaultPage = 100;
    public const int MaxPage = 1000;

    public sealed record EntryView(long Id, DateTimeOffset At, string Actor, string ActorKind, string Action, string Target, string? Before, string? After);

    public static ApiRoutes MapAuditApi(this ApiRoutes v1)
    {
        v1.Admin.MapGet("/audit", async (string? actor, string? action, string? target, string? since, string? until, long? cursor, int? limit, IAuditLog audit,
            CancellationToken ct) =>
        {
            var (query, errors) = Read(actor, action, target, since, until, cursor, limit);
            if (errors.Count > 0) return ValidationProblem.For(errors);
            var page = await audit.ReadAsync(query, ct);
            return Results.Ok(new { entries = page.Entries.Select(View).ToList(), next = page.Next });
        });
        return v1;
    }

    public static EntryView View(AuditRecord record) => new(record.Id, record.Entry.At, record.Entry.Actor.Name,
        record.Entry.Actor.Kind.ToString().ToLowerInvariant(), record.Entry.Action, record.Entry.Target, record.Entry.Before, record.Entry.After);

    /// <summary>Reads the filters as the API and the console's audit page take them, naming each field at fault.</summary>
    public static (AuditQuery Query, IReadOnlyList<FieldError> Errors) Read(string? actor, string? action, string? target, string? since, string? until,
        long? cursor, int? limit)
    {
        var errors = new List<FieldError>();
        var from = Time("since", since, errors);
        var to = Time("until", until, errors);
        if (from is not null && to is not null && to <= from) errors.Add(new FieldError("until", "must be after since"));
        if (cursor is < 1) errors.Add(new FieldError("cursor", "must be the next value of an earlier page, or left out for the first"));
        if (limit is < 1 or > MaxPage) errors.Add(new FieldError("limit", $"must be from 1 to {MaxPage}"));
        return (new AuditQuery(Blank(actor), Blank(action), Blank(target), from, to, cursor, limit ?? DefaultPage), errors);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static DateTimeOffset? Time(string field, string? text, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        errors.Add(new FieldError(field, "must be a date or time such as 2026-09-01 or 2026-09-01T08:00:00Z (UTC unless it says otherwise)"));
        return null;
    }
}
