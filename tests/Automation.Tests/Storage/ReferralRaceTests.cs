using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Referrals;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>Several nodes paying referral rewards at the same instant on one PostgreSQL database pay each once.</summary>
[Category("Cluster")]
public sealed class ReferralRaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly ReferralCodes Codes = new(new byte[32]);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private IngestionService _ingestion = null!;
    private ReferralRewarder _rewarder = null!;

    [SetUp]
    public async Task SetUp()
    {
        _clock = new FakeTimeProvider(Start);
        _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        (_ingestion, _rewarder) = ReferralTests.Node(_db.Storage, _clock);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private Task<IngestOutcome> Ingest(params System.Text.Json.Nodes.JsonObject[] messages) => _ingestion.IngestAsync(Segment.Read(_clock, messages), CancellationToken.None);

    private async Task<CustomerSnapshot> Customer(string id) => (await ((ICustomerStore)_db.Storage).FindAsync(id, CancellationToken.None))!;

    private async Task<string> CodeOf(string id) => Codes.CodeFor((await Customer(id)).Profile.Id);

    [Test]
    public async Task Rewards_are_paid_once_when_sixteen_jobs_run_on_two_nodes_at_once()
    {
        await using var second = new PostgresStorage(_db.ConnectionString);
        var nodes = new[] { _rewarder, ReferralTests.Node(second, _clock).Rewarder };
        await Ingest(Segment.Identify("ann", new { }));
        var code = await CodeOf("ann");
        for (var i = 0; i < 5; i++)
            await Ingest(Segment.Identify($"friend-{i}", new { referral = code }), Segment.Track($"friend-{i}", "Order Completed", new { order_id = $"f{i}", total = 50 }));
        _clock.Advance(TimeSpan.FromDays(14));

        using var gate = new ManualResetEventSlim();
        var runs = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await nodes[i % 2].PayDueAsync(CancellationToken.None);
        })).ToArray();
        gate.Set();
        (await Task.WhenAll(runs)).Sum().Should().Be(5);

        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM points_ledger WHERE source_key LIKE 'referral:%'")).Should().Be(5);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Referral Rewarded'")).Should().Be(5);
        (await Customer("ann")).Referrals.Should().Be(5);
    }
}
