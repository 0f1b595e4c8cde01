using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// Claims take the earliest due messages of every claimable kind — queued and deferred ones past their time, and those a
/// dispatcher left sending past its lease — in (due time, id) order, a batch at a time, each once however many
/// dispatchers claim at the same instant; and the frequency caps' places asked for together are taken in the order asked.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class OutboxClaimTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed record Seeded(long Id, string Status, DateTimeOffset DueAt, DateTimeOffset? ClaimedUntil)
    {
        public bool Claimable => Status is "queued" or "deferred" ? DueAt <= Now : Status == "sending" && ClaimedUntil < Now;
    }

    [Test]
    public async Task Batches_follow_due_time_then_id_across_queued_deferred_and_abandoned_messages()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var random = new Random(20261205);
        // Few distinct due times, so most batches break ties by id, as a broadcast queued in one instant does.
        var seeded = await SeedAsync(db, 400, () => random.Next(6) switch
        {
            0 => ("queued", Now.AddMinutes(random.Next(-3, 2)), null),
            1 => ("queued", Now.AddMinutes(-2), null),
            2 => ("deferred", Now.AddMinutes(random.Next(-3, 2)), null),
            3 => ("sending", Now.AddMinutes(random.Next(-3, 1)), Now.AddMinutes(random.Next(-2, 3))),
            4 => ("sent", Now.AddMinutes(-3), null),
            _ => ("failed", Now.AddMinutes(-2), null),
        });
        var expected = seeded.Where(s => s.Claimable).OrderBy(s => s.DueAt).ThenBy(s => s.Id).Select(s => s.Id).ToList();
        expected.Should().HaveCountGreaterThan(150, "the seed must leave many claimable messages of each kind");

        var claimed = new List<long>();
        while (await db.Storage.ClaimDueAsync(Now, 7, Lease, None) is { Count: > 0 } batch)
        {
            batch.Count.Should().BeLessThanOrEqualTo(7);
            // A batch comes back in id order; its members are the next seven due.
            batch.Select(m => m.Id).Should().BeEquivalentTo(expected.Skip(claimed.Count).Take(7));
            claimed.AddRange(expected.Skip(claimed.Count).Take(batch.Count));
        }
        claimed.Should().Equal(expected);
    }

    [Test]
    public async Task Sixteen_dispatchers_claiming_at_once_take_each_message_once()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var random = new Random(16);
        var seeded = await SeedAsync(db, 600, () => random.Next(3) switch
        {
            0 => ("queued", Now.AddSeconds(-random.Next(60)), null),
            1 => ("deferred", Now.AddSeconds(-random.Next(60)), null),
            _ => ("sending", Now.AddSeconds(-random.Next(60)), Now.AddSeconds(-1)),
        });

        using var start = new Barrier(16);
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            var mine = new List<long>();
            while (await db.Storage.ClaimDueAsync(Now, 10, Lease, None) is { Count: > 0 } batch) mine.AddRange(batch.Select(m => m.Id));
            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        all.Should().OnlyHaveUniqueItems("a message is claimed by one dispatcher").And.BeEquivalentTo(seeded.Select(s => s.Id));
        if (provider == StorageOptions.Postgres) claims.Count(c => c.Count > 0).Should().BeGreaterThan(1, "the dispatchers claimed side by side");
    }

    [Test]
    public async Task Cap_places_asked_together_count_each_other_in_the_order_asked()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var connection = await db.Storage.OpenConnectionAsync(None);
        var customers = new Dictionary<string, long>();
        foreach (var name in new[] { "ann", "bob", "cy" })
            customers[name] = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO customers (external_id, traits, created_at, updated_at) VALUES (@name, '{}', @at, @at) RETURNING id", new { name, at = Now.AddDays(-30) });
        var instance = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at) VALUES (@customer, 'win-back', 'k', 'active', @at) RETURNING id",
            new { customer = customers["ann"], at = Now.AddDays(-30) });
        var key = 0;
        async Task Message(string customer, string status, DateTimeOffset? capAt = null) => await connection.ExecuteAsync("""
            INSERT INTO outbox (idempotency_key, customer_id, journey, instance_id, step, channel, template, context, status, created_at, due_at, cap_at)
            VALUES (@key, @customer, 'win-back', @instance, 'offer', 'sms', 'win-back/offer', '{}', @status, @at, @at, @capAt)
            """, new { key = $"m{key++}", customer = customers[customer], instance, status, at = Now.AddMinutes(-key), capAt });
        foreach (var customer in new[] { "ann", "ann", "ann", "bob", "bob", "cy" }) await Message(customer, "queued");
        // Cy has had three this week, none today.
        foreach (var days in new[] { 2, 3, 4 }) await Message("cy", "sent", Now.AddDays(-days));

        var claimed = (await db.Storage.ClaimDueAsync(Now, 100, Lease, None)).ToLookup(m => m.CustomerId);
        var ann = claimed[customers["ann"]].ToList();
        var bob = claimed[customers["bob"]].ToList();
        var cy = claimed[customers["cy"]].Single();
        // Bob's second claim has been taken over by another dispatcher since.
        var taken = bob[1] with { ClaimedUntil = bob[1].ClaimedUntil.AddMinutes(-1) };

        var answers = await db.Storage.ClaimCapsAsync([(ann[0], Now), (bob[0], Now), (ann[1], Now), (cy, Now), (ann[2], Now), (taken, Now)],
            new FrequencyCaps(PerDay: 2, PerWeek: 3), None);

        answers.Should().Equal(CapClaim.Held, CapClaim.Held, CapClaim.Held, CapClaim.WeekFull, CapClaim.DayFull, CapClaim.ClaimLost);
        (await connection.QueryAsync<long>("SELECT id FROM outbox WHERE cap_at IS NOT NULL AND status = 'sending' ORDER BY id"))
            .Should().BeEquivalentTo(new[] { ann[0].Id, ann[1].Id, bob[0].Id }, "only the places held are taken");
    }

    private static async Task<List<Seeded>> SeedAsync(TestDatabase db, int count, Func<(string Status, DateTimeOffset DueAt, DateTimeOffset? ClaimedUntil)> next)
    {
        await using var connection = await db.Storage.OpenConnectionAsync(None);
        var customer = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO customers (external_id, traits, created_at, updated_at) VALUES ('ann', '{}', @at, @at) RETURNING id", new { at = Now.AddDays(-1) });
        var instance = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at) VALUES (@customer, 'welcome', 'k', 'active', @at) RETURNING id",
            new { customer, at = Now.AddDays(-1) });
        var seeded = new List<Seeded>();
        for (var i = 0; i < count; i++)
        {
            var (status, dueAt, claimedUntil) = next();
            var id = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO outbox (idempotency_key, customer_id, journey, instance_id, step, channel, template, context, status, created_at, due_at, claimed_until)
                VALUES (@key, @customer, 'welcome', @instance, 'hello', 'sms', 'welcome/hello', '{}', @status, @at, @dueAt, @claimedUntil)
                RETURNING id
                """, new { key = $"m{i}", customer, instance, status, at = Now.AddDays(-1), dueAt, claimedUntil });
            seeded.Add(new Seeded(id, status, dueAt, claimedUntil));
        }
        return seeded;
    }
}
