using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Automation.Tests.Support;

/// <summary>
/// Two servers with storages of their own on one PostgreSQL database, for races: requests started together on both
/// meet only in the database, as requests to two nodes do.
/// </summary>
internal sealed class TwoServers : IAsyncDisposable
{
    private readonly TestDatabase _db;
    private readonly AutomationFactory[] _servers;
    private readonly HttpClient[] _clients;

    private TwoServers(TestDatabase db, AutomationFactory[] servers, HttpClient[] clients) => (_db, _servers, _clients) = (db, servers, clients);

    /// <summary>
    /// Starts both at <paramref name="now"/>, each content root prepared by <paramref name="writeContent"/>, and waits
    /// until each answers <paramref name="readyPath"/> (the schema migrated), so the race starts with both up.
    /// </summary>
    public static async Task<TwoServers> StartAsync(DateTimeOffset now, Action<string> writeContent, string readyPath)
    {
        var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        AutomationFactory[] servers = [new(db, new FakeTimeProvider(now)), new(db, new FakeTimeProvider(now))];
        foreach (var server in servers) writeContent(server.ContentRoot);
        HttpClient[] clients = [.. servers.Select(s => s.CreateAuthorizedClient())];
        foreach (var client in clients) (await client.GetAsync(readyPath)).EnsureSuccessStatusCode();
        return new TwoServers(db, servers, clients);
    }

    /// <summary>The client of the first server for an even number, of the second for an odd one.</summary>
    public HttpClient Client(int i) => _clients[i % 2];

    /// <summary>An <c>Order Completed</c> of <paramref name="total"/>, order id <c>{customer}-1</c>.</summary>
    public async Task OrderAsync(string customer, decimal total) =>
        (await _clients[0].PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-1", total } })).EnsureSuccessStatusCode();

    /// <summary>
    /// <paramref name="racers"/> POSTs to the path <paramref name="request"/> gives for each with its Idempotency-Key,
    /// started together and alternating between the servers; the answers in racer order.
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonNode Body)[]> RaceAsync(int racers, Func<int, (string Path, string Key)> request)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, racers).Select(i => Task.Run(async () =>
        {
            var (path, key) = request(i);
            using var message = new HttpRequestMessage(HttpMethod.Post, path);
            message.Headers.Add("Idempotency-Key", key);
            start.Wait();
            var response = await Client(i).SendAsync(message);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    /// <summary>The one value <paramref name="sql"/> selects.</summary>
    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new AssertionException($"No value for {sql}");
    }

    /// <summary>Every points ledger entry's points, oldest first.</summary>
    public async Task<List<int>> LedgerAsync()
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        return [.. await connection.QueryAsync<int>("SELECT points FROM points_ledger ORDER BY id")];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var server in _servers) await server.DisposeAsync();
        await _db.DisposeAsync();
    }
}
