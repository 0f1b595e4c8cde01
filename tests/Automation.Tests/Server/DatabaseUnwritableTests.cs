using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Automation.Tests.Server;

/// <summary>
/// The database stops taking writes under the running server: clients are told to retry, readiness says so, and
/// both recover when the file does. The file is made immutable (<c>chattr +i</c>), which stops root too and also
/// writes through a descriptor opened before, unlike a read-only mode bit.
/// </summary>
public sealed class DatabaseUnwritableTests
{
    [Test]
    public async Task While_the_SQLite_file_refuses_writes_ingest_answers_503_and_the_server_is_not_ready()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var file = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)));
        using var client = factory.CreateAuthorizedClient();
        Task<HttpResponseMessage> Track(string id) =>
            client.PostAsJsonAsync("/v1/track", new { userId = "ro", @event = "Page Viewed", messageId = id });

        (await Track("before")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);

        var files = new[] { file, file + "-wal" }.Where(File.Exists).ToArray();
        MakeImmutable(files, true);
        try
        {
            var refused = await Track("during");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
            refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
            var ready = await client.GetAsync("/health/ready");
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await ready.Content.ReadAsStringAsync());
            (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "the process itself is fine");
        }
        finally
        {
            MakeImmutable(files, false);
        }

        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Track("after")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using var connection = new SqliteConnection(db.ConnectionString);
        (await connection.QueryAsync<string>("SELECT message_id FROM events")).Should().BeEquivalentTo(["before", "after"]);
    }

    [Test]
    public async Task A_SQLite_file_replaced_under_the_server_is_not_ready_until_it_is_back()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var file = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)));
        using var client = factory.CreateAuthorizedClient();
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);

        // The server still holds the old file open and would write into it, lost at its next start.
        File.Move(file, file + ".moved");
        Directory.CreateDirectory(file);
        var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Unhealthy");

        Directory.Delete(file);
        File.Move(file + ".moved", file);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task While_PostgreSQL_refuses_writes_ingest_answers_503_and_the_server_is_not_ready()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        // Unpooled, so every connection is a new session and takes up the database's setting at once.
        var unpooled = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ToString();
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)), unpooled);
        using var client = factory.CreateAuthorizedClient();
        Task<HttpResponseMessage> Track(string id) =>
            client.PostAsJsonAsync("/v1/track", new { userId = "ro", @event = "Page Viewed", messageId = id });
        var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
        async Task ReadOnly(bool on)
        {
            // As a standby after a failover, or a primary an operator put in read-only mode: reads answer, writes do not.
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Options = "-c default_transaction_read_only=off" }.ToString());
            await admin.ExecuteAsync($"ALTER DATABASE \"{database}\" SET default_transaction_read_only = {(on ? "on" : "off")}");
        }
        (await Track("before")).StatusCode.Should().Be(HttpStatusCode.OK);

        await ReadOnly(true);
        try
        {
            var refused = await Track("during");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
            refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
            (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await ReadOnly(false);
        }

        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Track("after")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        (await connection.QueryAsync<string>("SELECT message_id FROM events")).Should().BeEquivalentTo(["before", "after"]);
    }

    private static void MakeImmutable(IEnumerable<string> files, bool immutable)
    {
        foreach (var file in files)
        {
            using var chattr = Process.Start(new ProcessStartInfo("chattr", [immutable ? "+i" : "-i", file]) { RedirectStandardError = true })!;
            chattr.WaitForExit();
            if (chattr.ExitCode != 0)
            {
                if (immutable) Assert.Ignore($"chattr +i needs CAP_LINUX_IMMUTABLE and ext2/3/4, xfs or btrfs: {chattr.StandardError.ReadToEnd()}");
                throw new InvalidOperationException($"chattr -i {file}: {chattr.StandardError.ReadToEnd()}");
            }
        }
    }
}
