using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>The console editor's drafts: one per user and file, each save a compare-and-set on the revision it read.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ContentDraftStoreTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private const string Path = "rules/cart-recovery.json";
    private const string Base = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private TestDatabase _db = null!;
    private AutomationStorage Drafts => _db.Storage;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    [Test]
    public async Task A_draft_is_saved_revision_by_revision_and_keeps_the_base_it_started_from()
    {
        (await Drafts.FindDraftAsync("ann", Path, default)).Should().BeNull();
        var first = await Drafts.SaveDraftAsync("ann", Path, Base, "{ \"a\": 1 }", 0, Now, default);
        first.Should().Be(new ContentDraft("ann", Path, Base, "{ \"a\": 1 }", Now, 1));

        var second = await Drafts.SaveDraftAsync("ann", Path, "another-base", "{ \"a\": 2 }", 1, Now.AddMinutes(1), default);
        second.Should().Be(new ContentDraft("ann", Path, Base, "{ \"a\": 2 }", Now.AddMinutes(1), 2), "the base is where the draft started, whatever a later save says");
        (await Drafts.FindDraftAsync("ann", Path, default)).Should().Be(second);
    }

    [Test]
    public async Task A_save_from_a_stale_revision_is_a_conflict_and_changes_nothing()
    {
        await Drafts.SaveDraftAsync("ann", Path, Base, "tab one", 0, Now, default);
        (await Drafts.SaveDraftAsync("ann", Path, Base, "tab two starts too", 0, Now, default)).Should().BeNull("a draft is already there: the second tab must load it");
        var saved = await Drafts.SaveDraftAsync("ann", Path, Base, "tab one again", 1, Now.AddSeconds(5), default);
        saved!.Revision.Should().Be(2);

        (await Drafts.SaveDraftAsync("ann", Path, Base, "a stale tab", 1, Now.AddSeconds(6), default)).Should().BeNull();
        (await Drafts.FindDraftAsync("ann", Path, default))!.Content.Should().Be("tab one again");

        (await Drafts.DiscardDraftAsync("ann", Path, 1, default)).Should().BeFalse("a stale tab cannot discard a newer save");
        (await Drafts.DiscardDraftAsync("ann", Path, 2, default)).Should().BeTrue();
        (await Drafts.FindDraftAsync("ann", Path, default)).Should().BeNull();
    }

    [Test]
    public async Task Each_user_has_a_draft_of_their_own()
    {
        await Drafts.SaveDraftAsync("ann", Path, Base, "ann's", 0, Now, default);
        await Drafts.SaveDraftAsync("bob", Path, "", "bob's", 0, Now.AddMinutes(1), default);
        await Drafts.SaveDraftAsync("ann", "templates/welcome/hello.email.liquid", "", "hello", 0, Now.AddMinutes(2), default);

        (await Drafts.FindDraftAsync("bob", Path, default))!.Content.Should().Be("bob's");
        (await Drafts.FindDraftAsync("ann", Path, default))!.Content.Should().Be("ann's");
        (await Drafts.DraftsOfAsync("ann", default)).Select(d => d.Path).Should().Equal("templates/welcome/hello.email.liquid", Path);
        (await Drafts.DraftsOfAsync("carol", default)).Should().BeEmpty();
        (await Drafts.SaveDraftAsync("bob", Path, "", "bob's again", 1, Now.AddMinutes(3), default))!.Revision.Should().Be(2);
        (await Drafts.FindDraftAsync("ann", Path, default))!.Revision.Should().Be(1, "bob's save is not ann's");
    }
}

/// <summary>Sixteen saves from the same revision, on four nodes sharing one PostgreSQL database: exactly one wins.</summary>
[Category("Cluster")]
public sealed class ContentDraftRaceTests
{
    [Test]
    public async Task Sixteen_saves_of_the_same_revision_on_four_nodes_have_one_winner()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        var nodes = Enumerable.Range(0, 4).Select(_ => new PostgresStorage(db.ConnectionString)).ToList();
        try
        {
            var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
            await db.Storage.SaveDraftAsync("ann", "rules/welcome.json", "", "start", 0, at, default);
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var saves = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            {
                await go.Task;
                return await nodes[i % nodes.Count].SaveDraftAsync("ann", "rules/welcome.json", "", $"save {i}", 1, at.AddSeconds(i), default);
            })).ToList();
            go.SetResult();
            var results = await Task.WhenAll(saves);

            var winner = results.Should().ContainSingle(r => r != null).Which!;
            winner.Revision.Should().Be(2);
            (await db.Storage.FindDraftAsync("ann", "rules/welcome.json", default))!.Content.Should().Be(winner.Content);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
