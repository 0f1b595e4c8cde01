using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Tags;

/// <summary>
/// In an ingest group the tag rules and the journeys' entries share the customers' snapshots, read once: a tag the
/// rules give or take away in the group counts for the entries its events make. On both databases and in memory.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class TagsBeforeJourneysTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    internal const string TagRules = """
        {
          "WorkflowName": "tags",
          "Rules": [
            { "RuleName": "big-spender", "Expression": "stats.TotalSpent >= 100" },
            { "RuleName": "small-basket", "Expression": "stats.OrderCount > 0 && stats.TotalSpent < 100" }
          ]
        }
        """;

    // Entered on an order only by a customer whom the rules, on that very order, made a big spender and no longer a small basket.
    internal const string BigSpenderThanks = """
        {
          "WorkflowName": "big-spender-thanks",
          "Trigger": { "Event": "Order Completed", "Condition": "customer.HasTag(\"big-spender\") && !customer.HasTag(\"small-basket\")" },
          "ReEntry": "P1D",
          "Rules": [ { "RuleName": "thanks", "Expression": "true",
            "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "big-spender-thanks/thanks" } } } } ]
        }
        """;

    private string _folder = null!;
    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("automation-tags-before-journeys-").FullName;
        var tagRules = Path.Combine(_folder, "tags.json");
        await File.WriteAllTextAsync(tagRules, TagRules);
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("big-spender-thanks.json", BigSpenderThanks)], TagRulesFile = tagRules });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<IReadOnlyList<string>> JourneysOf(string user) =>
        [.. (await _h.Storage.Queries.InstancesOfAsync((await _h.Customer(user)).Profile.Id, CancellationToken.None)).Select(i => i.Journey)];

    [Test]
    public async Task Tags_given_and_taken_away_in_a_group_count_for_the_entries_its_events_make()
    {
        await _h.Ingest(Segment.Order("ann", "a1", 60m, Start), Segment.Order("bo", "b1", 20m, Start));
        (await _h.Customer("ann")).Tags.Should().Equal("small-basket");
        (await JourneysOf("ann")).Should().BeEmpty();

        // Read before the rules ran, ann's snapshot still said small-basket and not big-spender: the entry must see what the rules made of it.
        _h.Clock.Advance(TimeSpan.FromMinutes(5));
        await _h.Ingest(Segment.Order("ann", "a2", 60m, Start.AddMinutes(5)), Segment.Order("bo", "b2", 20m, Start.AddMinutes(5)));

        (await _h.Customer("ann")).Tags.Should().Equal("big-spender");
        (await JourneysOf("ann")).Should().Equal("big-spender-thanks");
        (await _h.Customer("bo")).Tags.Should().Equal("small-basket");
        (await JourneysOf("bo")).Should().BeEmpty();
    }
}

/// <summary>What <see cref="TagsBeforeJourneysTests"/> checks, counted: the snapshots of a group cost one round trip. In memory, which counts reads.</summary>
public sealed class TagsBeforeJourneysReadsTests
{
    [Test]
    public async Task A_group_reads_its_customers_for_the_tag_rules_and_the_entries_in_one_round_trip()
    {
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var folder = Directory.CreateTempSubdirectory("automation-tags-before-journeys-").FullName;
        try
        {
            var tagRules = Path.Combine(folder, "tags.json");
            await File.WriteAllTextAsync(tagRules, TagsBeforeJourneysTests.TagRules);
            await using var h = await EngineHarness.CreateAsync(EngineHarness.Memory, start,
                new EngineSetup { Journeys = [("big-spender-thanks.json", TagsBeforeJourneysTests.BigSpenderThanks)], TagRulesFile = tagRules });
            var memory = (InMemoryStorage)h.Storage.Ingestion;
            await h.Ingest(Segment.Order("ann", "a1", 60m, start), Segment.Order("bo", "b1", 120m, start));
            var before = memory.SnapshotReads;

            h.Clock.Advance(TimeSpan.FromMinutes(5));
            await h.Ingest(Segment.Order("ann", "a2", 60m, start.AddMinutes(5)), Segment.Order("bo", "b2", 20m, start.AddMinutes(5)),
                Segment.Order("cy", "c1", 150m, start.AddMinutes(5)));

            memory.SnapshotReads.Should().Be(before + 1, "the entries' snapshots go with the tag rules' read");
            foreach (var (user, journeys) in new[] { ("ann", 1), ("bo", 1), ("cy", 1) })
                (await h.Storage.Queries.InstancesOfAsync((await h.Customer(user)).Profile.Id, CancellationToken.None)).Should().HaveCount(journeys, user);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
