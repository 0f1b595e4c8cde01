using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Core.Audit;
using Automation.Core.Broadcasts;
using Automation.Core.Presales;
using Automation.Core.Segments;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>
/// A broadcast walked by 16 senders on two nodes (two storages, each with its own pool) of one PostgreSQL database at
/// the same instant: the start is claimed by one UPDATE and each member by the journey entry's unique key, so every
/// member gets exactly one message, and the progress counts each once. The broadcast announces a pre-sale, so each
/// message is also due at its member's tier opening.
/// </summary>
public sealed class BroadcastRaceTests
{
    private const int Racers = 16;

    // Enough for several pages of BroadcastSender.PageSize.
    private const int Customers = 2_600;
    private static readonly DateTimeOffset Opens = new(2026, 9, 1, 2, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private PostgresStorage _secondNode = null!;
    private FakeTimeProvider _clock = null!;
    private DirectoryInfo _folder = null!;
    private BroadcastSender[] _nodes = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        _secondNode = new PostgresStorage(_db.ConnectionString);
        _clock = new FakeTimeProvider(Opens.AddDays(-2));
        _folder = Directory.CreateTempSubdirectory("automation-broadcast-race-");
        var rules = Path.Combine(ServerProcess.RepositoryRoot(), "rules");
        var tiers = new TierCatalog();
        tiers.ReloadFile(Path.Combine(rules, "tiers.json")).Should().BeEmpty();
        Directory.CreateDirectory(Path.Combine(_folder.FullName, SegmentCatalog.FolderName));
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, SegmentCatalog.FolderName, "everyone.json"), """{ "Expression": "stats.OrderCount >= 0" }""");
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "presales.json"), new JsonObject
        {
            ["Sales"] = new JsonArray(new JsonObject
            {
                ["Name"] = "new-collection", ["Title"] = "New collection", ["Products"] = "all", ["OpensAt"] = "2026-09-01T10:00:00+08:00",
                ["EarlyAccess"] = new JsonObject { ["MaxHours"] = 24 }, ["AnnounceBy"] = "broadcast",
            }),
        }.ToJsonString());
        var folder = DiskFiles.Folder(_folder.FullName);
        var segments = new SegmentCatalog();
        segments.Reload(folder, SegmentCatalog.FolderName).Should().BeEmpty();
        var sales = new PresaleCatalog();
        sales.Reload(folder, "presales.json", [.. tiers.Program!.Tiers.Select(t => t.Name)]).Should().BeEmpty();
        _nodes = [.. new AutomationStorage[] { _db.Storage, _secondNode }.Select(store =>
            new BroadcastSender(store, store, segments, new SegmentMembers(store, tiers, _clock), sales, tiers, _clock))];
    }

    [TearDown]
    public async Task TearDown()
    {
        await _secondNode.DisposeAsync();
        await _db.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    private async Task<long> Count(string sql)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return await connection.QuerySingleAsync<long>(sql);
    }

    [Test]
    public async Task Sixteen_senders_on_two_nodes_give_each_member_one_message_due_at_their_tier_opening()
    {
        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("""
                INSERT INTO customers (external_id, email, created_at, updated_at)
                SELECT 'c-' || n, 'c-' || n || '@example.com', @at, @at FROM generate_series(1, @count) n;
                INSERT INTO customer_tiers (customer_id, tier, since)
                SELECT id, CASE WHEN id % 3 = 0 THEN 'Gold' ELSE 'Member' END, @at FROM customers WHERE id % 5 <> 0;
                """, new { count = Customers, at = Opens.AddDays(-30) });
        }
        var sale = "new-collection";
        var (id, _) = await _db.Storage.CreateBroadcastAsync(new NewBroadcast(null, "New collection", "everyone", "email", "presale-announcement/announce",
            Opens.AddHours(-24), null, sale, 10, [], Customers, _clock.GetUtcNow()), AuditActor.Cli("test"), CancellationToken.None);
        (await _nodes[0].SendDueAsync(CancellationToken.None)).Should().Be(0, "the walk starts when the earliest tier opens");
        _clock.SetUtcNow(Opens.AddHours(-24));

        using var gate = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await _nodes[i % 2].SendDueAsync(CancellationToken.None);
        })).ToArray();
        gate.Set();
        (await Task.WhenAll(racers)).Sum().Should().Be(Customers, "each member is claimed by one sender");

        var journey = Broadcast.JourneyOf(id);
        (await Count($"SELECT COUNT(*) FROM outbox WHERE journey = '{journey}'")).Should().Be(Customers);
        (await Count($"SELECT COUNT(DISTINCT customer_id) FROM outbox WHERE journey = '{journey}'")).Should().Be(Customers);
        (await Count($"SELECT COUNT(*) FROM journey_instances WHERE journey = '{journey}'")).Should().Be(Customers);
        var broadcast = (await _db.Storage.BroadcastAsync(id, CancellationToken.None))!;
        broadcast.Status.Should().Be(BroadcastStatus.Done);
        broadcast.Walked.Should().Be(Customers, "a page saved by two walkers counts once");
        broadcast.Enqueued.Should().Be(Customers);

        await using var read = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var due = (await read.QueryAsync<(string Tier, DateTime DueAt, long Count)>($"""
            SELECT COALESCE(t.tier, 'none'), o.due_at, COUNT(*) FROM outbox o LEFT JOIN customer_tiers t ON t.customer_id = o.customer_id
            WHERE o.journey = '{journey}' AND o.status <> 'holdout' GROUP BY 1, 2
            """)).ToDictionary(r => r.Tier, r => new DateTimeOffset(DateTime.SpecifyKind(r.DueAt, DateTimeKind.Utc)));
        due.Should().BeEquivalentTo(new Dictionary<string, DateTimeOffset>
        {
            ["Gold"] = Opens.AddHours(-24), ["Member"] = Opens, ["none"] = Opens,
        }, "Gold has 24 hours of early access; the others are told when the sale opens to everyone");
        (await _nodes[1].SendDueAsync(CancellationToken.None)).Should().Be(0);
    }

    [Test]
    public async Task Sixteen_starts_on_two_servers_at_once_start_the_broadcast_once()
    {
        await using var servers = await TwoServers.StartAsync(_clock.GetUtcNow(), WriteNews, "/v1/segments");
        await servers.OrderAsync("ann", 10);
        var created = await servers.Client(0).PostAsJsonAsync("/v1/broadcasts", new { name = "News", segment = "everyone", channel = "email", template = "news", sendAt = "2026-09-10T09:00:00Z" });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();

        var answers = await servers.RaceAsync(Racers, i => ($"/v1/broadcasts/{id}/start", $"start-{i}"));
        answers.Count(a => a.Status == HttpStatusCode.OK).Should().Be(1, "the start is claimed by one UPDATE … WHERE status = 'scheduled'");
        answers.Where(a => a.Status != HttpStatusCode.OK).Should().OnlyContain(a => a.Status == HttpStatusCode.Conflict);
        (await servers.ScalarAsync<string>("SELECT status FROM broadcasts WHERE id = @id", new { id })).Should().Be(BroadcastStatus.Sending);
    }

    [Test]
    public async Task Sixteen_creations_with_one_idempotency_key_on_two_servers_make_one_broadcast()
    {
        await using var servers = await TwoServers.StartAsync(_clock.GetUtcNow(), WriteNews, "/v1/segments");
        var answers = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/broadcasts")
            {
                Content = JsonContent.Create(new { name = "News", segment = "everyone", channel = "email", template = "news" }),
            };
            request.Headers.Add("Idempotency-Key", "news-2026-09");
            var response = await servers.Client(i).SendAsync(request);
            return (response.StatusCode, Id: JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<long>());
        })));
        answers.Count(a => a.StatusCode == HttpStatusCode.Created).Should().Be(1);
        answers.Where(a => a.StatusCode != HttpStatusCode.Created).Should().OnlyContain(a => a.StatusCode == HttpStatusCode.OK);
        answers.Select(a => a.Id).Distinct().Should().ContainSingle("every retry finds the first");
        (await servers.ScalarAsync<long>("SELECT COUNT(*) FROM broadcasts")).Should().Be(1);
    }

    private static void WriteNews(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "rules", SegmentCatalog.FolderName));
        File.WriteAllText(Path.Combine(root, "rules", SegmentCatalog.FolderName, "everyone.json"), """{ "Expression": "stats.OrderCount >= 0" }""");
        Directory.CreateDirectory(Path.Combine(root, "templates"));
        File.WriteAllText(Path.Combine(root, "templates", "news.email.liquid"), "---\nsubject: News\n---\n<p>News</p>\n");
    }
}
