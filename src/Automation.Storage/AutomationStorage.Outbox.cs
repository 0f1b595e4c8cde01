using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Audit;
using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Core.Messaging.Replies;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The outbox for the dispatcher and the messages API.
public abstract partial class AutomationStorage : IOutboxStore
{
    private static readonly string Queued = MessageStatus.Queued.Sql(), Sending = MessageStatus.Sending.Sql(), Sent = MessageStatus.Sent.Sql(),
        Delivered = MessageStatus.Delivered.Sql(), Deferred = MessageStatus.Deferred.Sql();

    public async Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Whole milliseconds, which both databases store exactly: the value comes back as the claim's token.
        var until = now + lease;
        until = until.AddTicks(-(until.UtcTicks % TimeSpan.TicksPerMillisecond));
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Each status read in its index's order and the first few of each merged: one condition over the three
        // (status IN … OR …) sorted every due row for every claim, so a broadcast's backlog of N messages cost N²/limit.
        var rows = await BufferedRows.QueryAsync<ClaimRow>(connection, new CommandDefinition($"""
            {Dialect.IndexOrderFirst}UPDATE outbox SET status = {Sending}, claimed_until = @until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM (
                    SELECT id, due_at FROM (
                        SELECT id, due_at FROM outbox WHERE status = {Queued} AND due_at <= @now
                        ORDER BY due_at, id LIMIT @limit {Dialect.ClaimLockClause}) queued
                    UNION ALL
                    SELECT id, due_at FROM (
                        SELECT id, due_at FROM outbox WHERE status = {Deferred} AND due_at <= @now
                        ORDER BY due_at, id LIMIT @limit {Dialect.ClaimLockClause}) deferred
                    UNION ALL
                    SELECT id, due_at FROM (
                        SELECT id, due_at FROM outbox WHERE status = {Sending} AND claimed_until < @now
                        ORDER BY due_at, id LIMIT @limit {Dialect.ClaimLockClause}) abandoned
                ) due
                ORDER BY due_at, id
                LIMIT @limit
            )
            RETURNING id, idempotency_key, customer_id, journey, step, channel, template, context, attempts, instance_id, transactional, trace_parent
            """, new { now, until, limit }, transaction, cancellationToken: cancellationToken));

        var p = new DynamicParameters();
        var instances = (await BufferedRows.QueryAsync<InstanceTriggerRow>(connection, new CommandDefinition(
                $"SELECT id, entered_at, trigger_event FROM journey_instances WHERE id {Dialect.InList("ids", rows.Select(r => r.InstanceId).Distinct(), p)}", p, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(f => f.Id, f => (f.EnteredAt, f.TriggerEvent));
        await transaction.CommitAsync(cancellationToken);

        return rows.OrderBy(r => r.Id).Select(r =>
        {
            var (enteredAt, trigger) = instances.GetValueOrDefault(r.InstanceId);
            return new ClaimedMessage(r.Id, r.IdempotencyKey, r.CustomerId, r.Journey, r.Step, r.Channel, r.Template, r.Context, r.Attempts, enteredAt, trigger, r.Transactional, until)
                { TraceParent = r.TraceParent };
        }).ToList();
    }

    public async Task<IReadOnlyList<OutboxDepth>> CountWaitingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, string Channel, long Count)>(new CommandDefinition($"""
            SELECT status, channel, COUNT(*) FROM outbox WHERE status IN ({Queued}, {Sending}, {Deferred}) GROUP BY status, channel
            """, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new OutboxDepth(MessageStatuses.Parse(r.Status), r.Channel, r.Count))];
    }

