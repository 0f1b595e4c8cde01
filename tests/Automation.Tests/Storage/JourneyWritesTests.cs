using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Storage;
using Automation.Tests.Core.Journeys;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// The multi-row journey writes give the rows, and the answers, that one statement per row gave; snapshots read with
/// some parts hold just those; on both databases.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class JourneyWritesTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private async Task<long[]> CustomersAsync(int count)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var ids = new long[count];
        for (var i = 0; i < count; i++)
            ids[i] = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO customers (external_id, created_at, updated_at) VALUES (@id, @Now, @Now) RETURNING id", new { id = $"w{i}", Now });
        return ids;
    }

    [Test]
    public async Task Entries_steps_ends_and_messages_across_several_statements_skip_exactly_what_exists()
    {
        var customers = await CustomersAsync(60);
        var trigger = new JsonObject { ["name"] = "Signed Up" };
        await using (var tx = await _db.Storage.BeginJourneyWorkAsync(CancellationToken.None))
        {
            // Customer 0 already made this entry; customer 1 has another entry active in the journey.
            await tx.EnterAsync([new JourneyEntry(customers[0], "j", "scan:1", Now, null), new JourneyEntry(customers[1], "j", "scan:0", Now, null)], CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        await using (var tx = await _db.Storage.BeginJourneyWorkAsync(CancellationToken.None))
        {
            var entries = customers.Select((c, i) => new JourneyEntry(c, "j", "scan:1", Now, i == 59 ? trigger : null)).ToList();
            var instances = await tx.EnterAsync(entries, CancellationToken.None);
            instances.Select(i => i.CustomerId).Should().Equal(customers.Skip(2));
            instances.Should().OnlyContain(i => i.Journey == "j" && i.EnteredAt == Now && i.StepsDone.Count == 0);
            instances[^1].TriggerEvent!["name"]!.GetValue<string>().Should().Be("Signed Up");

            var steps = instances.Select(i => new FiredStep(i.Id, "first", StepActions.Send, Now)).ToList();
            (await tx.RecordStepsAsync(steps.Take(10).ToList(), CancellationToken.None)).Should().HaveCount(10);
            var later = Now.AddHours(1);
            var recorded = await tx.RecordStepsAsync([.. steps, new FiredStep(instances[0].Id, "second", StepActions.Send, later)], CancellationToken.None);
            recorded.Should().Equal([.. steps.Skip(10), new FiredStep(instances[0].Id, "second", StepActions.Send, later)], "steps already recorded are left out");

            await tx.EndAsync([new InstanceEnd(instances[0].Id, JourneyEnd.Exited, "first", Now), new InstanceEnd(instances[0].Id, JourneyEnd.Completed, "second", Now),
                new InstanceEnd(instances[1].Id, JourneyEnd.Completed, "all steps done", Now)], CancellationToken.None);

            var messages = instances.Select((i, n) => new OutboxMessage($"j:{i.Id}:first", i.CustomerId, "j", i.Id, "first", "email", "j/first",
                new JsonObject { ["Transactional"] = n == 0 }, Now, n == 1 ? Automation.Core.Messaging.Variants.Holdout : null)).ToList();
            await tx.EnqueueAsync(messages, Now, CancellationToken.None);
            await tx.EnqueueAsync(messages.Take(30).ToList(), Now.AddMinutes(1), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);

            await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
            var rows = (await connection.QueryAsync<(long Id, long CustomerId, string Status, string? EndReason)>(
                "SELECT id, customer_id, status, end_reason FROM journey_instances WHERE entry_key = 'scan:1' ORDER BY id")).ToList();
            rows.Select(r => (r.Id, r.CustomerId)).Should().Equal([(await connection.ExecuteScalarAsync<long>(
                "SELECT id FROM journey_instances WHERE customer_id = @c AND entry_key = 'scan:1'", new { c = customers[0] }), customers[0]), .. instances.Select(i => (i.Id, i.CustomerId))]);
            rows.Single(r => r.Id == instances[0].Id).Should().Be((instances[0].Id, customers[2], "exited", "first"), "the first end wins");
            rows.Single(r => r.Id == instances[1].Id).Status.Should().Be("completed");
            (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM journey_steps")).Should().Be(instances.Count + 1);
            var stepTimes = (await connection.QueryAsync<(long Id, DateTimeOffset LastStepAt)>("SELECT id, last_step_at FROM journey_instances WHERE last_step_at IS NOT NULL")).ToDictionary();
            stepTimes.Should().HaveCount(instances.Count);
            stepTimes[instances[0].Id].Should().Be(later, "the last step recorded sets the time");
            stepTimes[instances[5].Id].Should().Be(Now);

            var outbox = (await connection.QueryAsync<(long InstanceId, string Status, bool Transactional, string? Variant, DateTimeOffset CreatedAt)>(
                "SELECT instance_id, status, transactional, variant, created_at FROM outbox ORDER BY id")).ToList();
            outbox.Select(o => o.InstanceId).Should().Equal(instances.Select(i => i.Id), "a repeated key adds nothing, and rows keep their order");
            outbox.Should().OnlyContain(o => o.CreatedAt == Now);
            outbox[0].Transactional.Should().BeTrue();
            outbox[1].Should().Match<(long, string Status, bool, string? Variant, DateTimeOffset)>(o => o.Status == "holdout" && o.Variant == "holdout");
            outbox.Skip(2).Should().OnlyContain(o => o.Status == "queued" && !o.Transactional && o.Variant == null);
        }
    }

    /// <summary>A customer with every part of a snapshot set (but coupons, referrals and purchase history).</summary>
    private async Task FillAsync(long id, int n)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var at = Now.AddDays(-20 - n);
        await connection.ExecuteAsync("UPDATE customers SET email = @email, phone = @phone, traits = @traits WHERE id = @id",
            new { id, email = $"w{n}@example.com", phone = $"+1555010{n}", traits = new JsonObject { ["plan"] = "gold" } });
        foreach (var sql in new[]
                 {
                     "INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, mean_order_interval_days, coupon_order_count) VALUES (@id, 3 + @n, 120, @at, @at, 9, 1)",
                     "INSERT INTO carts (customer_id, items, item_count, value, currency, updated_at) VALUES (@id, @items, 2, 25, 'USD', @at)",
                     "INSERT INTO customer_tags (customer_id, tag, source, added_at) VALUES (@id, 'vip', 'manual', @at), (@id, 'repeat', 'rule', @at)",
                     "INSERT INTO points_ledger (customer_id, points, kind, reason, source_key, created_at, expires_at) VALUES (@id, 80 + @n, 'earn', 'order', @sourceKey, @at, @expires)",
                     "INSERT INTO customer_rfm (customer_id, r, f, m, spend_365, computed_at) VALUES (@id, 4, 3, 5, 120, @at)",
                     "INSERT INTO customer_tiers (customer_id, tier, since) VALUES (@id, 'Silver', @at)",
                     "INSERT INTO suppressions (channel, address, reason, created_at) VALUES ('email', @email, 'unsubscribed', @at)",
                 })
        {
            await connection.ExecuteAsync(sql, new { id, n, at, email = $"w{n}@example.com", sourceKey = $"o{n + 1}", expires = Now.AddDays(10),
                items = new JsonArray(new JsonObject { ["product_id"] = "p1", ["price"] = 12.5, ["quantity"] = 2 }) });
        }
    }

    [Test]
    public async Task A_snapshot_read_with_some_parts_holds_those_and_leaves_the_rest_empty()
    {
        var id = (await CustomersAsync(1))[0];
        await FillAsync(id, 0);

        var whole = (await _db.Storage.SnapshotsAsync([id], SnapshotParts.All, CancellationToken.None)).Single();
        whole.Profile.Traits.ToJsonString().Should().Be("""{"plan":"gold"}""");
        whole.Stats.OrderCount.Should().Be(3);
        whole.Cart!.ItemCount.Should().Be(2);
        whole.Tags.Should().Equal("repeat", "vip");
        whole.RuleTags.Should().Equal("repeat");
        whole.PointsLedger.Should().ContainSingle().Which.Points.Should().Be(80);
        whole.Rfm.Should().Be(new RfmScore(4, 3, 5, 120));
        whole.Tier!.Tier.Should().Be("Silver");
        whole.SuppressedChannels.Should().Equal("email");

        SnapshotParts[] partsToRead = [SnapshotParts.Profile, SnapshotParts.Stats, SnapshotParts.Points | SnapshotParts.Tier, SnapshotParts.Tags | SnapshotParts.Cart | SnapshotParts.Traits,
            SnapshotParts.Rfm | SnapshotParts.Suppressions];
        await using var tx = await _db.Storage.BeginJourneyWorkAsync(CancellationToken.None);
        foreach (var parts in partsToRead)
        {
            var expected = SnapshotPartsTests.Keep(whole, parts);
            foreach (var partial in new[] { (await _db.Storage.SnapshotsAsync([id], parts, CancellationToken.None)).Single(), (await tx.LoadSnapshotsAsync([id], parts, CancellationToken.None)).Single() })
            {
                partial.Should().BeEquivalentTo(expected, o => o.Excluding(s => s.Profile.Traits), parts.ToString());
                partial.Profile.Traits.ToJsonString().Should().Be(expected.Profile.Traits.ToJsonString(), parts.ToString());
            }
        }
    }

    [Test]
    public async Task Customers_read_together_each_with_their_own_parts_hold_just_those()
    {
        var ids = await CustomersAsync(4);
        for (var i = 0; i < ids.Length; i++) await FillAsync(ids[i], i);
        var whole = (await _db.Storage.SnapshotsAsync(ids, SnapshotParts.All, CancellationToken.None)).ToDictionary(s => s.Profile.Id);
        // One customer asks for a part no other does, one for none, two share one: each query binds its own customers.
        var reads = new Dictionary<long, SnapshotParts>
        {
            [ids[3]] = SnapshotParts.Stats | SnapshotParts.Tags,
            [ids[0]] = SnapshotParts.Profile,
            [ids[2]] = SnapshotParts.Tags | SnapshotParts.Points | SnapshotParts.Tier,
            [ids[1]] = SnapshotParts.Rfm | SnapshotParts.Suppressions | SnapshotParts.Cart,
        };

        await using var tx = await _db.Storage.BeginJourneyWorkAsync(CancellationToken.None);
        var read = await tx.LoadSnapshotsAsync(reads, CancellationToken.None);

        read.Select(s => s.Profile.Id).Should().Equal(ids, "in id order");
        foreach (var snapshot in read)
        {
            var parts = reads[snapshot.Profile.Id];
            snapshot.Should().BeEquivalentTo(SnapshotPartsTests.Keep(whole[snapshot.Profile.Id], parts), o => o.Excluding(s => s.Profile.Traits), parts.ToString());
        }
        read[3].Stats.OrderCount.Should().Be(6, "the parts are each customer's own, not another's");
        read[2].PointsLedger.Should().ContainSingle().Which.Points.Should().Be(82);
    }
}
