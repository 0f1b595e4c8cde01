using System.Text.Json.Nodes;
using Automation.Core.Audit;
using Automation.Core.Broadcasts;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// The audit log on both databases: each audited change leaves exactly one entry, in its own transaction (a change
/// that changes nothing, or rolls back, leaves none); role changes are recorded once however many nodes start; reading
/// filters and pages newest first.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class AuditLogTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly AuditActor Ann = AuditActor.Console("ann");
    private static readonly AuditActor Key = AuditActor.Api("shop backend");

    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private async Task<IReadOnlyList<AuditEntry>> AllAsync(string? action = null) =>
        [.. (await _db.Storage.ReadAsync(new AuditQuery(null, action, null, null, null, null, 1000), default)).Entries.Select(r => r.Entry).Reverse()];

    private static JsonObject Json(string? text) => JsonNode.Parse(text!)!.AsObject();

    [Test]
    public async Task A_suppression_added_and_removed_leaves_one_entry_each_and_an_add_that_changes_nothing_leaves_none()
    {
        (await _db.Storage.SuppressAsync("email", "ann@example.com", "support", Now, Key, default)).Should().BeTrue();
        (await _db.Storage.SuppressAsync("email", "ann@example.com", "other", Now.AddMinutes(1), Ann, default)).Should().BeFalse("it is suppressed already");
        (await _db.Storage.UnsuppressAsync("email", "ann@example.com", Now.AddMinutes(2), Ann, default)).Should().BeTrue();
        (await _db.Storage.UnsuppressAsync("email", "ann@example.com", Now.AddMinutes(3), Ann, default)).Should().BeFalse("there is none to lift");

        var entries = await AllAsync();
        entries.Select(e => (e.Action, e.Actor, e.Target, e.At)).Should().Equal(
            (AuditActions.SuppressionAdd, Key, "email:ann@example.com", Now),
            (AuditActions.SuppressionRemove, Ann, "email:ann@example.com", Now.AddMinutes(2)));
        entries[0].Before.Should().BeNull();
        Json(entries[0].After)["reason"]!.GetValue<string>().Should().Be("support");
        Json(entries[1].Before)["reason"]!.GetValue<string>().Should().Be("support");
        entries[1].After.Should().BeNull();
    }

    [Test]
    public async Task Broadcast_create_cancel_and_start_each_leave_one_entry_and_a_refused_change_none()
    {
        NewBroadcast Broadcast(string key) => new(key, "News", "everyone", "email", "news/announce", Now.AddDays(1), null, null, 0, [], 3, Now);
        var (first, created) = await _db.Storage.CreateBroadcastAsync(Broadcast("k1"), Ann, default);
        created.Should().BeTrue();
        (await _db.Storage.CreateBroadcastAsync(Broadcast("k1"), Ann, default)).Should().Be((first, false), "the key was used: nothing is created");
        var (second, _) = await _db.Storage.CreateBroadcastAsync(Broadcast("k2"), Key, default);
        var (third, _) = await _db.Storage.CreateBroadcastAsync(Broadcast("k3"), Key, default);

        (await _db.Storage.CancelBroadcastAsync(first, Now, Ann, default)).Should().BeTrue();
        (await _db.Storage.CancelBroadcastAsync(first, Now, Ann, default)).Should().BeFalse("it is cancelled already");
        (await _db.Storage.StartBroadcastAsync(second, Now, Key, default)).Should().BeTrue();
        (await _db.Storage.StartDueBroadcastsAsync(Now.AddDays(1), default)).Should().Equal(third);

        var entries = await AllAsync();
        entries.Select(e => (e.Action, e.Actor.Name, e.Target)).Should().Equal(
            (AuditActions.BroadcastCreate, "ann", $"broadcast:{first}"),
            (AuditActions.BroadcastCreate, "shop backend", $"broadcast:{second}"),
            (AuditActions.BroadcastCreate, "shop backend", $"broadcast:{third}"),
            (AuditActions.BroadcastCancel, "ann", $"broadcast:{first}"),
            (AuditActions.BroadcastStart, "shop backend", $"broadcast:{second}"),
            (AuditActions.BroadcastStart, "broadcast scheduler", $"broadcast:{third}"));
        Json(entries[0].After)["segment"]!.GetValue<string>().Should().Be("everyone");
        (Json(entries[3].Before)["status"]!.GetValue<string>(), Json(entries[3].After)["status"]!.GetValue<string>()).Should().Be(("scheduled", "cancelled"));
        entries[5].Actor.Kind.Should().Be(AuditActorKind.System);
    }

    [Test]
    public async Task An_entry_recorded_in_a_transaction_that_rolls_back_is_gone_with_it()
    {
        var entry = new AuditEntry(Now, Ann, AuditActions.ContentPublish, "journey:cart-recovery", null, """{"version":2}""");
        await using (var dropped = await _db.Storage.BeginJourneyWorkAsync(default))
            await dropped.RecordAsync(entry, default);
        (await AllAsync()).Should().BeEmpty();

        await using (var kept = await _db.Storage.BeginJourneyWorkAsync(default))
        {
            await kept.RecordAsync(entry, default);
            await kept.CommitAsync(default);
        }
        (await AllAsync()).Should().Equal(entry);
    }

    [Test]
    public async Task Role_changes_are_recorded_once_with_the_role_before_and_after()
    {
        var system = AuditActor.System("configuration");
        (await _db.Storage.RecordRoleChangesAsync(new Dictionary<string, string> { ["ann"] = "admin", ["bob"] = "viewer" }, system, Now, default)).Should().HaveCount(2);
        (await _db.Storage.RecordRoleChangesAsync(new Dictionary<string, string> { ["ann"] = "admin", ["bob"] = "viewer" }, system, Now.AddHours(1), default))
            .Should().BeEmpty("nothing changed since the last start");
        await _db.Storage.RecordRoleChangesAsync(new Dictionary<string, string> { ["ann"] = "viewer", ["cy"] = "editor" }, system, Now.AddHours(2), default);

        var entries = await AllAsync(AuditActions.UserRoleChanged);
        entries.Select(e => (e.Target, e.Before, e.After)).Should().Equal(
            ("user:ann", null, """{"role":"admin"}"""),
            ("user:bob", null, """{"role":"viewer"}"""),
            ("user:ann", """{"role":"admin"}""", """{"role":"viewer"}"""),
            ("user:bob", """{"role":"viewer"}""", null),
            ("user:cy", null, """{"role":"editor"}"""));
    }

    [Test]
    public async Task Reading_filters_exactly_and_pages_newest_first()
    {
        for (var i = 0; i < 5; i++)
            await _db.Storage.SuppressAsync("email", $"c{i}@example.com", "support", Now.AddHours(i), i % 2 == 0 ? Ann : Key, default);
        await _db.Storage.UnsuppressAsync("email", "c0@example.com", Now.AddHours(5), Key, default);

        async Task<List<string>> Targets(AuditQuery query) => [.. (await _db.Storage.ReadAsync(query, default)).Entries.Select(r => $"{r.Entry.Action} {r.Entry.Target}")];
        (await Targets(new AuditQuery("ann", null, null, null, null, null, 10))).Should().Equal(
            "suppression.add email:c4@example.com", "suppression.add email:c2@example.com", "suppression.add email:c0@example.com");
        (await Targets(new AuditQuery(null, "suppression.remove", null, null, null, null, 10))).Should().Equal("suppression.remove email:c0@example.com");
        (await Targets(new AuditQuery(null, null, "email:c0@example.com", null, null, null, 10))).Should().Equal(
            "suppression.remove email:c0@example.com", "suppression.add email:c0@example.com");
        (await Targets(new AuditQuery(null, null, null, Now.AddHours(1), Now.AddHours(3), null, 10))).Should().Equal(
            "suppression.add email:c2@example.com", "suppression.add email:c1@example.com");
        (await Targets(new AuditQuery("nobody", null, null, null, null, null, 10))).Should().BeEmpty();

        var pages = new List<List<long>>();
        long? cursor = null;
        do
        {
            var page = await _db.Storage.ReadAsync(new AuditQuery(null, null, null, null, null, cursor, 4), default);
            pages.Add([.. page.Entries.Select(e => e.Id)]);
            cursor = page.Next;
        }
        while (cursor is not null);
        pages.Select(p => p.Count).Should().Equal(4, 2);
        pages.SelectMany(p => p).Should().BeInDescendingOrder().And.OnlyHaveUniqueItems().And.HaveCount(6);
    }

    [Test]
    public async Task Sixteen_racing_adds_of_one_address_make_one_suppression_and_one_entry()
    {
        var adds = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            _db.Storage.SuppressAsync("sms", "+14155550100", "support", Now, AuditActor.Api($"key {i}"), default))));

        adds.Count(added => added).Should().Be(1, "one add changes it; the others find it suppressed");
        var entries = await AllAsync();
        entries.Should().ContainSingle().Which.Action.Should().Be(AuditActions.SuppressionAdd);
        entries[0].Actor.Name.Should().Be($"key {Array.IndexOf(adds, true)}", "the entry names the add that made the change");
        (await _db.Storage.AreSuppressedAsync([("sms", "+14155550100")], default)).Should().Equal(true);
    }
}
