using System.Threading.Channels;
using Automation.Core.Audit;
using Automation.Core.Customers;
using Automation.Core.Storage;
using Automation.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Automation.Core.Messaging;

/// <summary>How the dispatcher works through the outbox.</summary>
/// <param name="Jitter">Spreads retries (see <see cref="OutboxDispatcher.Backoff"/>); a seeded one makes them repeatable in tests.</param>
/// <param name="Points">What points are worth in templates (<c>points.value</c>); the <c>Points</c> defaults when null.</param>
public sealed record DispatchSettings(int BatchSize = 100, int Concurrency = 16, int MaxAttempts = 8, TimeSpan? Lease = null, string DefaultCurrency = "USD",
    Random? Jitter = null, Points.PointsSettings? Points = null)
{
    public TimeSpan ClaimLease => Lease ?? TimeSpan.FromMinutes(5);

    public Random RetryJitter => Jitter ?? Random.Shared;
}

/// <summary>
/// Sends what journeys queued: claims due messages, checks suppression and the guardrails (quiet hours defer,
/// frequency caps skip), renders, sends through the channel, and records the outcome. Transient failures retry with exponential backoff and jitter up to
/// <see cref="DispatchSettings.MaxAttempts"/>, then the message is failed (dead-lettered) with its reason. A message a
/// crashed dispatcher left in 'sending' is claimed again when its lease runs out, so it can be sent twice only if the
/// crash fell between the provider accepting it and its status commit: at most one message per sender
/// (<see cref="DispatchSettings.Concurrency"/>) per crashed dispatcher.
/// </summary>
public sealed partial class OutboxDispatcher(
    IOutboxStore store,
    LiquidTemplates templates,
    IReadOnlyDictionary<string, IChannel> channels,
    UnsubscribeLinks unsubscribe,
    Guardrails guardrails,
    DispatchSettings settings,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger,
    Tiers.TierCatalog tiers)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromHours(6);

    /// <summary>Who suppresses an address a provider refused for good, in the audit log.</summary>
    private static readonly AuditActor Auditor = AuditActor.System("dispatcher");

    private string? _installation;

    /// <summary>
    /// Sends everything due now and returns how many messages it handled (0 when none were due). Claims run ahead of the
    /// senders, a batch at a time, so no sender waits for the slowest of its batch or for the next claim; at most one
    /// batch and twice <see cref="DispatchSettings.Concurrency"/> wait claimed but unsent, far inside their lease.
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // As many waiting as there are senders: the next claim starts once the current batch is nearly handed out, so a
        // crash leaves at most one batch and twice the senders claimed but unsent.
        var claimed = Channel.CreateBounded<Claimed>(new BoundedChannelOptions(settings.Concurrency) { SingleWriter = true });
        var commits = new GroupedCalls<(ClaimedMessage Message, DeliveryResult Result), bool>(async (results, token) =>
        {
            await store.CompleteAsync(results, token);
            return [.. results.Select(_ => true)];
        });
        var claims = ClaimAsync(claimed.Writer, stop.Token);
        Task[] work = [claims, .. Enumerable.Range(0, settings.Concurrency).Select(_ => SendAsync(claimed.Reader, commits, stop.Token))];
        // The first failure (the database went away) stops the rest: what they hold stays claimed until its lease ends.
        await Task.WhenAll(work.Select(async task =>
        {
            try
            {
                await task;
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }));
        return await claims;
    }

    /// <summary>Claims batch after batch for the senders until nothing is due; returns how many it claimed.</summary>
    private async Task<int> ClaimAsync(ChannelWriter<Claimed> claimed, CancellationToken ct)
    {
        var count = 0;
        try
        {
            while (true)
            {
                var batch = await store.ClaimDueAsync(clock.GetUtcNow(), settings.BatchSize, settings.ClaimLease, ct);
                if (batch.Count == 0) return count;
                var ids = batch.Select(m => m.CustomerId).ToHashSet();
                var customers = (await store.LoadCustomersAsync(ids, ct)).ToDictionary(c => c.Profile.Id);
                // The tier window's spend and orders, as the tier engine counts them, for tier.next in templates.
                var now = clock.GetUtcNow();
                var windows = tiers.Program is { } program
                    ? await store.OrderTotalsAsync(ids, now.AddDays(-program.WindowDays), now, ct)
                    : new Dictionary<long, Tiers.OrderTotals>();
                List<Claimed> decided;
                try
                {
                    decided = await DecideAsync(batch, customers, windows, now, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // As a sender's failure leaves its message: the batch stays claimed until its lease runs out, and the
                    // claims go on (a database that is down fails the next claim, which ends the run).
                    LogBatchUndecided(logger, e, batch.Count);
                    continue;
                }
                foreach (var message in decided)
                {
                    await claimed.WriteAsync(message, ct);
                    count++;
                }
            }
        }
        finally
        {
            claimed.Complete();
        }
    }

    /// <summary>
    /// A claimed message with what its sender needs: its customer, channel and recipient, the tier window, and what the
    /// checks before sending decided instead of sending it, if anything (<see cref="Lost"/>: another dispatcher's claim
    /// has it now, and records what it does with it).
    /// </summary>
    private sealed record Claimed(ClaimedMessage Message, CustomerSnapshot? Customer, Tiers.OrderTotals TierWindow, IChannel? Channel, string? Recipient,
        DeliveryResult? Decided = null, bool Lost = false);

    /// <summary>
    /// Decides for a claimed batch at once what must be known before its messages are sent: the customer, channel and
    /// recipient of each, then for marketing messages the suppression list and the guardrails — one suppression query and
    /// one cap transaction a batch (each sender asking for its own message waited on two shared calls a message, which
    /// held marketing SMS on PostgreSQL to half the transactional rate).
    /// </summary>
    private async Task<List<Claimed>> DecideAsync(IReadOnlyList<ClaimedMessage> batch, Dictionary<long, CustomerSnapshot> customers,
        IReadOnlyDictionary<long, Tiers.OrderTotals> windows, DateTimeOffset now, CancellationToken ct)
    {
        var checks = batch.Select(message =>
        {
            var customer = customers.GetValueOrDefault(message.CustomerId);
            var window = windows.GetValueOrDefault(message.CustomerId);
            if (customer is null) return new Claimed(message, null, window, null, null, Failed("the customer no longer exists", null, "customer_missing"));
            if (!channels.TryGetValue(message.Channel, out var channel))
                return new Claimed(message, customer, window, null, null, Failed($"no channel '{message.Channel}' is configured", null, "channel_missing"));
            var recipient = channel.Recipient.Read(customer.Profile);
            return recipient is null
                ? new Claimed(message, customer, window, channel, null, Failed($"the customer has no {channel.Recipient.Noun}", null, "recipient_missing"))
                : new Claimed(message, customer, window, channel, recipient);
        }).ToList();

        var marketing = Enumerable.Range(0, checks.Count).Where(i => checks[i].Decided is null && !checks[i].Message.Transactional).ToList();
        var suppressed = await store.AreSuppressedAsync([.. marketing.Select(i => (checks[i].Message.Channel, checks[i].Recipient!))], ct);
        for (var k = 0; k < marketing.Count; k++)
        {
            if (!suppressed[k]) continue;
            var check = checks[marketing[k]];
            checks[marketing[k]] = check with
            {
                Decided = new DeliveryResult(MessageStatus.Suppressed, check.Recipient, null, $"{check.Recipient} is suppressed on {check.Message.Channel}", null, null),
            };
        }

        var guarded = Enumerable.Range(0, checks.Count).Where(i => checks[i].Decided is null).ToList();
        var decisions = await guardrails.CheckAsync([.. guarded.Select(i => (checks[i].Message, checks[i].Customer!.Profile.Timezone))], now, ct);
        for (var k = 0; k < guarded.Count; k++)
        {
            var check = checks[guarded[k]];
            checks[guarded[k]] = decisions[k] switch
            {
                GuardrailDecision.Defer defer => check with { Decided = new DeliveryResult(MessageStatus.Deferred, check.Recipient, null, defer.Reason, defer.Until, null) },
                GuardrailDecision.Skip skip => check with { Decided = new DeliveryResult(MessageStatus.Skipped, check.Recipient, null, skip.Reason, null, null) },
                GuardrailDecision.Lost => check with { Lost = true },
                _ => check,
            };
        }
        return checks;
    }

    private async Task SendAsync(ChannelReader<Claimed> claimed, GroupedCalls<(ClaimedMessage, DeliveryResult), bool> commits, CancellationToken ct)
    {
        await foreach (var item in claimed.ReadAllAsync(ct))
        {
            var message = item.Message;
            // Near the end of its lease another dispatcher may take the message over: leave it to that claim rather
            // than risk both sending it. A slow provider then costs time, never a duplicate.
            if (item.Lost || clock.GetUtcNow() > message.ClaimedUntil - settings.ClaimLease / 5) continue;
            // A child of the journey step that queued the message: the trace runs from the ingest request to here.
            using var activity = AutomationActivities.StartFrom("outbox.send", message.TraceParent, System.Diagnostics.ActivityKind.Producer);
            activity?.SetTag("automation.channel", message.Channel);
            DeliveryResult result;
            try
            {
                result = item.Decided ?? await DeliverAsync(item, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Left in 'sending': claimed again when the lease runs out. The rest goes on.
                LogUnhandled(logger, e, message.Id);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
                continue;
            }
            // Each sender waits for its own result's commit before its next message: a crash repeats at most one per sender.
            await commits.CallAsync((message, result), ct);
            RecordCommitted(activity, message.Channel, result);
        }
    }

    /// <summary>Renders and sends a message its checks let through.</summary>
    private async Task<DeliveryResult> DeliverAsync(Claimed item, CancellationToken ct)
    {
        var (message, customer, recipient, channel) = (item.Message, item.Customer!, item.Recipient!, item.Channel!);
        var now = clock.GetUtcNow();
        var unsubscribeUrl = unsubscribe.UrlFor(message.Channel, recipient, customer.Profile.Locale);
        RenderedMessage content;
        try
        {
            var program = tiers.Program;
            var held = program?.Find(customer.Tier?.Tier);
            var model = TemplateModel.For(customer, message.Journey, message.Step, message.EnteredAt, message.TriggerEvent, message.Context,
                unsubscribeUrl, settings.DefaultCurrency, now, held, program?.Next(held, item.TierWindow), settings.Points);
            content = templates.Render(message.Template, message.Channel, model);
        }
        catch (TemplateException e)
        {
            return Failed(e.Message, recipient, "template");
        }

        SendOutcome outcome;
        try
        {
            outcome = await channel.SendAsync(new OutgoingMessage(message.Id, message.IdempotencyKey, message.Channel,
                customer.Profile.ExternalId ?? customer.Profile.AnonymousId ?? "", recipient, customer.Profile.Name, content, unsubscribeUrl,
                message.Context) { Installation = _installation ??= await store.InstallationIdAsync(ct) }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = new SendOutcome.Retry($"{e.GetType().Name}: {e.Message}");
        }

        switch (outcome)
        {
            case SendOutcome.Sent sent:
                return new DeliveryResult(MessageStatus.Sent, recipient, sent.ProviderId, null, null, now) { Tracking = sent.Tracking };
            case SendOutcome.Failed failed:
                if (failed.SuppressRecipient) await store.SuppressAsync(message.Channel, recipient, failed.Reason, now, Auditor, ct);
                return Failed(failed.Reason, recipient, "refused");
            case SendOutcome.Retry retry when message.Attempts >= settings.MaxAttempts:
                LogDeadLettered(logger, message.Id, message.Attempts, retry.Reason);
                return Failed($"gave up after {message.Attempts} attempts: {retry.Reason}", recipient, "attempts_exhausted");
            case SendOutcome.Retry retry:
                return new DeliveryResult(MessageStatus.Queued, recipient, null, retry.Reason, now + (retry.After ?? Backoff(message.Attempts, settings.RetryJitter)), null)
                    { ErrorType = "transient" };
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome}.");
        }
    }

    /// <summary>30 s, 1 min, 2 min, … up to 6 h, each ±20 % so retries of an outage do not arrive all at once.</summary>
    public static TimeSpan Backoff(int attempts, Random jitter)
    {
        var exponential = FirstRetry * Math.Pow(2, Math.Max(0, attempts - 1));
        var capped = exponential > LongestRetry ? LongestRetry : exponential;
        return capped * (0.8 + jitter.NextDouble() * 0.4);
    }

    private static DeliveryResult Failed(string reason, string? recipient, string errorType) =>
        new(MessageStatus.Failed, recipient, null, reason, null, null) { ErrorType = errorType };

    private static void RecordCommitted(System.Diagnostics.Activity? activity, string channel, DeliveryResult result)
    {
        var outcome = result.Status == MessageStatus.Queued ? "retry" : result.Status.Text();
        var tags = AutomationMetrics.Tags("automation.channel", channel, "automation.delivery.outcome", outcome);
        if (result.ErrorType is { } errorType) tags.Add("error.type", errorType);
        AutomationMetrics.OutboxDeliveries.Add(1, tags);
        activity?.SetTag("automation.delivery.outcome", outcome);
        if (result.Status == MessageStatus.Failed) activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.ErrorType);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {Id} could not be handled; it is retried after its claim runs out")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, long id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A claimed batch of {Count} messages could not be checked before sending; it is claimed again when its lease runs out")]
    private static partial void LogBatchUndecided(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {Id} dead-lettered after {Attempts} attempts: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, long id, int attempts, string reason);
}
