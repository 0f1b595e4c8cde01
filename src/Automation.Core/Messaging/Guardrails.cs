using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Messaging;

/// <summary>The <c>Guardrails</c> settings: frequency caps and quiet hours, for marketing messages only.</summary>
/// <param name="PerDay">Most marketing messages per customer per channel in 24 hours (0: no cap).</param>
/// <param name="PerWeek">Most per 7 days (0: no cap).</param>
/// <param name="QuietStart">Customer-local time quiet hours begin; equal to <paramref name="QuietEnd"/> for none.</param>
public sealed record GuardrailSettings(int PerDay = 1, int PerWeek = 3, TimeOnly? QuietStart = null, TimeOnly? QuietEnd = null)
{
    public TimeOnly Start => QuietStart ?? new TimeOnly(21, 0);
    public TimeOnly End => QuietEnd ?? new TimeOnly(9, 0);
}

/// <summary>What the guardrails decide for a message about to be sent.</summary>
public abstract record GuardrailDecision
{
    public sealed record Send : GuardrailDecision;

    /// <summary>Quiet hours: send at <see cref="Until"/>, not now.</summary>
    public sealed record Defer(DateTimeOffset Until, string Reason) : GuardrailDecision;

    /// <summary>Over a frequency cap: not sent.</summary>
    public sealed record Skip(string Reason) : GuardrailDecision;

    /// <summary>Another dispatcher took the message over while the caps were checked: it is that claim's to handle.</summary>
    public sealed record Lost : GuardrailDecision;
}

/// <summary>
/// Checked before sending, after suppression, for a claimed batch at once: a marketing message in the customer's quiet
/// hours waits for them to end; one over a frequency cap is not sent. Transactional messages pass. The caps are claimed
/// in the database (<see cref="IOutboxStore.ClaimCapsAsync"/>), one transaction for the batch, so they hold with many
/// senders on several nodes at once.
/// </summary>
public sealed class Guardrails(IOutboxStore store, GuardrailSettings settings)
{
    /// <summary>
    /// Decides whether each message goes now (the customer's time zone beside it). <see cref="GuardrailDecision.Send"/>
    /// for a marketing message means it holds a place under the caps, which its result keeps when it is sent and gives
    /// back otherwise.
    /// </summary>
    public async Task<IReadOnlyList<GuardrailDecision>> CheckAsync(IReadOnlyList<(ClaimedMessage Message, string? Timezone)> messages, DateTimeOffset now,
        CancellationToken ct)
    {
        var decisions = new GuardrailDecision[messages.Count];
        var capped = new List<int>();
        for (var i = 0; i < messages.Count; i++)
        {
            var (message, timezone) = messages[i];
            if (message.Transactional)
                decisions[i] = new GuardrailDecision.Send();
            else if (QuietUntil(timezone, now) is { } until)
                decisions[i] = new GuardrailDecision.Defer(until, $"quiet hours {settings.Start:HH\\:mm}-{settings.End:HH\\:mm} in {timezone ?? "UTC"}");
            else if (settings.PerDay == 0 && settings.PerWeek == 0)
                decisions[i] = new GuardrailDecision.Send();
            else
                capped.Add(i);
        }
        if (capped.Count == 0) return decisions;

        var claims = await store.ClaimCapsAsync([.. capped.Select(i => (messages[i].Message, now))], new FrequencyCaps(settings.PerDay, settings.PerWeek), ct);
        for (var k = 0; k < capped.Count; k++)
        {
            var message = messages[capped[k]].Message;
            decisions[capped[k]] = claims[k] switch
            {
                CapClaim.Held => new GuardrailDecision.Send(),
                CapClaim.DayFull => new GuardrailDecision.Skip($"frequency cap: {settings.PerDay} {message.Channel} per day"),
                CapClaim.WeekFull => new GuardrailDecision.Skip($"frequency cap: {settings.PerWeek} {message.Channel} per week"),
                _ => new GuardrailDecision.Lost(),
            };
        }
        return decisions;
    }

    /// <summary>When the quiet hours the customer is in now end, or null when they are not in them.</summary>
    public DateTimeOffset? QuietUntil(string? timezone, DateTimeOffset now)
    {
        if (settings.Start == settings.End) return null;
        var zone = FactsBuilder.ZoneOf(timezone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var quiet = settings.Start < settings.End
            ? time >= settings.Start && time < settings.End
            : time >= settings.Start || time < settings.End;
        if (!quiet) return null;
        var endDate = DateOnly.FromDateTime(local.DateTime);
        if (time >= settings.End && settings.Start > settings.End) endDate = endDate.AddDays(1);
        var endLocal = endDate.ToDateTime(settings.End);
        return new DateTimeOffset(endLocal, zone.GetUtcOffset(endLocal)).ToUniversalTime();
    }
}
