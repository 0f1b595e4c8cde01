using Automation.Core.Customers;
using Automation.Core.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core;

/// <summary>
/// The snapshots an ingest group's engines share: read once, what is wanted ahead goes with the next read, a wider
/// ask reads again, a changed customer is read again before use. In memory, which counts the reads.
/// </summary>
public sealed class SnapshotCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);

    private EngineHarness _h = null!;
    private InMemoryStorage _storage = null!;
    private long _ann;
    private long _bo;

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(EngineHarness.Memory, Start);
        _storage = (InMemoryStorage)_h.Storage.Ingestion;
        await _h.Ingest(Segment.Identify("ann", new { email = "ann@example.com" }, Start), Segment.Identify("bo", new { email = "bo@example.com" }, Start),
            Segment.Order("ann", "a1", 30m, Start));
        (_ann, _bo) = ((await _h.Customer("ann")).Profile.Id, (await _h.Customer("bo")).Profile.Id);
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private async Task<IIngestTransaction> BeginAsync() => await _storage.BeginAsync(CancellationToken.None);

    [Test]
    public async Task What_is_wanted_ahead_goes_with_the_next_read_and_is_not_read_again()
    {
        await using var tx = await BeginAsync();
        var cache = new SnapshotCache();
        var reads = _storage.SnapshotReads;

        cache.Want(_ann, SnapshotParts.Stats);
        await cache.LoadAsync(tx, [_bo], SnapshotParts.Tags, CancellationToken.None);
        await cache.LoadAsync(tx, [_ann], SnapshotParts.Stats, CancellationToken.None);
        await cache.LoadAsync(tx, [_ann, _bo], SnapshotParts.Profile, CancellationToken.None);

        _storage.SnapshotReads.Should().Be(reads + 1);
        cache.Snapshots[_ann].Stats.OrderCount.Should().Be(1);
        cache.Snapshots[_bo].Profile.Email.Should().Be("bo@example.com");
    }

    [Test]
    public async Task A_part_not_read_yet_reads_the_customer_again_with_the_parts_before()
    {
        await using var tx = await BeginAsync();
        var cache = new SnapshotCache();
        await cache.LoadAsync(tx, [_ann], SnapshotParts.Stats, CancellationToken.None);
        var reads = _storage.SnapshotReads;

        await cache.LoadAsync(tx, [_ann], SnapshotParts.Tier, CancellationToken.None);

        _storage.SnapshotReads.Should().Be(reads + 1);
        cache.Snapshots[_ann].Stats.OrderCount.Should().Be(1, "what was read before is still held");
    }

    [Test]
    public async Task A_changed_customer_is_read_again_and_an_update_after_the_change_is_not_applied()
    {
        await using var tx = await BeginAsync();
        var cache = new SnapshotCache();
        await cache.LoadAsync(tx, [_ann, _bo], SnapshotParts.Tags, CancellationToken.None);

        cache.Update(_bo, s => s with { Tags = ["told"] });
        cache.Snapshots[_bo].Tags.Should().Equal("told");

        await tx.AddTagsAsync([(_ann, "vip")], "manual", Start, CancellationToken.None);
        cache.Changed(_ann);
        cache.Update(_ann, s => s with { Tags = ["not-what-storage-says"] });
        var reads = _storage.SnapshotReads;
        await cache.RereadChangedAsync(tx, CancellationToken.None);
        await cache.RereadChangedAsync(tx, CancellationToken.None);

        _storage.SnapshotReads.Should().Be(reads + 1, "once, and only the changed customer");
        cache.Snapshots[_ann].Tags.Should().Equal("vip");
        cache.Snapshots[_bo].Tags.Should().Equal("told");
    }

    [Test]
    public async Task A_customer_never_read_costs_no_read_when_marked_changed()
    {
        await using var tx = await BeginAsync();
        var cache = new SnapshotCache();
        var reads = _storage.SnapshotReads;

        cache.Changed(_ann);
        await cache.RereadChangedAsync(tx, CancellationToken.None);

        _storage.SnapshotReads.Should().Be(reads);
        cache.Snapshots.Should().BeEmpty();
    }
}
