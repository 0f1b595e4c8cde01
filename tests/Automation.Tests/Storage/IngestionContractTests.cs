using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>
/// What ingestion must store, written once and run on every database (see the subclasses at the end).
/// </summary>
public abstract class IngestionContractTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private IngestionService _ingestion = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _clock = new FakeTimeProvider(Start);
        _ingestion = TestIngestion.Service(_db.Storage, TestIngestion.Engine(new JourneyCatalog()), _clock);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private Task<IngestOutcome> Ingest(params System.Text.Json.Nodes.JsonObject[] messages) =>
        _ingestion.IngestAsync(Segment.Read(_clock, messages), CancellationToken.None);

    private async Task<CustomerSnapshot> Customer(string id) =>
        (await _db.Storage.FindAsync(id, CancellationToken.None)) ?? throw new AssertionException($"customer {id} not found");

    private async Task<long> Count(string table)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    [Test]
    public async Task Identify_creates_the_customer_with_normalised_contact_details()
    {
        await Ingest(Segment.Identify("u1", new { email = "ann@example.com", firstName = "Ann", lastName = "Lee", phone = "+86 138-0013-8000", birthday = "1990-04-21T00:00:00Z", timezone = "Asia/Shanghai", locale = "zh-CN", plan = "gold" }));

        var c = await Customer("u1");
        c.Profile.Email.Should().Be("ann@example.com");
        c.Profile.Name.Should().Be("Ann Lee");
        c.Profile.Phone.Should().Be("+8613800138000");
        c.Profile.Birthday.Should().Be(new DateOnly(1990, 4, 21));
        c.Profile.Timezone.Should().Be("Asia/Shanghai");
        c.Profile.Locale.Should().Be("zh-CN");
        c.Profile.Traits["plan"]!.GetValue<string>().Should().Be("gold");
        c.Stats.Should().Be(CustomerStats.None);
        c.Cart.Should().BeNull();
    }

    [Test]
    public async Task A_replayed_message_id_adds_nothing()
    {
        var order = Segment.Track("u1", CommerceEvents.OrderCompleted, new { order_id = "o1", total = 30 }, Start, messageId: "m-1");
        (await Ingest(order)).Accepted.Should().Be(1);

        var replay = await Ingest(order);
        replay.Accepted.Should().Be(0);
        replay.DuplicateMessageIds.Should().Equal("m-1");
        (await Count("events")).Should().Be(1);
        (await Customer("u1")).Stats.OrderCount.Should().Be(1);
    }

    [Test]
    public async Task The_same_message_id_twice_in_one_batch_counts_once()
    {
        var track = Segment.Track("u1", "Viewed", messageId: "same");
        var outcome = await Ingest(track, Segment.Track("u1", "Viewed", messageId: "same"));
        outcome.Accepted.Should().Be(1);
        outcome.DuplicateMessageIds.Should().Equal("same");
    }

    [Test]
    public async Task Concurrent_requests_each_get_their_own_outcome_and_everything_is_stored_once()
    {
        // Forty requests at once are committed in groups; a message id sent by two of them counts for one only, and
        // every order counts once in the stats, as if the requests had been written one after another.
        var requests = Enumerable.Range(0, 40).Select(r => new[]
        {
            Segment.Track($"c{r % 7}", CommerceEvents.OrderCompleted, new { order_id = $"o{r}", total = 10 }, Start.AddMinutes(r), messageId: $"order-{r}"),
            Segment.Track($"c{r % 7}", "Viewed", messageId: $"shared-{r / 2}"),
            Segment.Identify($"c{r % 7}", new { email = $"c{r % 7}@example.com" }, Start.AddMinutes(r)),
        }).ToList();

        var outcomes = await Task.WhenAll(requests.Select(r => Task.Run(() => Ingest(r))));

        outcomes.Sum(o => o.Accepted).Should().Be(40 + 20 + 40);
        var shared = outcomes.SelectMany(o => o.DuplicateMessageIds).ToList();
        shared.Should().HaveCount(20).And.OnlyHaveUniqueItems().And.OnlyContain(id => id.StartsWith("shared-"));
        outcomes.Should().AllSatisfy(o => (o.Accepted + o.DuplicateMessageIds.Count).Should().Be(3));
        (await Count("events")).Should().Be(100);
        for (var c = 0; c < 7; c++)
            (await Customer($"c{c}")).Stats.OrderCount.Should().Be(Enumerable.Range(0, 40).Count(r => r % 7 == c));
    }

    [Test]
    public async Task A_late_older_identify_fills_gaps_but_does_not_overwrite_newer_traits()
    {
        await Ingest(Segment.Identify("u1", new { email = "new@example.com" }, Start.AddDays(2)));
        await Ingest(Segment.Identify("u1", new { email = "old@example.com", name = "Ann" }, Start));

        var c = await Customer("u1");
        c.Profile.Email.Should().Be("new@example.com");
        c.Profile.Name.Should().Be("Ann");
        c.Profile.TraitsUpdatedAt.Should().Be(Start.AddDays(2));
    }

    [Test]
    public async Task Identifies_in_one_batch_apply_in_timestamp_order()
    {
        await Ingest(
            Segment.Identify("u1", new { email = "newest@example.com" }, Start.AddHours(2)),
            Segment.Identify("u1", new { email = "oldest@example.com" }, Start));
        (await Customer("u1")).Profile.Email.Should().Be("newest@example.com");
    }

    [Test]
    public async Task An_anonymous_shopper_keeps_their_cart_when_they_sign_in()
    {
        await Ingest(Segment.Track(null, CommerceEvents.ProductAdded, new { product_id = "p1", price = 10, quantity = 1 }, Start, anonymousId: "device-1"));
        (await Customer("device-1")).Cart!.ItemCount.Should().Be(1);

        await Ingest(Segment.Identify("u1", new { email = "ann@example.com" }, Start.AddMinutes(5), anonymousId: "device-1"));

        var c = await Customer("u1");
        c.Profile.AnonymousId.Should().Be("device-1");
        c.Cart!.Items.Should().ContainSingle(i => i.ProductId == "p1");
        (await Count("customers")).Should().Be(1);
    }

    [Test]
    public async Task Orders_update_stats_with_the_mean_interval_between_orders()
    {
        await Ingest(
            Segment.Order("u1", "o1", 20m, Start),
            Segment.Order("u1", "o3", 40m, Start.AddDays(30)),
            Segment.Order("u1", "o2", 30m, Start.AddDays(10)));

        var stats = (await Customer("u1")).Stats;
        stats.OrderCount.Should().Be(3);
        stats.TotalSpent.Should().Be(90m);
        stats.FirstOrderAt.Should().Be(Start);
        stats.LastOrderAt.Should().Be(Start.AddDays(30));
        stats.MeanOrderIntervalDays.Should().BeApproximately(15.0, 1e-9);
    }

    [Test]
    public async Task Whole_and_fractional_amounts_read_back_alike()
    {
        await Ingest(Segment.Order("u1", "o1", 20m, Start));
        (await Customer("u1")).Stats.TotalSpent.Should().Be(20m);
        await Ingest(Segment.Order("u1", "o2", 30.5m, Start.AddDays(1)));
        (await Customer("u1")).Stats.TotalSpent.Should().Be(50.5m);
        await Ingest(Segment.Order("u2", "o3", 7m, Start));
        (await Customer("u2")).Stats.TotalSpent.Should().Be(7m);
    }

    [Test]
    public async Task The_same_order_sent_twice_with_new_message_ids_is_one_order()
    {
        await Ingest(Segment.Order("u1", "o1", 20m, Start));
        await Ingest(Segment.Order("u1", "o1", 20m, Start));
        (await Customer("u1")).Stats.OrderCount.Should().Be(1);
    }

    [Test]
    public async Task Refunds_lower_spend_and_a_full_refund_removes_the_order_even_when_it_arrives_first()
    {
        await Ingest(
            Segment.Track("u1", CommerceEvents.OrderRefunded, new { order_id = "o2" }, Start.AddDays(3)),
            Segment.Order("u1", "o1", 50m, Start),
            Segment.Order("u1", "o2", 30m, Start.AddDays(2)),
            Segment.Track("u1", CommerceEvents.OrderRefunded, new { order_id = "o1", total = 15 }, Start.AddDays(4)));

        var stats = (await Customer("u1")).Stats;
        stats.OrderCount.Should().Be(1);
        stats.TotalSpent.Should().Be(35m);
        stats.LastOrderAt.Should().Be(Start);
    }

    [Test]
    public async Task Delivery_is_recorded_on_the_order()
    {
        await Ingest(Segment.Order("u1", "o1", 50m, Start), Segment.Track("u1", CommerceEvents.OrderDelivered, new { order_id = "o1" }, Start.AddDays(2)));

        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var deliveredAt = await connection.QuerySingleAsync<DateTimeOffset?>("SELECT delivered_at FROM orders WHERE order_id = 'o1'");
        deliveredAt.Should().Be(Start.AddDays(2));
    }

    [Test]
    public async Task Cart_follows_adds_and_removes_and_empties_on_order()
    {
        await Ingest(
            Segment.Track("u1", CommerceEvents.ProductAdded, new { product_id = "tea", name = "Green tea", price = 12.5, quantity = 2, currency = "usd" }, Start),
            Segment.Track("u1", CommerceEvents.ProductAdded, new { product_id = "cup", price = 5, quantity = 1 }, Start.AddMinutes(1)),
            Segment.Track("u1", CommerceEvents.ProductRemoved, new { product_id = "tea", quantity = 1 }, Start.AddMinutes(2)));

        var cart = (await Customer("u1")).Cart!;
        cart.Items.Should().BeEquivalentTo([
            new ProductLine("tea", null, "Green tea", 12.5m, 1, null, null, null),
            new ProductLine("cup", null, null, 5m, 1, null, null, null),
        ]);
        cart.Value.Should().Be(17.5m);
        cart.Currency.Should().Be("USD");
        cart.UpdatedAt.Should().Be(Start.AddMinutes(2));

        await Ingest(Segment.Order("u1", "o1", 17.5m, Start.AddMinutes(10)));
        (await Customer("u1")).Cart.Should().BeNull();
    }

    [Test]
    public async Task A_late_product_added_from_before_the_order_does_not_reopen_the_cart()
    {
        await Ingest(Segment.Order("u1", "o1", 10m, Start.AddMinutes(10)));
        await Ingest(Segment.Track("u1", CommerceEvents.ProductAdded, new { product_id = "tea", price = 10 }, Start));
        (await Customer("u1")).Cart.Should().BeNull();

        await Ingest(Segment.Track("u1", CommerceEvents.ProductAdded, new { product_id = "cup", price = 5 }, Start.AddMinutes(20)));
        (await Customer("u1")).Cart!.Items.Should().ContainSingle(i => i.ProductId == "cup");
    }

    [Test]
    public async Task A_transaction_not_committed_leaves_nothing_behind()
    {
        var messages = Segment.Read(_clock, Segment.Identify("u1", new { email = "ann@example.com" }));
        await using (var tx = await _db.Storage.BeginAsync(CancellationToken.None))
        {
            await tx.CreateCustomersAsync([new("u1", null)], Start, CancellationToken.None);
            await tx.InsertEventsAsync([new(messages[0].MessageId, 1, MessageType.Identify, null, messages[0].Properties, null, Start, Start)], CancellationToken.None);
        }
        (await Count("customers")).Should().Be(0);
        (await Count("events")).Should().Be(0);
    }

    [Test]
    public async Task A_write_that_failed_halfway_leaves_nothing_and_the_next_write_starts_clean()
    {
        // SQLite writes through one long-lived connection: a failed transaction must not leak into the next writer.
        var messages = Segment.Read(_clock, Segment.Identify("u1", new { email = "ann@example.com" }));
        await using (var tx = await _db.Storage.BeginAsync(CancellationToken.None))
        {
            await tx.CreateCustomersAsync([new("u1", null)], Start, CancellationToken.None);
            var orphan = new EventRecord(messages[0].MessageId, 999_999, MessageType.Identify, null, messages[0].Properties, null, Start, Start);
            await FluentActions.Awaiting(() => tx.InsertEventsAsync([orphan], CancellationToken.None)).Should().ThrowAsync<Exception>();
        }

        (await Ingest(Segment.Identify("u2", new { email = "bo@example.com" }))).Accepted.Should().Be(1);
        (await Count("customers")).Should().Be(1);
        (await Count("events")).Should().Be(1);
        (await Customer("u2")).Profile.Email.Should().Be("bo@example.com");
    }

    [Test]
    public async Task A_writer_that_left_its_transaction_open_leaves_nothing_and_the_next_write_starts_clean()
    {
        await using (var writer = await _db.Storage.OpenWriterAsync(CancellationToken.None))
            await writer.Connection.ExecuteAsync("BEGIN; INSERT INTO customers (external_id, created_at, updated_at) VALUES ('left-open', @Start, @Start)", new { Start });

        (await Ingest(Segment.Identify("u2", new { email = "bo@example.com" }))).Accepted.Should().Be(1);
        (await Count("customers")).Should().Be(1);
        (await _db.Storage.FindAsync("left-open", CancellationToken.None)).Should().BeNull();
    }

    [Test]
    public async Task Concurrent_requests_for_a_new_customer_create_it_once()
    {
        var requests = Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Ingest(Segment.Track("racer", "Page Viewed", new { i }, Start.AddSeconds(i)))));
        await Task.WhenAll(requests);

        (await Count("customers")).Should().Be(1);
        (await Count("events")).Should().Be(8);
    }

    [Test]
    public async Task A_big_batch_is_stored_in_full()
    {
        var messages = Enumerable.Range(0, SegmentMessageReader.MaxBatchMessages)
            .Select(i => i % 2 == 0
                ? Segment.Order($"u{i % 300}", $"o{i}", 10m + i % 7, Start.AddHours(i))
                : Segment.Track($"u{i % 300}", CommerceEvents.ProductAdded, new { product_id = $"p{i % 5}", price = 3 }, Start.AddHours(i)))
            .ToArray();
        (await Ingest(messages)).Accepted.Should().Be(SegmentMessageReader.MaxBatchMessages);
        (await Count("events")).Should().Be(SegmentMessageReader.MaxBatchMessages);
        (await Count("customers")).Should().Be(300);
        (await Count("orders")).Should().Be(500);
    }

    [Test]
    public async Task Migrating_again_applies_nothing()
    {
        (await _db.MigrateAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task A_database_with_a_newer_schema_is_refused()
    {
        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', @now)", new { now = Start });

        var migrate = () => _db.MigrateAsync();
        (await migrate.Should().ThrowAsync<Automation.Storage.Migrations.SchemaTooNewException>())
            .Which.Message.Should().Contain("version 999").And.Contain($"knows only up to version {Automation.Storage.Migrations.SchemaMigrator.Available(_db.Storage.Dialect.Name)[^1].Version}");
    }
}

[TestFixture]
public sealed class SqliteIngestionTests() : IngestionContractTests(StorageOptions.Sqlite);

[TestFixture]
public sealed class PostgresIngestionTests() : IngestionContractTests(StorageOptions.Postgres);
