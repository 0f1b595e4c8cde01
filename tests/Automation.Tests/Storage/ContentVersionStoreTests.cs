using System.Text;
using Automation.Core.Audit;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// Published content versions: each a complete set of files, bytes stored once by hash, the head moved by
/// compare-and-set (a stale base writes nothing), a file's history, and the audit entry in the publish's transaction.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ContentVersionStoreTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private AutomationStorage Store => _db.Storage;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private static ContentFile File(string path, string text) => new(path, Encoding.UTF8.GetBytes(text));

    private Task<ContentVersion?> Publish(long baseVersion, string message, params ContentFile[] files) =>
        Store.PublishAsync(files, new ContentPublication(baseVersion, "ann", message, Now.AddMinutes(baseVersion)),
            new AuditEntry(Now.AddMinutes(baseVersion), AuditActor.Console("ann"), AuditActions.ContentPublish, $"content:version:{baseVersion + 1}", null, message), default);

    [Test]
    public async Task Versions_hold_complete_sets_and_the_head_is_the_last_published()
    {
        (await Store.HeadAsync(default)).Should().BeNull("nothing is published yet");
        var first = await Publish(0, "first", File("rules/welcome.json", "{ }"), File("templates/welcome/hello.email.liquid", "hi"));
        first!.Id.Should().Be(1);
        var second = await Publish(1, "second", File("rules/welcome.json", "{ \"x\": 1 }"), File("templates/welcome/hello.email.liquid", "hi"));

        var head = (await Store.HeadAsync(default))!;
        head.Should().BeEquivalentTo(second);
        head.Files.Select(f => f.Path).Should().Equal("rules/welcome.json", "templates/welcome/hello.email.liquid");
        (await Store.FindVersionAsync(1, default))!.Files.Should().Equal(first.Files);
        (await Store.FindVersionAsync(3, default)).Should().BeNull();
        (await Store.VersionsAsync(null, 10, default)).Select(v => (v.Id, v.Message, v.Files.Count)).Should().Equal((2, "second", 0), (1, "first", 0));
        (await Store.VersionsAsync(2, 10, default)).Select(v => v.Id).Should().Equal(1);
        (await Store.VersionsAsync(null, 1, default)).Select(v => v.Id).Should().Equal(2);
    }

    [Test]
    public async Task Bytes_come_back_exactly_and_are_stored_once_however_many_versions_hold_them()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'\r', (byte)'\n', 0xE4, 0xBD, 0xA0, (byte)'}' };
        await Publish(0, "one", new ContentFile("rules/a.json", bytes), File("rules/b.json", "b"));
        await Publish(1, "two", new ContentFile("rules/a.json", bytes), File("rules/b.json", "b2"));

        (await Store.FindBlobAsync(ContentFile.HashOf(bytes), default)).Should().Equal(bytes);
        (await Store.FindBlobAsync(ContentFile.HashOf("nope"u8), default)).Should().BeNull();
        await using var connection = await Store.OpenConnectionAsync(default);
        (await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM content_blobs")).Should().Be(3);
    }

    [Test]
    public async Task A_publish_from_a_stale_base_is_refused_and_writes_nothing()
    {
        await Publish(0, "first", File("rules/a.json", "1"));
        (await Publish(0, "stale", File("rules/a.json", "stale"))).Should().BeNull();

        (await Store.HeadAsync(default))!.Id.Should().Be(1);
        (await Store.VersionsAsync(null, 10, default)).Should().ContainSingle();
        (await Store.FindBlobAsync(ContentFile.HashOf("stale"u8), default)).Should().BeNull();
        var audit = await Store.ReadAsync(new AuditQuery(null, AuditActions.ContentPublish, null, null, null, null, 10), default);
        audit.Entries.Select(e => e.Entry.After).Should().Equal("first");
    }

    [Test]
    public async Task A_files_history_lists_the_versions_that_added_changed_or_removed_it()
    {
        await Publish(0, "add", File("rules/a.json", "1"), File("rules/b.json", "b"));
        await Publish(1, "b only", File("rules/a.json", "1"), File("rules/b.json", "b2"));
        await Publish(2, "change", File("rules/a.json", "2"), File("rules/b.json", "b2"));
        await Publish(3, "remove", File("rules/b.json", "b2"));
        await Publish(4, "back", File("rules/a.json", "1"), File("rules/b.json", "b2"));

        (await Store.HistoryAsync("rules/a.json", default)).Select(c => (c.Version, c.Message, c.Hash)).Should().Equal(
            (5, "back", ContentFile.HashOf("1"u8)), (4, "remove", null), (3, "change", ContentFile.HashOf("2"u8)), (1, "add", ContentFile.HashOf("1"u8)));
        (await Store.HistoryAsync("rules/none.json", default)).Should().BeEmpty();
    }
}

/// <summary>Sixteen publishers on two nodes (two storages of one PostgreSQL database) from one base: exactly one version.</summary>
[Category("Cluster")]
public sealed class ContentPublishRaceTests
{
    [Test]
    public async Task Of_sixteen_publishes_from_one_base_exactly_one_wins()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var second = new PostgresStorage(db.ConnectionString);
        var nodes = new AutomationStorage[] { db.Storage, second };
        var at = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => nodes[i % 2].PublishAsync(
            [new ContentFile("rules/a.json", Encoding.UTF8.GetBytes($"{{ \"by\": {i} }}"))], new ContentPublication(0, $"user{i}", $"publish {i}", at),
            new AuditEntry(at, AuditActor.Console($"user{i}"), AuditActions.ContentPublish, "content:version:1", null, null), default))));

        var winner = results.Where(r => r is not null).Should().ContainSingle().Subject!;
        var head = (await db.Storage.HeadAsync(default))!;
        head.Should().BeEquivalentTo(winner);
        (await db.Storage.VersionsAsync(null, 100, default)).Should().ContainSingle();
        (await db.Storage.ReadAsync(new AuditQuery(null, AuditActions.ContentPublish, null, null, null, null, 100), default)).Entries.Should().ContainSingle()
            .Which.Entry.Actor.Name.Should().Be(winner.Author);
    }

    [Test]
    public async Task Sixteen_applies_to_running_on_two_nodes_move_each_instance_once()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var second = new PostgresStorage(db.ConnectionString);
        var nodes = new AutomationStorage[] { db.Storage, second };
        var at = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
        await using (var connection = await db.Storage.OpenConnectionAsync(default))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO customers (external_id, created_at, updated_at) SELECT 'c' || n, now(), now() FROM generate_series(1, 40) n;
                INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at, journey_hash)
                SELECT id, 'welcome', 'e', 'active', now(), CASE WHEN id % 4 = 0 THEN 'new' WHEN id % 4 = 1 THEN NULL ELSE 'old' END FROM customers;
                """);
        }

        var moved = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => nodes[i % 2].ApplyToRunningAsync("welcome", "new",
            new AuditEntry(at, AuditActor.Api($"key{i}"), AuditActions.JourneyApplyToRunning, "journey:welcome", null, null), default))));

        moved.Sum().Should().Be(30, "the 30 instances not on the new version, each moved by one of the sixteen");
        (await db.Storage.RunningVersionsAsync("welcome", default)).Should().Equal(new RunningVersion("new", 40));
        (await db.Storage.ReadAsync(new AuditQuery(null, AuditActions.JourneyApplyToRunning, null, null, null, null, 100), default)).Entries.Count
            .Should().Be(moved.Count(m => m > 0));
    }
}
