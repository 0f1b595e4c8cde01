using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Npgsql;

namespace Automation.Tests.Server;

/// <summary>
/// Several <c>automation</c> processes on one PostgreSQL database, as docs/operations.md runs them: ingestion on any
/// node, the outbox shared through leased <c>SKIP LOCKED</c> claims, and one node killed with SIGKILL while it sends.
/// Every message must still go out, and the only repeats allowed are the sends the killed node had in flight.
/// </summary>
[NonParallelizable]
[Category("Cluster")]
public sealed class ClusterTests
{
    // The issue's figure. Kept whole: the run takes well under the time budget on two cores (docs/operations.md).
    private const int Messages = 10_000;
    private const int Nodes = 3;
    private const int Victim = 0;

    // The shipped dispatcher settings (appsettings.json), stated here because the duplicate bound is derived from them.
    private const int BatchSize = 100;
    private const int Concurrency = 8;

    // Short, so the killed node's claims return within seconds; still far above the ~0.1 s a batch takes here.
    private const int LeaseSeconds = 5;
    private const int IngestBatch = 500;
    private const string ApiKey = "cluster-test-key-0123456789";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DispatchTimeout = TimeSpan.FromSeconds(120);

    private DirectoryInfo _root = null!;

    [SetUp]
    public void NewRoot()
    {
        _root = ServerProcess.NewContentRoot();
        // One journey: whoever signs up gets one webhook at once. Transactional, so caps and quiet hours do not apply
        // and every message is due the moment it is queued.
        Directory.CreateDirectory(Path.Combine(_root.FullName, "rules"));
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "signed-up.json"), """
            {
              "WorkflowName": "signed-up",
              "Description": "Confirm a sign-up through the webhook at once.",
              "Trigger": { "Event": "Signed Up" },
              "ReEntry": "Never",
              "Rules": [
                {
                  "RuleName": "confirm",
                  "Expression": "journey.HoursSinceEntry >= 0",
                  "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "webhook", "Template": "signed-up/confirm", "Transactional": true } } }
                }
              ]
            }
            """);
        Directory.CreateDirectory(Path.Combine(_root.FullName, "templates", "signed-up"));
        File.WriteAllText(Path.Combine(_root.FullName, "templates", "signed-up", "confirm.webhook.liquid"), "Welcome, {{ customer.id }}.");
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    [TearDown]
    public void RemoveRoot() => _root.Delete(recursive: true);

    [Test]
    public async Task Three_nodes_send_every_message_when_one_is_killed_mid_dispatch_repeating_only_its_in_flight_sends()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var sink = await WebhookSink.StartAsync(Nodes, TimeSpan.FromMilliseconds(3));
        var signingKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        var urls = Enumerable.Range(0, Nodes).Select(_ => $"http://127.0.0.1:{ServerProcess.FreePort()}").ToArray();
        var nodes = new ServerProcess[Nodes];
        var stdout = new string[Nodes];
        var clusterUp = Stopwatch.StartNew();
        var killed = false;
        try
        {
            for (var n = 0; n < Nodes; n++)
            {
                nodes[n] = ServerProcess.Start(_root.FullName,
                    $"--Urls={urls[n]}",
                    "--Storage:Provider=postgres",
                    $"--Storage:ConnectionString={db.ConnectionString}",
                    $"--Api:Keys:0={ApiKey}",
                    "--Scheduler:Enabled=true",
                    // A tick a second, each one logged: the logs of all nodes together tell how often it fired cluster-wide.
                    "--Scheduler:TickSeconds=1",
                    "--Logging:LogLevel:Automation.Server.Jobs.JourneyTickJob=Debug",
                    "--Messaging:Dispatch=true",
                    $"--Messaging:BatchSize={BatchSize}",
                    $"--Messaging:Concurrency={Concurrency}",
                    $"--Messaging:LeaseSeconds={LeaseSeconds}",
                    "--Messaging:PollMilliseconds=100",
                    $"--Messaging:SigningKey={signingKey}",
                    $"--Channels:Webhook:Url={sink.UrlFor(n)}");
            }
            await Task.WhenAll(nodes.Select((node, n) => node.WaitUntilReadyAsync($"{urls[n]}/health/ready", StartTimeout)));

            var clients = urls.Select(url =>
            {
                var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
                return client;
            }).ToArray();
            foreach (var client in clients)
            {
                var journeys = JsonNode.Parse(await client.GetStringAsync("/v1/journeys"))!.AsArray();
                journeys.Should().ContainSingle(j => j!["name"]!.GetValue<string>() == "signed-up" && j["status"]!.GetValue<string>() == "active",
                    journeys.ToJsonString());
            }

            // The kill waits for a fifth of the messages to be out, then for the victim's next send to reach the sink:
            // that send is in flight, received but not yet answered, let alone recorded as sent, when SIGKILL lands.
            var killedAt = 0;
            var victimDelivered = 0;
            var killedAfter = TimeSpan.Zero;
            var kill = Task.Run(async () =>
            {
                var deadline = Stopwatch.StartNew();
                while (sink.Total < Messages / 5 && deadline.Elapsed < DispatchTimeout) await Task.Delay(5);
                await sink.NextDeliveryFrom(Victim).WaitAsync(DispatchTimeout);
                (stdout[Victim], var stderr) = await nodes[Victim].KillAsync();
                killedAfter = sink.Now;
                killedAt = sink.Total;
                victimDelivered = sink.FromNode(Victim);
                killed = true;
                stderr.Should().BeEmpty("the victim ran cleanly until it was killed");
            });

            // Batches go round the nodes; one that fails on a dead node goes to the next, as a load balancer would,
            // and message ids make a repeat of a batch that was in fact committed harmless.
            var ingest = Stopwatch.StartNew();
            var acceptedBy = new int[Nodes];
            var retried = 0;
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Nodes).Select(worker => Task.Run(async () =>
            {
                int batch;
                while ((batch = Interlocked.Increment(ref next)) < Messages / IngestBatch)
                {
                    var body = new
                    {
                        batch = Enumerable.Range(batch * IngestBatch, IngestBatch).Select(i => new
                        {
                            type = "track",
                            userId = $"signup-{i:D5}",
                            @event = "Signed Up",
                            messageId = $"signup-{i:D5}",
                        }),
                    };
                    for (var attempt = 0; ; attempt++)
                    {
                        var node = (batch + attempt) % Nodes;
                        try
                        {
                            using var response = await clients[node].PostAsJsonAsync("/v1/batch", body);
                            if (response.IsSuccessStatusCode)
                            {
                                Interlocked.Increment(ref acceptedBy[node]);
                                break;
                            }
                        }
                        catch (HttpRequestException)
                        {
                            // the node is gone: the next one takes the batch
                        }
                        attempt.Should().BeLessThan(3 * Nodes, $"batch {batch} was refused by every node");
                        Interlocked.Increment(ref retried);
                    }
                }
            })));
            ingest.Stop();
            var ingestedAt = sink.Now;

            // Done when every outbox row is sent; anything else left after the timeout fails below with the counts.
            await using var connection = new NpgsqlConnection(db.ConnectionString);
            var wait = Stopwatch.StartNew();
            Dictionary<string, long> statuses;
            do
            {
                await Task.Delay(100);
                statuses = (await connection.QueryAsync<(string Status, long Count)>("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
                    .ToDictionary(r => r.Status, r => r.Count);
            }
            while (statuses.GetValueOrDefault("sent") < Messages && wait.Elapsed < DispatchTimeout);
            await kill.WaitAsync(TimeSpan.FromSeconds(5));

            statuses.Should().BeEquivalentTo(new Dictionary<string, long> { ["sent"] = Messages }, "every message is sent exactly once in the outbox's eyes");
            var rows = (await connection.QueryAsync<(string Key, int Attempts)>("SELECT idempotency_key, attempts FROM outbox")).ToDictionary(r => r.Key, r => r.Attempts);
            var deliveries = sink.Deliveries.ToArray();
            var byKey = deliveries.GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.OrderBy(d => d.At).ToList());

            // Set differences, not BeEquivalentTo: FluentAssertions matches 10,000 strings pairwise, which takes minutes.
            rows.Keys.Except(byKey.Keys).Should().BeEmpty("every queued message reached the receiver");
            byKey.Keys.Except(rows.Keys).Should().BeEmpty("the receiver got nothing that was not queued");
            rows.Should().HaveCount(Messages, "each sign-up entered the journey once, resent batches included");
            var duplicated = byKey.Where(k => k.Value.Count > 1).ToList();
            var duplicates = deliveries.Length - byKey.Count;
            var reclaimed = rows.Count(r => r.Value > 1);

            for (var n = 0; n < Nodes; n++)
            {
                if (n != Victim) (stdout[n], _) = await nodes[n].KillAsync();
            }
            clusterUp.Stop();
            var ticks = stdout.Select(output => CountOf(output, "Automation.Server.Jobs.JourneyTickJob[")).ToArray();

            var first = deliveries.Min(d => d.At);
            var last = deliveries.Max(d => d.At);
            var seconds = (last - first).TotalSeconds;
            var afterKill = deliveries.Where(d => d.At > killedAfter).Max(d => d.At) - killedAfter;
            var figures =
                $"cluster: {Nodes} nodes, {Messages} messages ingested in {ingest.Elapsed.TotalSeconds:F1} s (batches per node: {string.Join("/", acceptedBy)}, {retried} resent after the kill); " +
                $"dispatched in {seconds:F1} s from first to last delivery = {Messages / seconds:F0} messages/s; " +
                $"node {Victim} killed at {killedAt} delivered ({victimDelivered} of them its own); {reclaimed} claims taken over after the {LeaseSeconds} s lease, " +
                $"last delivery {afterKill.TotalSeconds:F1} s after the kill and {(last - ingestedAt).TotalSeconds:F1} s after the last batch was acknowledged; {deliveries.Length} deliveries, {duplicates} duplicate(s) (bound {Concurrency}); " +
                $"journey ticks (1 s schedule) per node {string.Join("/", ticks)} in {clusterUp.Elapsed.TotalSeconds:F0} s";
            // Progress shows on the console as the test runs; Out keeps the figures in the .trx scripts/test.sh writes.
            TestContext.Progress.WriteLine(figures);
            TestContext.Out.WriteLine(figures);

            killed.Should().BeTrue();
            victimDelivered.Should().BeGreaterThan(0, "the victim was dispatching when it was killed");
            deliveries.Where(d => d.Node == Victim).Should().OnlyContain(d => d.At <= killedAfter, "a killed node sends nothing");
            acceptedBy.Should().OnlyContain(count => count > 0, "every node takes ingestion");
            // The tick ran, on one node at a time (clustered Quartz); how many ran depends on the machine's speed, so
            // the count is reported above, not bounded: what must hold is that nothing it fired ran twice, below.
            ticks.Sum().Should().BePositive();

            // The killed node held at most one claimed batch plus what its senders and their queue held (it claims the
            // next batch while the last of the current one is handed out): the messages it left in 'sending' are the only
            // ones claimed twice, since the sink never asks for a retry.
            reclaimed.Should().BeLessThanOrEqualTo(BatchSize + 2 * Concurrency);
            // A repeat is a send the receiver got but whose 'sent' the killed node never committed. Each of its
            // Concurrency workers holds at most one such message at a time, so no more than Concurrency can repeat,
            // each one was claimed twice, first sent by the victim and then by a survivor.
            duplicates.Should().BeLessThanOrEqualTo(Concurrency);
            foreach (var (key, sends) in duplicated)
            {
                rows[key].Should().BeGreaterThan(1, $"{key} was sent twice, so it must have been claimed twice");
                sends.Should().HaveCount(2);
                sends[0].Node.Should().Be(Victim);
                sends[1].Node.Should().NotBe(Victim);
            }
        }
        finally
        {
            foreach (var node in nodes.Where(n => n is not null)) await node.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
        }
    }
}
