using Automation.Core.Audit;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>Several nodes on one PostgreSQL database starting at once with a changed console role record the change once.</summary>
[Category("Cluster")]
public sealed class AuditRoleRaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Nodes_starting_together_with_a_new_role_record_it_once()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await db.Storage.RecordRoleChangesAsync(new Dictionary<string, string> { ["ann"] = "admin" }, AuditActor.System("configuration"), Now, default);
        await using var second = new PostgresStorage(db.ConnectionString);
        var nodes = new AutomationStorage[] { db.Storage, second };

        var recorded = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => nodes[i % 2].RecordRoleChangesAsync(
            new Dictionary<string, string> { ["ann"] = "publisher" }, AuditActor.System("configuration"), Now.AddHours(1), default))));

        recorded.Sum(r => r.Count).Should().Be(1);
        ((await db.Storage.ReadAsync(new AuditQuery(null, AuditActions.UserRoleChanged, null, null, null, null, 1000), default)).Entries).Should().HaveCount(2, "the first start's and the change's");
    }
}
