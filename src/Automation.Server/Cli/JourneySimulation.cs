using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Jobs;
using Automation.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Server.Cli;

/// <summary>One line of a simulated timeline.</summary>
public sealed record TimelineEntry(TimeSpan Offset, string Text)
{
    public override string ToString() => $"+{Offset.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)}h {Text}";
}

/// <summary>A simulated event: when it happens, relative to the start, and the Segment message.</summary>
public sealed record SimulatedEvent(TimeSpan Offset, JsonObject Message);

/// <summary>
/// Runs one journey on a virtual clock with the real ingestion, engine and scheduler against the given storage,
/// and reads the timeline back from it. Nothing is re-implemented: the server runs the same code.
/// </summary>
/// <remarks>Tag rules and tiers come from the same rules folder when given, so journeys on <c>Tag Added</c> or <c>Tier Changed</c> simulate too.</remarks>
public sealed class JourneySimulation(AutomationStorage storage, JourneyFileResult journeyFile, TagCatalog? tags = null, TierCatalog? tiers = null)
{
    public async Task<IReadOnlyList<TimelineEntry>> RunAsync(JsonObject customer, IReadOnlyList<SimulatedEvent> events,
        DateTimeOffset start, TimeSpan duration, TimeSpan step, CancellationToken ct)
    {
        var journey = journeyFile.Journey ?? throw new InvalidOperationException($"{journeyFile.File} is not valid.");
        var catalog = new JourneyCatalog();
        catalog.Replace([journeyFile]);
        var clock = new VirtualClock(start);
        var engine = new JourneyEngine(catalog, NullLogger<JourneyEngine>.Instance);
        var ingestion = new IngestionService(storage, engine, new TagEngine(tags ?? new TagCatalog()), clock, new TierEngine(tiers ?? new TierCatalog()));
        var reader = new SegmentMessageReader(clock);
        var scheduler = new JourneyScheduler(catalog, engine, storage, new QuartzCronSchedule(), clock, NullLogger<JourneyScheduler>.Instance);

        var userId = customer["userId"]?.ToString() ?? "simulated-customer";
        var identify = (JsonObject)customer.DeepClone();
        identify["userId"] = userId;
        identify["timestamp"] = start.ToString("O");
        await IngestAsync(ingestion, reader, identify, MessageType.Identify, ct);

        var pending = new Queue<SimulatedEvent>(events.OrderBy(e => e.Offset));
        var end = start + duration;
        for (var now = start; now <= end; now += step)
        {
            while (pending.Count > 0 && start + pending.Peek().Offset <= now)
            {
                var next = pending.Dequeue();
                var at = start + next.Offset;
                clock.Now = at;
                var message = (JsonObject)next.Message.DeepClone();
                message["userId"] = userId;
                message["timestamp"] = at.ToString("O");
                var type = message["type"]?.ToString() == "identify" ? MessageType.Identify : MessageType.Track;
                await IngestAsync(ingestion, reader, message, type, ct);
            }
            clock.Now = now;
            await scheduler.TickAsync(ct);
        }
        return await TimelineAsync(journey, userId, start, ct);
    }

    /// <summary>Reads <c>+2h</c>, <c>-70d</c>, <c>+90m</c> or an ISO 8601 duration such as <c>P1DT2H</c>.</summary>
    public static TimeSpan ParseOffset(string text)
    {
        var trimmed = text.Trim();
        var sign = trimmed.StartsWith('-') ? -1 : 1;
        var body = trimmed.TrimStart('+', '-');
        if (body.Length > 1 && double.TryParse(body[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            switch (body[^1])
            {
                case 'm': return sign * TimeSpan.FromMinutes(n);
                case 'h': return sign * TimeSpan.FromHours(n);
                case 'd': return sign * TimeSpan.FromDays(n);
            }
        }
        try
        {
            return sign * XmlConvert.ToTimeSpan(body);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{text}' is not an offset such as +2h, +90m, -70d or P1DT2H");
        }
    }

    private static async Task IngestAsync(IngestionService ingestion, SegmentMessageReader reader, JsonObject message, MessageType type, CancellationToken ct)
    {
        var read = reader.ReadMessage(Encoding.UTF8.GetBytes(message.ToJsonString()), type);
        if (!read.IsValid) throw new FormatException(string.Join("; ", read.Errors));
        await ingestion.IngestAsync(read.Messages, ct);
    }

    private async Task<IReadOnlyList<TimelineEntry>> TimelineAsync(JourneyDefinition journey, string userId, DateTimeOffset start, CancellationToken ct)
    {
        var customer = await storage.FindAsync(userId, ct) ?? throw new InvalidOperationException("The simulated customer was not stored.");
        // Within one moment: the entry, then the steps in the order of the file, then the end.
        var timeline = new List<(DateTimeOffset At, int Order, string Text)>();
        var stepOrder = journey.Steps.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        foreach (var instance in (await storage.InstancesOfAsync(customer.Profile.Id, ct)).Where(i => i.Journey == journey.Name))
        {
            timeline.Add((instance.EnteredAt, -1, "enter"));
            foreach (var step in instance.Steps)
                timeline.Add((step.FiredAt, stepOrder[step.Step], Describe(journey.Steps[stepOrder[step.Step]])));
            if (instance.EndedAt is { } ended)
                timeline.Add((ended, int.MaxValue, instance.Status == "exited" ? $"exit: {Reason(instance.EndReason)}" : $"complete: {instance.EndReason}"));
        }
        return timeline.OrderBy(t => t.At).ThenBy(t => t.Order).Select(t => new TimelineEntry(t.At - start, t.Text)).ToList();
    }

    private static string Reason(string? reason) => reason?.StartsWith("event: ", StringComparison.Ordinal) == true ? reason["event: ".Length..] : reason ?? "";

    private static string Describe(JourneyStep step)
    {
        string Field(string name) => step.ActionContext[name]?.ToString() ?? "";
        return step.Action switch
        {
            JourneyActions.Send => $"send {Field("Channel")} {Field("Template")}" + (step.ActionContext["Coupon"] is null ? "" : $" (coupon {Field("Coupon")})"),
            JourneyActions.AddTag => $"tag + {Field("Tag")}",
            JourneyActions.RemoveTag => $"tag - {Field("Tag")}",
            JourneyActions.AwardPoints => $"points + {Field("Points")}",
            JourneyActions.IssueCoupon => $"coupon {Field("Coupon")}",
            _ => $"exit step {step.Name}",
        };
    }
}
