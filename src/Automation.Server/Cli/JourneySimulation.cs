using Automation.Core.Coupons;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Automation.Channels;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Points;
using Automation.Core.Products;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Jobs;
using Automation.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Server.Cli;

/// <summary>One line of a simulated timeline.</summary>
public sealed record TimelineEntry(TimeSpan Offset, string Text)
{
    public override string ToString() => $"{Hours(Offset)} {Text}";

    /// <summary>An offset from the start as the timeline prints it: <c>+1.5h</c>, <c>-960h</c>.</summary>
    public static string Hours(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().TotalHours.ToString("0.##", CultureInfo.InvariantCulture) + "h";
}

/// <summary>
/// What the simulated server's dispatcher needs to show when each message would go out: the templates it renders and
/// the guardrails (quiet hours, frequency caps) it applies. Nothing is sent: every channel writes files in a folder
/// the simulation throws away.
/// </summary>
public sealed record SimulatedDelivery(LiquidTemplates Templates, GuardrailSettings Guardrails, string DefaultCurrency);

/// <summary>A simulated event: when it happens, relative to the start, and the Segment message.</summary>
public sealed record SimulatedEvent(TimeSpan Offset, JsonObject Message);

/// <summary>
/// Runs journeys on a virtual clock with the real ingestion, engine, scheduler and (given <see cref="SimulatedDelivery"/>)
/// dispatcher against the given storage, and reads the timeline back from it. Nothing is re-implemented: the server
/// runs the same code. Events before the start are history, ingested at the start as a backfill would be on the
/// server: they build orders, stats and carts, and (older than <see cref="JourneyEngine.EntryWindow"/>) start no journey.
/// </summary>
/// <remarks>Tag rules and tiers come from the same rules folder when given, so journeys on <c>Tag Added</c> or <c>Tier Changed</c> simulate too.</remarks>
public sealed class JourneySimulation(AutomationStorage storage, IReadOnlyList<JourneyFileResult> journeyFiles, TagCatalog tags, TierCatalog tiers,
    CouponCatalog coupons, SimulatedDelivery? delivery = null)
{
    public JourneySimulation(AutomationStorage storage, JourneyFileResult journeyFile, TagCatalog tags, TierCatalog tiers, CouponCatalog coupons, SimulatedDelivery? delivery = null)
        : this(storage, [journeyFile], tags, tiers, coupons, delivery)
    {
    }

    public async Task<IReadOnlyList<TimelineEntry>> RunAsync(JsonObject customer, IReadOnlyList<SimulatedEvent> events,
        DateTimeOffset start, TimeSpan duration, TimeSpan step, CancellationToken ct)
    {
        var journeys = journeyFiles.Select(f => f.Journey ?? throw new InvalidOperationException($"{f.File} is not valid.")).ToList();
        var catalog = new JourneyCatalog();
        catalog.Replace(journeyFiles);
        var clock = new VirtualClock(start);
        // Points as appsettings.json ships them: a simulation reads no Points section.
        var points = new PointsSettings();
        var engine = new JourneyEngine(catalog, coupons, NullLogger<JourneyEngine>.Instance, points, tiers);
        var ingestion = new IngestionService(storage, engine, new TagEngine(tags, NullLogger<TagEngine>.Instance, tiers), clock, new TierEngine(tiers), points);
        var reader = new SegmentMessageReader(clock);
        var scheduler = new JourneyScheduler(catalog, engine, storage, new QuartzCronSchedule(), clock, NullLogger<JourneyScheduler>.Instance);
        // Replenishment as appsettings.json ships it, as for points.
        var replenishment = new ReplenishmentReminders(storage, engine, new ReplenishmentSettings(), clock);
        var outbox = delivery is null ? null : Directory.CreateTempSubdirectory("automation-simulate-outbox-");
        using var channels = outbox is null ? null : FileChannels(outbox.FullName);
        try
        {
            var dispatcher = channels is null ? null : Dispatcher(channels, clock);
            var userId = customer["userId"]?.ToString() ?? "simulated-customer";
            var ordered = events.OrderBy(e => e.Offset).ToList();
            var identify = (JsonObject)customer.DeepClone();
            identify["userId"] = userId;
            // The profile exists from the first event on, history included.
            identify["timestamp"] = (start + TimeSpan.FromTicks(Math.Min(0, ordered.FirstOrDefault()?.Offset.Ticks ?? 0))).ToString("O");
            await IngestAsync(ingestion, reader, identify, MessageType.Identify, userId, ct);

            var pending = new Queue<SimulatedEvent>(ordered);
            var end = start + duration;
            for (var now = start; now <= end; now += step)
            {
                while (pending.Count > 0 && start + pending.Peek().Offset <= now)
                {
                    var next = pending.Dequeue();
                    var at = start + next.Offset;
                    // History arrives at the start, as a backfill does: the server's clock never goes back.
                    clock.Now = at < start ? start : at;
                    var message = (JsonObject)next.Message.DeepClone();
                    message["timestamp"] ??= at.ToString("O");
                    var type = message["type"]?.ToString() == "identify" ? MessageType.Identify : MessageType.Track;
                    await IngestAsync(ingestion, reader, message, type, userId, ct);
                }
                clock.Now = now;
                await replenishment.RemindDueAsync(ct);
                await scheduler.TickAsync(ct);
                if (dispatcher is not null) await dispatcher.DispatchDueAsync(ct);
            }
            return await TimelineAsync(journeys, userId, start, ct);
        }
        finally
        {
            outbox?.Delete(recursive: true);
        }
    }

    private OutboxDispatcher Dispatcher(IServiceProvider channels, TimeProvider clock) =>
        new(storage, delivery!.Templates, channels.GetChannels(JourneyReadOptions.DefaultChannels),
            new UnsubscribeLinks(RandomNumberGenerator.GetBytes(32), "http://simulated.invalid"), new Guardrails(storage, delivery.Guardrails),
            new DispatchSettings(DefaultCurrency: delivery.DefaultCurrency), clock, NullLogger<OutboxDispatcher>.Instance, tiers);

    /// <summary>
    /// The server's channel registrations with no provider configured: every channel is the file outbox, writing into
    /// the folder and finding its recipient where the real channel would.
    /// </summary>
    private static ServiceProvider FileChannels(string folder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([
            new($"{FileOutboxOptions.Section}:{nameof(FileOutboxOptions.Path)}", folder),
            new($"{FileOutboxOptions.Section}:{nameof(FileOutboxOptions.From)}", "shop@example.com"),
        ]).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddShippedChannels(configuration).BuildServiceProvider();
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

    private static async Task IngestAsync(IngestionService ingestion, SegmentMessageReader reader, JsonObject message, MessageType type, string userId, CancellationToken ct)
    {
        message["userId"] = userId;
        var read = reader.ReadMessage(Encoding.UTF8.GetBytes(message.ToJsonString()), type);
        if (!read.IsValid) throw new FormatException(string.Join("; ", read.Errors));
        await ingestion.IngestAsync(read.Messages, ct);
    }

    private async Task<IReadOnlyList<TimelineEntry>> TimelineAsync(List<JourneyDefinition> journeys, string userId, DateTimeOffset start, CancellationToken ct)
    {
        var customer = await storage.FindAsync(userId, ct) ?? throw new InvalidOperationException("The simulated customer was not stored.");
        var messages = delivery is null ? [] : await storage.MessagesOfAsync(customer.Profile.Id, ct);
        var quietHours = delivery is null ? null : new Guardrails(storage, delivery.Guardrails);
        // Within one moment: the entry, then the steps in the order of the file, then the end.
        var timeline = new List<(DateTimeOffset At, int Order, string Text)>();
        foreach (var journey in journeys)
        {
            var prefix = journeys.Count > 1 ? $"{journey.Name}: " : "";
            var stepOrder = journey.Steps.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
            foreach (var instance in (await storage.InstancesOfAsync(customer.Profile.Id, ct)).Where(i => i.Journey == journey.Name))
            {
                timeline.Add((instance.EnteredAt, -1, prefix + "enter"));
                foreach (var step in instance.Steps)
                {
                    var definition = journey.Steps[stepOrder[step.Step]];
                    var text = prefix + Describe(definition);
                    if (definition.Action is SendAction && quietHours is not null)
                        text += Delivery(messages.Where(m => m.Journey == journey.Name && m.Step == step.Step && m.CreatedAt == step.FiredAt).ToList(),
                            step.FiredAt, start, customer.Profile.Timezone, quietHours);
                    if (step.Outcome is { } outcome) text += $" → {outcome}";
                    timeline.Add((step.FiredAt, stepOrder[step.Step], text));
                }
                if (instance.EndedAt is { } ended)
                    timeline.Add((ended, int.MaxValue, prefix + (instance.Status == "exited" ? $"exit: {Reason(instance.EndReason)}" : $"complete: {instance.EndReason}")));
            }
        }
        return timeline.OrderBy(t => t.At).ThenBy(t => t.Order).Select(t => new TimelineEntry(t.At - start, t.Text)).ToList();
    }

    /// <summary>What the dispatcher did with a step's message: when it went out, or why it did not.</summary>
    private static string Delivery(List<Automation.Core.Storage.OutboxView> messages, DateTimeOffset fired, DateTimeOffset start, string? timezone, Guardrails guardrails)
    {
        if (messages.Count == 0) return "";
        var message = messages[0];
        return message.Status switch
        {
            MessageStatus.Sent or MessageStatus.Delivered when message.SentAt is { } sent && sent > fired =>
                $" → goes out {TimelineEntry.Hours(sent - start)}" + (guardrails.QuietUntil(timezone, fired) is not null ? " (after quiet hours)" : ""),
            MessageStatus.Sent or MessageStatus.Delivered => " → goes out at once",
            MessageStatus.Holdout => " → holdout: not sent",
            MessageStatus.Queued or MessageStatus.Deferred or MessageStatus.Sending => $" → still waiting at the end (due {TimelineEntry.Hours(message.DueAt - start)}{(message.LastError is { } why ? $": {why}" : "")})",
            _ => $" → {message.Status.Text()}{(message.LastError is { } reason ? $": {reason}" : "")}",
        };
    }

    private static string Reason(string? reason) => reason?.StartsWith("event: ", StringComparison.Ordinal) == true ? reason["event: ".Length..] : reason ?? "";

    private static string Describe(JourneyStep step) => step.Action switch
    {
        SendAction send => $"send {send.Channel} {send.Template}" + (send.Coupon is null ? "" : $" (a coupon of {send.Coupon})"),
        AddTagAction add => $"tag + {add.Tag}",
        RemoveTagAction remove => $"tag - {remove.Tag}",
        AwardPointsAction award => award.TimesPerk is null ? $"points + {award.Points}" : $"points + {award.Points} × {award.TimesPerk}",
        IssueCouponAction issue => $"coupon of {issue.Campaign}",
        _ => $"exit step {step.Name}",
    };
}