    public async Task<string> InstallationIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<string>(new CommandDefinition("SELECT install_id FROM installation", cancellationToken: cancellationToken));
    }

    public Task<IReadOnlyList<CustomerSnapshot>> LoadCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        SnapshotsAsync(customerIds, SnapshotParts.All, cancellationToken);

    public async Task<IReadOnlyDictionary<long, Core.Tiers.OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await TierQueries.OrderTotalsAsync(Dialect, connection, null, customerIds, from, until, cancellationToken);
    }

    public async Task CompleteAsync(IReadOnlyCollection<(ClaimedMessage Message, DeliveryResult Result)> results, CancellationToken cancellationToken)
    {
        if (results.Count == 0) return;
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One statement joined to the rows (one parameter a column on PostgreSQL, one JSON parameter on SQLite): a
        // statement a result cost a parse, a plan and ten parameters each.
        var p = new DynamicParameters();
        var rows = Dialect.InsertRows([.. results], r => [r.Message.Id, r.Message.ClaimedUntil, r.Result.Status.Text(), r.Result.Recipient, r.Result.ProviderId,
                r.Result.Error, r.Result.DueAt, r.Result.SentAt, r.Result.Tracking?.Pixel ?? false, r.Result.Tracking?.Links ?? false],
            p, "bigint", "timestamptz", "text", "text", "text", "text", "timestamptz", "timestamptz", "boolean", "boolean");
        await connection.ExecuteAsync(new CommandDefinition($"""
            WITH result (id, claimed_until, status, recipient, provider_id, last_error, due_at, sent_at, pixel, links) AS ({rows})
            UPDATE outbox SET status = result.status, recipient = result.recipient, provider_id = result.provider_id, last_error = result.last_error,
                due_at = COALESCE(result.due_at, outbox.due_at), sent_at = result.sent_at, claimed_until = NULL,
                tracked_opens = result.pixel, tracked_clicks = result.links,
                cap_at = CASE WHEN result.status = {Sent} THEN outbox.cap_at END
            FROM result
            WHERE outbox.id = result.id AND outbox.status = {Sending} AND outbox.claimed_until = result.claimed_until
            """, p, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<bool>> AreSuppressedAsync(IReadOnlyList<(string Channel, string Address)> addresses, CancellationToken cancellationToken)
    {
        if (addresses.Count == 0) return [];
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var suppressed = new HashSet<(string, string)>();
        foreach (var channel in addresses.GroupBy(a => a.Channel, a => a.Address, StringComparer.Ordinal))
        {
            var p = new DynamicParameters(new { channel = channel.Key });
            var found = await connection.QueryAsync<string>(new CommandDefinition(
                $"SELECT address FROM suppressions WHERE channel = @channel AND address {Dialect.InList("addresses", channel.Distinct(StringComparer.Ordinal), p)}",
                p, cancellationToken: cancellationToken));
            suppressed.UnionWith(found.Select(address => (channel.Key, address)));
        }
        return [.. addresses.Select(a => suppressed.Contains((a.Channel, a.Address)))];
    }

    public async Task<string?> ReportDeliveryAsync(string channel, string providerId, MessageStatus status, string? lastError, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition($"""
            UPDATE outbox SET status = @status, last_error = COALESCE(@lastError, last_error)
            WHERE channel = @channel AND provider_id = @providerId AND status IN ({Sent}, {Delivered})
            RETURNING recipient
            """, new { channel, providerId, status = status.Text(), lastError }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<CapClaim>> ClaimCapsAsync(IReadOnlyList<(ClaimedMessage Message, DateTimeOffset Now)> messages, FrequencyCaps caps,
        CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return [];
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claims = new CapClaim[messages.Count];
        var held = new HashSet<long>();
        // In rounds, the k-th message of each customer and channel in round k: a statement's counts see the places the
        // rounds before it took, and never two of one customer's messages in one statement.
        var rounds = messages
            .GroupBy(m => (m.Message.CustomerId, m.Message.Channel))
            .SelectMany(sameCustomer => sameCustomer.Select((m, round) => (m, round)))
            .GroupBy(x => x.round, x => x.m)
            .OrderBy(round => round.Key);
        foreach (var round in rounds)
        {
            var first = round.Key == 0;
            var p = new DynamicParameters(new { caps.PerDay, caps.PerWeek });
            // In the first round's command: claims for one customer take turns on the customer's row (SQLite's writers
            // take turns anyway), so the counts include every place taken before these, on any node. In id order,
            // as ingestion locks them.
            var lockCustomers = first ? $"""
                SELECT id FROM customers WHERE id {Dialect.InList("ids", messages.Select(m => m.Message.CustomerId).Distinct(), p)} ORDER BY id {Dialect.RowLockClause};

                """ : "";
            var rows = Dialect.InsertRows([.. round], m => [m.Message.Id, m.Message.ClaimedUntil, m.Message.CustomerId, m.Message.Channel, m.Now, m.Now.AddDays(-1), m.Now.AddDays(-7)],
                p, "bigint", "timestamptz", "bigint", "text", "timestamptz", "timestamptz", "timestamptz");
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"""
                {lockCustomers}WITH asked (id, claimed_until, customer_id, channel, asked_at, day_ago, week_ago) AS ({rows})
                UPDATE outbox SET cap_at = COALESCE(outbox.cap_at, asked.asked_at)
                FROM asked
                WHERE outbox.id = asked.id AND outbox.status = {Sending} AND outbox.claimed_until = asked.claimed_until
                  AND (outbox.cap_at IS NOT NULL OR (
                      (@PerDay = 0 OR (SELECT COUNT(*) FROM outbox placed
                                       WHERE placed.customer_id = asked.customer_id AND placed.channel = asked.channel AND placed.cap_at > asked.day_ago) < @PerDay)
                      AND (@PerWeek = 0 OR (SELECT COUNT(*) FROM outbox placed
                                            WHERE placed.customer_id = asked.customer_id AND placed.channel = asked.channel AND placed.cap_at > asked.week_ago) < @PerWeek)))
                RETURNING outbox.id
                """, p, transaction, cancellationToken: cancellationToken));
            if (first) await results.ReadAsync<long>();
            held.UnionWith(await results.ReadAsync<long>());
        }
        // Why not, for those refused: the claim lost to another dispatcher, or which cap is full — in one statement, as
        // a batch of customers at their caps (a broadcast's) can be refused whole while their rows are locked.
        var refused = new List<int>();
        for (var i = 0; i < messages.Count; i++)
        {
            if (held.Contains(messages[i].Message.Id)) claims[i] = CapClaim.Held;
            else refused.Add(i);
        }
        if (refused.Count > 0)
        {
            var p = new DynamicParameters();
            var rows = Dialect.InsertRows(refused, i =>
            {
                var (message, now) = messages[i];
                return [i, message.Id, message.ClaimedUntil, message.CustomerId, message.Channel, now.AddDays(-1)];
            }, p, "integer", "bigint", "timestamptz", "bigint", "text", "timestamptz");
            var states = await connection.QueryAsync<CapStateRow>(new CommandDefinition($"""
                WITH asked (nth, id, claimed_until, customer_id, channel, day_ago) AS ({rows})
                SELECT asked.nth,
                       (SELECT COUNT(*) FROM outbox WHERE outbox.id = asked.id AND status = {Sending} AND outbox.claimed_until = asked.claimed_until) AS still_claimed,
                       (SELECT COUNT(*) FROM outbox WHERE outbox.customer_id = asked.customer_id AND outbox.channel = asked.channel AND cap_at > asked.day_ago) AS day
                FROM asked
                """, p, transaction, cancellationToken: cancellationToken));
            foreach (var state in states)
                claims[state.Nth] = state.StillClaimed == 0 ? CapClaim.ClaimLost
                    : caps.PerDay > 0 && state.Day >= caps.PerDay ? CapClaim.DayFull
                    : CapClaim.WeekFull;
        }
        await transaction.CommitAsync(cancellationToken);
        return claims;
    }

    public async Task<bool> SuppressAsync(string channel, string address, string reason, DateTimeOffset at, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var added = await AddSuppressionAsync(writer.Connection, transaction, channel, address, reason, at, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>The suppression insert and, when it inserted, its audit entry, on the caller's transaction.</summary>
    private static async Task<bool> AddSuppressionAsync(DbConnection connection, DbTransaction transaction, string channel, string address, string reason,
        DateTimeOffset at, AuditActor actor, CancellationToken cancellationToken)
    {
        var added = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "INSERT INTO suppressions (channel, address, reason, created_at) VALUES (@channel, @address, @reason, @at) ON CONFLICT DO NOTHING RETURNING 1",
            new { channel, address, reason, at }, transaction, cancellationToken: cancellationToken)) is not null;
        if (added)
            await AuditRows.InsertAsync(connection, transaction, new AuditEntry(at, actor, AuditActions.SuppressionAdd, AuditActions.SuppressionTarget(channel, address),
                null, AuditEntry.Json(new { channel, address, reason })), cancellationToken);
        return added;
    }

    /// <summary>The suppression delete (of any reason, or only <paramref name="onlyReason"/>) and, when it deleted, its audit entry.</summary>
    private static async Task<bool> RemoveSuppressionAsync(DbConnection connection, DbTransaction transaction, string channel, string address, string? onlyReason,
        DateTimeOffset at, AuditActor actor, CancellationToken cancellationToken)
    {
        var removed = await connection.QuerySingleOrDefaultAsync<SuppressionRow>(new CommandDefinition($"""
            DELETE FROM suppressions WHERE channel = @channel AND address = @address{(onlyReason is null ? "" : " AND reason = @onlyReason")}
            RETURNING channel, address, reason, created_at
            """, new { channel, address, onlyReason }, transaction, cancellationToken: cancellationToken));
        if (removed is { } row)
            await AuditRows.InsertAsync(connection, transaction, new AuditEntry(at, actor, AuditActions.SuppressionRemove, AuditActions.SuppressionTarget(channel, address),
                AuditEntry.Json(new { channel, address, reason = row.Reason, createdAt = row.CreatedAt }), null), cancellationToken);
        return removed is not null;
    }

    public async Task<bool> RecordReplyAsync(InboundReply reply, ReplyIntent intent, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var args = new
        {
            reply.Provider, reply.Key, reply.Channel, reply.Sender, reply.Text, intent = intent.ToString(), receivedAt,
        };
        var fresh = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition("""
            INSERT INTO inbound_replies (provider, reply_key, channel, sender, body, intent, received_at)
            VALUES (@Provider, @Key, @Channel, @Sender, @Text, @intent, @receivedAt)
            ON CONFLICT DO NOTHING RETURNING 1
            """, args, transaction, cancellationToken: cancellationToken)) is not null;
        var actor = AuditActor.System($"{reply.Provider} reply");
        if (fresh && intent == ReplyIntent.OptOut)
            await AddSuppressionAsync(connection, transaction, reply.Channel, reply.Sender, SuppressionReasons.RepliedStop, receivedAt, actor, cancellationToken);
        else if (fresh && intent == ReplyIntent.OptIn)
            await RemoveSuppressionAsync(connection, transaction, reply.Channel, reply.Sender, SuppressionReasons.RepliedStop, receivedAt, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return fresh;
    }

    public async Task<bool> UnsuppressAsync(string channel, string address, DateTimeOffset at, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var removed = await RemoveSuppressionAsync(writer.Connection, transaction, channel, address, null, at, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    public async Task<IReadOnlyList<MessageView>> ListAsync(MessageStatus? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition($"""
            SELECT o.id, COALESCE(c.external_id, c.anonymous_id) AS customer_id, o.journey, o.step, o.channel, o.template, o.status,
                   o.attempts, o.recipient, o.provider_id, o.last_error, o.created_at, o.due_at, o.sent_at, o.variant
            FROM outbox o JOIN customers c ON c.id = o.customer_id
            {(status is null ? "" : "WHERE o.status = @status")}
            ORDER BY o.created_at DESC, o.id DESC
            LIMIT @limit
            """, new { status = status?.Text(), limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new MessageView(r.Id, r.CustomerId, r.Journey, r.Step, r.Channel, r.Template, MessageStatuses.Parse(r.Status), r.Attempts,
            r.Recipient, r.ProviderId, r.LastError, r.CreatedAt, r.DueAt, r.SentAt, r.Variant)).ToList();
    }

    private sealed class ClaimRow
    {
        public long Id { get; set; }
        public string IdempotencyKey { get; set; } = "";
        public long CustomerId { get; set; }
        public string Journey { get; set; } = "";
        public string Step { get; set; } = "";
        public string Channel { get; set; } = "";
        public string Template { get; set; } = "";
        public JsonObject Context { get; set; } = [];
        public int Attempts { get; set; }
        public long InstanceId { get; set; }
        public bool Transactional { get; set; }
        public string? TraceParent { get; set; }
    }

    private sealed class CapStateRow
    {
        /// <summary>The message's place in the list asked.</summary>
        public int Nth { get; set; }
        public long StillClaimed { get; set; }
        public long Day { get; set; }
    }

    private sealed class InstanceTriggerRow
    {
        public long Id { get; set; }
        public DateTimeOffset EnteredAt { get; set; }
        public JsonObject? TriggerEvent { get; set; }
    }

    private sealed class MessageRow
    {
        public long Id { get; set; }
        public string CustomerId { get; set; } = "";
        public string Journey { get; set; } = "";
        public string Step { get; set; } = "";
        public string Channel { get; set; } = "";
        public string Template { get; set; } = "";
        public string Status { get; set; } = "";
        public int Attempts { get; set; }
        public string? Recipient { get; set; }
        public string? ProviderId { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset DueAt { get; set; }
        public DateTimeOffset? SentAt { get; set; }
        public string? Variant { get; set; }
    }
}
