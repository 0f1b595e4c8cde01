using Automation.Core.Journeys;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Automation.Tests.Storage;

/// <summary>
/// A customer signing in on a device whose first anonymous event another transaction (another ingest lane, or another
/// node) is storing at the same instant. The race is made, not hoped for: the device's customer is inserted and held
/// uncommitted until the sign-in's insert waits on it, then committed.
/// </summary>
[Category("Cluster")]
public sealed class SignInRaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Signing_in_on_a_device_created_at_the_same_instant_takes_the_device_customer()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        var clock = new FakeTimeProvider(Start);
        var ingestion = TestIngestion.Service(db.Storage, TestIngestion.Engine(new JourneyCatalog()), clock);

        await using var device = new NpgsqlConnection(db.ConnectionString);
        await device.OpenAsync();
        await using var deviceTx = await device.BeginTransactionAsync();
        var deviceCustomer = await device.ExecuteScalarAsync<long>(
            "INSERT INTO customers (anonymous_id, created_at, updated_at) VALUES ('device-1', now(), now()) RETURNING id", transaction: deviceTx);

        var signIn = ingestion.IngestAsync(Segment.Read(clock, Segment.Identify("ann", new { email = "ann@example.com" }, Start, anonymousId: "device-1")), CancellationToken.None);
        await Eventually.Until(async () =>
        {
            await using var watch = new NpgsqlConnection(db.ConnectionString);
            return await watch.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0;
        }, what: "the sign-in's insert waiting on the device's uncommitted customer");
        await deviceTx.CommitAsync();

        var outcome = await signIn;
        outcome.Accepted.Should().Be(1);
        var ann = (await db.Storage.FindAsync("ann", CancellationToken.None))!;
        ann.Profile.Id.Should().Be(deviceCustomer, "the device's customer is the one signing in");
        ann.Profile.AnonymousId.Should().Be("device-1");
        ann.Profile.Email.Should().Be("ann@example.com");
        await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customers")).Should().Be(1);
    }
}
