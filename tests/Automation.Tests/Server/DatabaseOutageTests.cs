using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Automation.Tests.Server;

/// <summary>PostgreSQL goes away under the server and comes back: clients are told to retry, nothing acknowledged is lost.</summary>
public sealed class DatabaseOutageTests
{
    [Test]
    public async Task While_the_database_is_down_ingest_answers_503_and_every_acknowledged_event_is_kept()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        var target = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var proxy = new TcpProxy(target.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Port = proxy.Port, Timeout = 3 }.ToString();
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)), viaProxy);
        using var client = factory.CreateAuthorizedClient();

        var acknowledged = new List<string>();
        var refused = new List<string>();
        async Task<HttpResponseMessage> Send(string id)
        {
            var response = await client.PostAsJsonAsync("/v1/track", new { userId = "outage", @event = "Page Viewed", messageId = id });
            (response.IsSuccessStatusCode ? acknowledged : refused).Add(id);
            return response;
        }

        for (var i = 0; i < 10; i++) (await Send($"before-{i}")).StatusCode.Should().Be(HttpStatusCode.OK);

        proxy.Cut();
        for (var i = 0; i < 5; i++)
        {
            var response = await Send($"during-{i}");
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
        }
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        proxy.Start();
        for (var i = 0; i < 10; i++)
        {
            var id = $"after-{i}";
            await Eventually.Until(async () => (await Send(id)).StatusCode == HttpStatusCode.OK, what: $"{id} accepted after the outage");
        }

        await using var connection = new NpgsqlConnection(db.ConnectionString);
        var stored = (await connection.QueryAsync<string>("SELECT message_id FROM events")).ToHashSet();
        stored.Should().BeEquivalentTo(acknowledged.ToHashSet());
        stored.Should().Contain(Enumerable.Range(0, 10).Select(i => $"after-{i}"));
        stored.Should().NotContain(Enumerable.Range(0, 5).Select(i => $"during-{i}"));
    }
}
