using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Automation.Tests.Support;
using Dapper;
using Npgsql;

namespace Automation.Tests.Faults;

/// <summary>
/// PostgreSQL is restarted (stopped with <c>-m fast</c>, down three seconds, started) under the real server process while
/// several clients ingest: they are told 503 with Retry-After while it is down, retry as Segment's libraries do, every
/// event acknowledged with 2xx is in the database afterwards, and the server serves 2xx again without a restart.
/// The cluster is this test's own, not the shared one of scripts/test.sh.
/// </summary>
[NonParallelizable]
[Category("Fault")]
public sealed class PostgresRestartFaultTests
{
    private const int Clients = 4;
    private const string ApiKey = "fault-test-key-0123456789abcdef";

    [Test]
    public async Task Restarting_postgres_under_ingest_load_loses_no_acknowledged_event_and_needs_no_server_restart()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using (var admin = new NpgsqlConnection(pg.ConnectionString("postgres")))
        {
            await admin.ExecuteAsync("CREATE DATABASE automation");
        }
        var connectionString = new NpgsqlConnectionStringBuilder(pg.ConnectionString("automation")) { Timeout = 3, CommandTimeout = 10 }.ToString();
        var root = ServerProcess.NewContentRoot();
        try
        {
            await RestartUnderLoad(pg, connectionString, root);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task RestartUnderLoad(ThrowawayPostgres pg, string connectionString, DirectoryInfo root)
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var server = ServerProcess.Start(root.FullName, $"--Urls={url}", "--Storage:Provider=postgres",
            $"--Storage:ConnectionString={connectionString}", $"--Api:Keys:0={ApiKey}");
        await server.WaitUntilReadyAsync($"{url}/health/ready", TimeSpan.FromSeconds(60));

        var acknowledged = new ConcurrentBag<string>();
        var unavailable = new ConcurrentBag<(string Id, TimeSpan? RetryAfter)>();
        var unexpected = new ConcurrentBag<string>();
        var acknowledgedAfterRestart = new ConcurrentDictionary<int, bool>();
        var restarted = false;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var id = $"restart-{c}-{n}";
                // As Segment's libraries do: the same event again until it is acknowledged, waiting as the server asks.
                while (true)
                {
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/v1/track", new { userId = $"restart-{c}", @event = "Page Viewed", messageId = id, properties = new { n } });
                        if (response.IsSuccessStatusCode)
                        {
                            acknowledged.Add(id);
                            if (Volatile.Read(ref restarted)) acknowledgedAfterRestart[c] = true;
                            break;
                        }
                        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                        {
                            unavailable.Add((id, response.Headers.RetryAfter?.Delta));
                            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
                            continue;
                        }
                        unexpected.Add($"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (HttpRequestException e)
                    {
                        unexpected.Add($"{id}: {e.Message}");
                    }
                    await Task.Delay(1000);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var beforeRestart = acknowledged.Count;
        var downFor = Stopwatch.StartNew();
        await pg.StopServerAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await pg.StartServerAsync();
        downFor.Stop();
        Volatile.Write(ref restarted, true);
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(45); await Task.Delay(200))
        {
            if (acknowledgedAfterRestart.Count == Clients && watch.Elapsed > TimeSpan.FromSeconds(3)) break;
        }
        await stop.CancelAsync();
        await Task.WhenAll(load);

        using var probe = new HttpClient();
        var ready = await probe.GetAsync($"{url}/health/ready");
        await using var connection = new NpgsqlConnection(pg.ConnectionString("automation"));
        var stored = (await connection.QueryAsync<string>("SELECT message_id FROM events")).ToList();
        var missing = acknowledged.Except(stored).ToList();
        TestContext.Progress.WriteLine(
            $"PostgreSQL restart (stop -m fast, {downFor.Elapsed.TotalSeconds:0.0} s down) under {Clients} ingest clients: {acknowledged.Count} events acknowledged " +
            $"({beforeRestart} before the restart), {unavailable.Count} answers 503 ({unavailable.Count(u => u.RetryAfter is null)} without Retry-After), " +
            $"{unexpected.Count} other errors; stored {stored.Count}, lost {missing.Count}, duplicated {stored.Count - stored.Distinct().Count()}");

        unexpected.Should().BeEmpty("clients only ever see 2xx or 503 + Retry-After");
        unavailable.Should().NotBeEmpty("the restart was felt by the clients");
        unavailable.Should().OnlyContain(u => u.RetryAfter == TimeSpan.FromSeconds(5));
        acknowledgedAfterRestart.Keys.Should().BeEquivalentTo(Enumerable.Range(0, Clients), "every client is served 2xx again without restarting the server");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        missing.Should().BeEmpty("every event acknowledged with 2xx was committed");
        stored.Should().OnlyHaveUniqueItems().And.BeSubsetOf(acknowledged.Concat(unavailable.Select(u => u.Id)), "nothing is stored that no client sent");
    }
}
